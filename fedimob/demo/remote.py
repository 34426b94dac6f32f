"""The demo's Fediverse: a followed region, its campaigns, and people from other servers.

Every remote person and server is at an `.example` host served by
`DemoFediverse`; what they send goes through the inbox's own handlers:

    Follow / Accept{Follow}      our instance and Fedimob Bretagne follow each other
    Announce{Event}              its campaigns, fetched and kept as copies (mirrors.py)
    Create{Note} (poll vote)     a Mastodon person joins by voting
    Create{Note} (mention)       another joins by replying "join 1h", later reports
    Join (pledgedMinutes)        a person of another fedimob joins
    Join (participationMessage)  a Mobilizon person asks to join the approval campaign
    Accept{Event}                a Friendica person joins
    Accept{Join}, Update{Event}  our volunteer's join of a Breton campaign is accepted,
    Create{Note} (direct)        counted there, and its organisers write to her

`load_remote()` leaves our answers queued; `answer_volunteer()` runs after they
have been sent (the volunteer's `Join` first, then its `Accept`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fedimob.demo.local import LocalDemo
from fedimob.demo.network import DemoFediverse
from fedimob.domain.actors import instance_actor
from fedimob.federation.follows import follow_remote
from fedimob.federation.polls import poll_id, poll_options
from fedimob.federation.remote_joins import join_remote
from fedimob.models import Actor, Campaign, RemoteCampaign, RemoteJoin

REGION = "mob.bretagne.example"
MASTODON = "mastodon.example"
MOBILIZON = "mobilizon.example"
FRIENDICA = "friendica.example"
HOSTS = (REGION, MASTODON, MOBILIZON, FRIENDICA)
# The Breton campaign our volunteer joins.
JOINED_ELSEWHERE = "quiberon_beach"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _region_event(
    fediverse: DemoFediverse, slug: str, title: str, summary: str, *, goal: tuple[str, int],
    counts: tuple[int, int], published: datetime, deadline: datetime, counted_at: datetime,
    ours: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """A Breton campaign's Event, shaped as fedimob serves it (federation/events.py)."""
    page = f"https://{REGION}/campaigns/{slug}"
    people, minutes = counts
    breakdown = [{"type": "InstanceCount", "instance": f"https://{REGION}",
                  "participantCount": people - ours,
                  "pledgedMinutes": minutes - 120 * ours}]  # fmt: skip
    if ours:
        breakdown.append({"type": "InstanceCount", "instance": fediverse.settings.url,
                          "participantCount": ours, "pledgedMinutes": 120})  # fmt: skip
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{page}/event",
        "type": "Event",
        "attributedTo": page,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "name": title,
        "summary": f"<p>{summary}</p>",
        "url": [{"type": "Link", "mediaType": "text/html", "href": page}],
        "published": _iso(published),
        "endTime": _iso(deadline),
        "deadline": _iso(deadline),
        "goalKind": goal[0],
        "goalTarget": goal[1],
        "participantCount": people,
        "pledgedMinutes": minutes,
        "instanceBreakdown": breakdown,
        "countedAt": _iso(counted_at),
        "pledgeOptions": [
            {"type": "PledgeOption", "name": f"{minutes} min", "minutes": minutes}
            for minutes in (60, 120, 180)
        ],
    }


REGION_CAMPAIGNS = (
    # slug, title, summary, goal, (people, minutes), published days ago, days left
    ("quiberon_beach", "Beach clean-up at Quiberon",
     "Two hours on the Côte Sauvage after the winter storms: bags and gloves provided.",
     ("participants", 80), (34, 34 * 120), 6, 12),
    ("rennes_repair_cafe", "Repair café in Rennes",
     "Volunteers who can mend a toaster, a bike or a jumper: 200 hours this season.",
     ("hours", 200), (27, 7200), 15, 25),
    ("hedgehog_count", "Count the hedgehogs of Brittany",
     "Note each hedgehog you see at dusk, from your garden or your street.",
     ("participants", 150), (41, 41 * 30), 3, 40),
)  # fmt: skip


async def _follow_region(fediverse: DemoFediverse, now: datetime) -> Actor:
    """Our instance follows Fedimob Bretagne (and it follows us): regions, both ways."""
    fediverse.instance(REGION, "Fedimob Bretagne")
    ours = await instance_actor()
    # What the admin page's follow job does once it has found the actor (region_follows.py).
    follow = await follow_remote(fediverse.federation, ours, f"https://{REGION}/actor")
    region = await follow.followed
    our_id = fediverse.federation.urls.actor_id(ours)
    await fediverse.receive(
        {"id": f"https://{REGION}/activities/accept-1", "type": "Accept",
         "object": {"id": follow.ap_id, "type": "Follow", "actor": our_id,
                    "object": region.ap_id}},
        region, at=now - timedelta(days=20),
    )  # fmt: skip
    await fediverse.receive(
        {"id": f"https://{REGION}/activities/follow-1", "type": "Follow", "object": our_id},
        region, at=now - timedelta(days=20),
    )  # fmt: skip
    return region


async def _mirror_region_campaigns(fediverse: DemoFediverse, region: Actor, now: datetime) -> None:
    for slug, title, summary, goal, counts, age, left in REGION_CAMPAIGNS:
        published = now - timedelta(days=age)
        event = _region_event(
            fediverse, slug, title, summary, goal=goal, counts=counts,
            published=published, deadline=now + timedelta(days=left),
            counted_at=published + timedelta(minutes=5),
        )  # fmt: skip
        fediverse.serve(event)
        await fediverse.remote_actor(
            REGION, slug, title, kind="Group", path=f"/campaigns/{slug}"
        )  # the campaign's actor, which signs its Updates
        await fediverse.receive(
            {"id": f"https://{REGION}/activities/relay-{slug}", "type": "Announce",
             "object": event["id"]},
            region, at=published + timedelta(minutes=5),
        )  # fmt: skip


def _campaign_id(fediverse: DemoFediverse, campaign: Campaign) -> str:
    return fediverse.settings.absolute(f"/campaigns/{campaign.slug}")


async def _join_our_campaigns(fediverse: DemoFediverse, local: LocalDemo, now: datetime) -> None:
    """People of four other servers join our campaigns, each the way their server can."""
    urls = fediverse.federation.urls
    mail, trees = local.campaigns["delete_old_emails"], local.campaigns["plant_hedges"]
    maelle = await fediverse.remote_actor(MASTODON, "maelle", "Maëlle")
    vote = next(label for label, minutes in poll_options(mail).items() if minutes == 30)
    await fediverse.receive(
        {"id": f"https://{MASTODON}/users/maelle/statuses/1/activity", "type": "Create",
         "object": {"id": f"https://{MASTODON}/users/maelle/statuses/1", "type": "Note",
                    "name": vote, "inReplyTo": poll_id(urls, mail.slug),
                    "attributedTo": maelle.ap_id, "to": [_campaign_id(fediverse, mail)]}},
        maelle, at=now - timedelta(days=8),
    )  # fmt: skip
    yann = await fediverse.remote_actor(MASTODON, "yann", "Yann")
    for number, text, days_ago in ((2, "join 1h", 7), (3, "done 45 min, 2000 e-mails", 1)):
        mention = (
            f'<a href="{_campaign_id(fediverse, mail)}" class="u-url mention">@{mail.slug}</a>'
        )
        await fediverse.receive(
            {"id": f"https://{MASTODON}/users/yann/statuses/{number}/activity", "type": "Create",
             "object": {"id": f"https://{MASTODON}/users/yann/statuses/{number}",
                        "type": "Note", "attributedTo": yann.ap_id,
                        "content": f"<p>{mention} {text}</p>",
                        "tag": [{"type": "Mention", "href": _campaign_id(fediverse, mail),
                                 "name": f"@{mail.slug}@{fediverse.settings.domain}"}]}},
            yann, at=now - timedelta(days=days_ago),
        )  # fmt: skip
    gwen = await fediverse.remote_actor(REGION, "gwen", "Gwenaëlle")
    await fediverse.receive(
        {"id": f"https://{REGION}/activities/join-gwen", "type": "Join",
         "object": urls.event_id(mail.slug), "pledgedMinutes": 60},
        gwen, at=now - timedelta(days=6),
    )  # fmt: skip
    tom = await fediverse.remote_actor(FRIENDICA, "tom", "Tom")
    await fediverse.receive(
        {"id": f"https://{FRIENDICA}/objects/accept-tom", "type": "Accept",
         "object": urls.event_id(mail.slug)},
        tom, at=now - timedelta(days=5),
    )  # fmt: skip
    lucie = await fediverse.remote_actor(MOBILIZON, "lucie", "Lucie")
    await fediverse.receive(
        {"id": f"https://{MOBILIZON}/join/lucie-hedges", "type": "Join",
         "object": urls.event_id(trees.slug),
         "participationMessage": "I have my own spade and can come both weekends."},
        lucie, at=now - timedelta(hours=10),
    )  # fmt: skip


async def load_remote(fediverse: DemoFediverse, local: LocalDemo, now: datetime) -> None:
    """Everything that arrives from elsewhere, and the volunteer's join of a remote campaign."""
    region = await _follow_region(fediverse, now)
    await _mirror_region_campaigns(fediverse, region, now)
    await _join_our_campaigns(fediverse, local, now)
    shown = await RemoteCampaign.get(ap_id=f"https://{REGION}/campaigns/{JOINED_ELSEWHERE}/event")
    await join_remote(
        fediverse.federation.urls, await local.volunteer.actor, shown, pledge_minutes=120,
        now=now - timedelta(days=2),
    )  # fmt: skip


async def answer_volunteer(fediverse: DemoFediverse, local: LocalDemo, now: datetime) -> None:
    """Once her `Join` is sent: Quiberon accepts it, counts her, and writes to her."""
    person = await local.volunteer.actor
    joined = await RemoteJoin.get(participant_id=person.id).select_related("campaign")
    owner = await Actor.get(ap_id=joined.campaign.owner_id)
    await fediverse.receive(
        {"id": f"{owner.ap_id}/accept/{person.username}", "type": "Accept",
         "object": joined.ap_id},
        owner,
    )  # fmt: skip
    slug, title, summary, goal, counts, age, left = REGION_CAMPAIGNS[0]
    event = _region_event(
        fediverse, slug, title, summary, goal=goal, counts=(counts[0] + 1, counts[1] + 120),
        published=now - timedelta(days=age), deadline=now + timedelta(days=left),
        counted_at=now, ours=1,
    )  # fmt: skip
    fediverse.serve(event)
    await fediverse.receive(
        {"id": f"{owner.ap_id}/updates/1", "type": "Update", "object": event}, owner
    )
    await fediverse.receive(
        {"id": f"{owner.ap_id}/notes/1/activity", "type": "Create",
         "object": {"id": f"{owner.ap_id}/notes/1", "type": "Note", "attributedTo": owner.ap_id,
                    "to": [fediverse.federation.urls.actor_id(person)],
                    "content": "<p>Welcome aboard! We meet at 10:00 by the lifeguard station "
                               "of Port Blanc.</p>"}},
        owner,
    )  # fmt: skip
