"""This instance's own demo: its profile, people, associations, and campaigns in every state.

History is made by calling the domain services with past `now` values, and by
running the jobs scheduled in the past (a reminder, two deadlines) at their
own moment, so the demo goes through exactly the rules real use goes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from fedimob.demo.network import DemoFediverse
from fedimob.domain.accounts import create_account
from fedimob.domain.associations import add_member, create_association
from fedimob.domain.campaign_input import CampaignInput, Conversion
from fedimob.domain.campaigns import REMINDER_BEFORE, create_campaign, post_update
from fedimob.domain.instance_profile import update_instance_profile
from fedimob.domain.notices import mark_all_read
from fedimob.domain.participation import (
    decide,
    join,
    report_contribution,
    validate_contribution,
)
from fedimob.domain.time_zones import from_local_time, local_time, zone_named
from fedimob.models import (
    Account,
    Association,
    Campaign,
    CampaignKind,
    GoalKind,
    JoinMode,
    JoinVia,
    MemberRole,
    Participation,
)

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed to the operator, documented in README
VOLUNTEERS = (
    "amelie", "bastien", "chloe", "david", "elise", "farid", "gabrielle", "hugo",
    "ines", "jules", "karim", "lea", "manon", "nathan", "oceane", "paul",
)  # fmt: skip
# The volunteer who logs in: in every kind of participation, remote joins included.
VOLUNTEER = "chloe"
TIME_ZONE = "Europe/Paris"
INSTANCE_NAME = "Fedimob Loire-Atlantique"
INSTANCE_DESCRIPTION = """\
Campaigns of the associations of **Loire-Atlantique**: give an hour, a morning or
a few clicks, and see what we do together.

- Join from this site, or from your Fediverse account (Mastodon, Mobilizon…).
- Questions? Write to the [organisers](https://loire.example.org/contact)."""


@dataclass(frozen=True, slots=True)
class LocalDemo:
    organiser: Account
    volunteer: Account
    people: list[Account]
    associations: list[Association]
    campaigns: dict[str, Campaign]


async def _volunteers() -> list[Account]:
    return [
        await create_account(
            username=name,
            email=f"{name}@example.org",
            password=DEMO_PASSWORD if name == VOLUNTEER else None,
            display_name=name.capitalize(),
            language="fr" if index % 2 else "en",
        )
        for index, name in enumerate(VOLUNTEERS)
    ]


async def _join_all(
    campaign: Campaign,
    people: list[Account],
    pledges: list[int],
    when: datetime,
    every: timedelta = timedelta(hours=9),
) -> None:
    for index, person in enumerate(people):
        moment = when + every * index
        await join(
            campaign,
            await person.actor,
            via=JoinVia.WEB,  # as the site would have it: the demo shows real pages
            pledge_minutes=pledges[index % len(pledges)],
            listed=index % 3 == 0,
            now=moment,
        )


async def _report(
    campaign: Campaign, people: list[Account], minutes: int, impact: list[int], when: datetime
) -> None:
    for index, person in enumerate(people):
        await report_contribution(
            campaign, await person.actor, minutes=minutes,
            impact=impact[index] if impact else None, now=when + timedelta(hours=index),
        )  # fmt: skip


async def _validate(campaign: Campaign, people: list[Account], by: Account) -> None:
    for person in people:
        row = await Participation.get(campaign_id=campaign.id, participant__account__id=person.id)
        await validate_contribution(row, by=by)


def _on_local_clock(now: datetime, days: int, at: time) -> datetime:
    """`at` o'clock in Nantes, `days` after `now`'s date there (as UTC)."""
    today = local_time(now, zone_named(TIME_ZONE)).date()
    return from_local_time(
        datetime.combine(today + timedelta(days=days), at), zone_named(TIME_ZONE)
    )


def _saturday_morning(now: datetime) -> datetime:
    """9:00 in Nantes on the first Saturday four or more days after `now`'s date (as UTC)."""
    earliest = local_time(now, zone_named(TIME_ZONE)).date() + timedelta(days=4)
    return _on_local_clock(now, 4 + (5 - earliest.weekday()) % 7, time(9))


async def load_local(fediverse: DemoFediverse, now: datetime) -> LocalDemo:
    long_ago = now - timedelta(days=40)
    organiser = await create_account(
        username="camille", email="camille@example.org", password=DEMO_PASSWORD,
        display_name="Camille (organiser)", language="fr", is_admin=True,
    )  # fmt: skip
    await update_instance_profile(
        name=INSTANCE_NAME, description=INSTANCE_DESCRIPTION, languages=["en", "fr"],
        registrations_open=True, time_zone=TIME_ZONE, by=organiser,
    )  # fmt: skip
    people = await _volunteers()
    volunteer = people[VOLUNTEERS.index(VOLUNTEER)]
    river = await create_association(
        username="amis_de_la_loire", name="Les Amis de la Loire", owner=organiser,
        description="Nous prenons soin de la Loire et de ses berges, **une action à la fois**.",
        website="https://loire.example.org", region="Pays de la Loire",
    )  # fmt: skip
    digital = await create_association(
        username="digital_cleanup", name="Digital Cleanup Collective", owner=organiser,
        description="We make the internet lighter: fewer stored bytes, less energy.",
        website="https://cleanup.example.org", region="Europe",
    )  # fmt: skip
    await add_member(river, people[0], MemberRole.ORGANISER)

    mail = await create_campaign(
        digital,
        CampaignInput(
            slug="delete_old_emails", title="Clean out your old e-mails",
            summary="Delete e-mails you no longer need: together, 50,000 of them in a month.",
            description="1. Search your mailbox for messages older than five years.\n"
            "2. Delete those with large attachments first.\n3. Report how many you deleted.",
            categories=["digital", "energy"], goal_kind=GoalKind.IMPACT, goal_target=50_000,
            impact_unit="e-mails deleted", deadline=now + timedelta(days=20),
            instructions_url="https://cleanup.example.org/how-to",
            conversions=[Conversion(quantity="CO2 avoided", unit="g", per_unit=0.3,
                                    source="Demo figure: replace with your own source")],
            pledge_options=[15, 30, 60],
        ),
        by=organiser, publish=True, now=now - timedelta(days=10),
    )  # fmt: skip
    await _join_all(mail, people[:12], [15, 30, 60], now - timedelta(days=9))
    impacts = [900 + 350 * index for index in range(8)]
    await _report(mail, people[:8], 30, impacts, now - timedelta(days=2))
    await post_update(
        mail, by=organiser, title="A great first week",
        body="Thank you all! Keep reporting what you deleted.", now=now - timedelta(days=3),
    )  # fmt: skip

    saturday = _saturday_morning(now)
    cleanup = await create_campaign(
        river,
        CampaignInput(
            slug="loire_cleanup", title="River clean-up on Saturday",
            summary="Three hours on the banks of the Loire to collect litter before winter.",
            description="Gloves and bags provided. Meet at the footbridge.",
            categories=["nature", "water"], language="en", kind=CampaignKind.PHYSICAL,
            goal_kind=GoalKind.PARTICIPANTS, goal_target=40, capacity=60,
            address="Quai de la Fosse, Nantes", latitude=47.2105, longitude=-1.5656,
            starts_at=saturday, ends_at=saturday + timedelta(hours=3),
            deadline=saturday - timedelta(hours=15), pledge_options=[180],
        ),
        by=organiser, publish=True, now=now - timedelta(days=6),
    )  # fmt: skip
    await _join_all(cleanup, people[:14], [180], now - timedelta(days=5))
    await post_update(
        cleanup, by=organiser, title="Where to meet",
        body="We meet at the **footbridge** at 9:00. Bring boots; we bring gloves and bags.",
        now=now - timedelta(days=1),
    )  # fmt: skip

    trees = await create_campaign(
        river,
        CampaignInput(
            slug="plant_hedges", title="Plant 300 hours of hedgerows",
            summary="Help farmers plant hedgerows this winter; organisers confirm each volunteer.",
            categories=["nature"], kind=CampaignKind.PHYSICAL, goal_kind=GoalKind.HOURS,
            goal_target=300, join_mode=JoinMode.APPROVAL, address="Ferme du Bocage, Clisson",
            starts_at=now + timedelta(days=30), deadline=now + timedelta(days=28),
            pledge_options=[120, 240, 480],
        ),
        by=organiser, publish=True, now=now - timedelta(days=1),
    )  # fmt: skip
    # Five ask to take part, the volunteer among them; the organisers have said yes to one.
    await _join_all(trees, [*people[4:8], volunteer], [240, 480], now - timedelta(hours=20),
                    every=timedelta(minutes=37))  # fmt: skip
    first = await Participation.get(campaign_id=trees.id, participant__account__id=people[4].id)
    await decide(first, accept=True, by=organiser, now=now - timedelta(hours=12))

    draft = await create_campaign(
        digital,
        CampaignInput(
            slug="unsubscribe_week", title="Unsubscribe week",
            summary="Unsubscribe from newsletters you never read.", goal_kind=GoalKind.PARTICIPANTS,
            goal_target=1000, deadline=now + timedelta(days=60),
        ),
        by=organiser, now=now,
    )  # fmt: skip

    done = await create_campaign(
        digital,
        CampaignInput(
            slug="photo_cleanup", title="Delete duplicate photos",
            summary="Free your cloud storage of duplicate photos.", goal_kind=GoalKind.PARTICIPANTS,
            goal_target=10, deadline=long_ago + timedelta(days=30),
        ),
        by=organiser, publish=True, now=long_ago,
    )  # fmt: skip
    await _join_all(done, people[:11], [60], long_ago + timedelta(days=1))
    bird_count_at = _on_local_clock(now, -20, time(8, 30))
    missed = await create_campaign(
        river,
        CampaignInput(
            slug="winter_count", title="Winter bird count",
            summary="Count the birds by the river for one hour.", kind=CampaignKind.PHYSICAL,
            address="Île de Versailles, Nantes", starts_at=bird_count_at,
            goal_kind=GoalKind.PARTICIPANTS, goal_target=50,
            deadline=bird_count_at - timedelta(hours=14),
        ),
        by=organiser, publish=True, now=long_ago,
    )  # fmt: skip
    await _join_all(missed, people[:6], [60], long_ago + timedelta(days=2))
    # The past, in order: the bird count's reminder, its deadline, reports, the photos' deadline.
    await fediverse.run_jobs(at=bird_count_at - REMINDER_BEFORE)
    await mark_all_read(volunteer, now=bird_count_at)  # she saw the reminder; the rest is new
    await fediverse.run_jobs(at=missed.deadline)
    await _report(done, people[:5], 45, [], long_ago + timedelta(days=25))
    await fediverse.run_jobs(at=done.deadline)

    # Organisers have confirmed some contributions; the others wait for them.
    await _validate(mail, [people[0], people[1], volunteer], organiser)
    await _validate(done, people[:2], organiser)
    campaigns = [mail, cleanup, trees, done, missed, draft]
    return LocalDemo(
        organiser=organiser,
        volunteer=volunteer,
        people=people,
        associations=[river, digital],
        campaigns={campaign.slug: await Campaign.get(id=campaign.id) for campaign in campaigns},
    )
