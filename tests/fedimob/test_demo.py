from urllib.parse import urlsplit

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.demo import DEMO_PASSWORD, database_is_empty, load_demo
from fedimob.domain.accounts import authenticate
from fedimob.domain.campaigns import DEADLINE_JOB, REMINDER_JOB
from fedimob.domain.tally import recount, tally_of_campaign
from fedimob.federation.hosts import health_of, host_of
from fedimob.federation.outbox import DELIVER_JOB
from fedimob.models import (
    Account,
    Actor,
    Campaign,
    CampaignState,
    CampaignUpdate,
    Follow,
    FollowState,
    Job,
    JobState,
    JoinVia,
    Milestone,
    Notice,
    Outcome,
    Participation,
    ParticipationState,
    RemoteCampaign,
    RemoteHost,
    RemoteJoin,
    Report,
)
from fedimob.settings import Settings


async def test_demo_shows_campaigns_in_every_state(db: Database, settings: Settings) -> None:
    assert await database_is_empty()
    summary = await load_demo(settings)
    assert not await database_is_empty()
    states = {c.slug: (c.state, c.outcome) async for c in Campaign.all()}
    assert states["photo_cleanup"] == (CampaignState.ENDED, Outcome.SUCCEEDED)
    assert states["winter_count"] == (CampaignState.ENDED, Outcome.MISSED)
    assert states["unsubscribe_week"] == (CampaignState.DRAFT, None)
    assert states["loire_cleanup"][0] == CampaignState.PUBLISHED
    assert summary["associations"] == ["amis_de_la_loire", "digital_cleanup"]
    async for campaign in Campaign.all():
        assert tally_of_campaign(campaign) == await recount(campaign.id)
    mail = await Campaign.get(slug="delete_old_emails")
    assert mail.impact_total > 0
    assert mail.participants_count == 16  # 12 of ours, 4 from other servers
    assert (await Campaign.get(slug="loire_cleanup")).participants_count == 14
    trees = await Campaign.get(slug="plant_hedges")
    assert (trees.requested_count, trees.participants_count) == (5, 1)  # one said yes to
    assert await CampaignUpdate.exists()
    # Milestones are recorded as counts grow: the photos reached all four.
    photos = await Campaign.get(slug="photo_cleanup")
    reached = await Milestone.filter(campaign_id=photos.id).values_list("percent", flat=True)
    assert sorted(reached) == [25, 50, 75, 100]  # type: ignore[type-var]


async def test_demo_history_is_dated_in_the_past(db: Database, settings: Settings) -> None:
    now = utcnow()
    await load_demo(settings, now=now)
    birds = await Campaign.get(slug="winter_count")
    # Its deadline job ran at its deadline, not when the demo was loaded.
    assert birds.ended_at == birds.deadline
    joined = await Participation.filter(campaign__slug="delete_old_emails").values_list(
        "created_at", flat=True
    )
    days = {moment.date() for moment in joined}  # type: ignore[attr-defined]
    assert len(days) >= 4  # joins spread over days, for the organiser's chart


async def test_the_demo_accounts_log_in_with_the_demo_password(
    db: Database, settings: Settings
) -> None:
    summary = await load_demo(settings)
    names = [account["username"] for account in summary["log_in_as"]]
    assert names == ["camille", "chloe"]
    for name in names:
        assert await authenticate(name, DEMO_PASSWORD) is not None
    assert (await Account.get(username="camille")).is_admin
    assert not (await Account.get(username="chloe")).is_admin
    # The other volunteers cannot log in at all.
    assert await authenticate("amelie", DEMO_PASSWORD) is None


async def test_remote_people_join_in_every_way_from_example_hosts(
    db: Database, settings: Settings
) -> None:
    await load_demo(settings)
    remote = await Participation.filter(participant__domain__isnull=False).select_related(
        "participant", "campaign"
    )
    ways = {(row.participant.domain, JoinVia(row.via), row.campaign.slug) for row in remote}
    assert ways == {
        ("mastodon.example", JoinVia.POLL_VOTE, "delete_old_emails"),
        ("mastodon.example", JoinVia.MENTION, "delete_old_emails"),
        ("mob.bretagne.example", JoinVia.JOIN_ACTIVITY, "delete_old_emails"),
        ("friendica.example", JoinVia.ACCEPT_EVENT, "delete_old_emails"),
        ("mobilizon.example", JoinVia.JOIN_ACTIVITY, "plant_hedges"),
    }
    mobilizon = next(row for row in remote if row.participant.domain == "mobilizon.example")
    assert mobilizon.state == ParticipationState.REQUESTED
    assert "spade" in mobilizon.message
    mention = next(row for row in remote if row.via == JoinVia.MENTION)
    assert (mention.reported_minutes, mention.contribution_validated) == (45, False)
    async for actor in Actor.filter(domain__isnull=False):
        assert (actor.domain or "").endswith(".example")
        for url in (actor.ap_id, actor.inbox_url, actor.shared_inbox_url, actor.url):
            assert not url or urlsplit(url).hostname.endswith(".example")  # type: ignore[union-attr]


async def test_a_followed_region_shows_its_campaigns_and_our_volunteer_joined_one(
    db: Database, settings: Settings
) -> None:
    await load_demo(settings)
    region = await Actor.get(ap_id="https://mob.bretagne.example/actor")
    follows = await Follow.filter(followed_id=region.id).select_related("follower")
    assert [(f.follower.domain, f.state) for f in follows] == [(None, FollowState.ACCEPTED)]
    assert await Follow.exists(follower_id=region.id, state=FollowState.ACCEPTED)
    copies = await RemoteCampaign.all().order_by("deadline")
    assert [c.domain for c in copies] == ["mob.bretagne.example"] * 3
    for copy in copies:
        assert urlsplit(copy.url).hostname == "mob.bretagne.example"
        assert copy.deleted_at is None
        assert copy.deadline is not None
    joined = await RemoteJoin.get(participant__account__username="chloe").select_related("campaign")
    assert joined.state == ParticipationState.ACCEPTED
    assert joined.campaign.title == "Beach clean-up at Quiberon"
    assert joined.campaign.local_participants == 1  # the owner's Update counted her


async def test_the_volunteer_has_notices_of_every_kind(db: Database, settings: Settings) -> None:
    await load_demo(settings)
    chloe = await Account.get(username="chloe")
    kinds = await Notice.filter(account_id=chloe.id).values_list("kind", "read_at")
    assert sorted(kind for kind, _ in kinds) == [  # type: ignore[type-var]
        "accepted", "message", "missed", "reminder", "succeeded",
    ]  # fmt: skip
    unread = sorted(kind for kind, read_at in kinds if read_at is None)  # type: ignore[type-var]
    assert unread == ["accepted", "message", "missed", "succeeded"]


async def test_admins_have_a_report_a_block_and_a_failing_host(
    db: Database, settings: Settings
) -> None:
    await load_demo(settings)
    report = await Report.get().select_related("reporter")
    assert report.reporter.domain == "social.example"
    assert report.object_ids == ["https://fedimob.test/users/nathan"]
    assert report.resolved_at is None
    blocked = await RemoteHost.filter(blocked=True).values_list("domain", flat=True)
    assert blocked == ["spam.example"]
    health = await health_of("quiet.example")
    assert (health.failures, len(health.failure_days)) == (6, 3)
    assert not health.unavailable()


async def test_the_demo_leaves_no_job_that_would_reach_the_network(
    db: Database, settings: Settings
) -> None:
    """The remote servers do not exist: the demo delivered to its fakes and left nothing due.

    What stays is scheduled for later and runs here (deadlines, reminders); no
    delivery, no remote join, no follow request waits, and none failed.
    """
    await load_demo(settings)
    now = utcnow()
    waiting = await Job.filter(state__in=[JobState.PENDING, JobState.RUNNING])
    assert waiting
    assert {job.kind for job in waiting} == {DEADLINE_JOB, REMINDER_JOB}
    assert all(job.run_at > now for job in waiting)
    assert not await Job.exists(state=JobState.FAILED)
    delivered = await Job.filter(kind=DELIVER_JOB).values_list("payload", flat=True)
    hosts = {host_of(payload["inbox"]) for payload in delivered}  # type: ignore[index]
    assert hosts == {
        "mob.bretagne.example", "mastodon.example", "friendica.example", "mobilizon.example"
    }  # fmt: skip
    # Their health shows success, not failure: nothing was sent for real, nothing failed.
    for host in hosts:
        assert (await health_of(host)).failures == 0
