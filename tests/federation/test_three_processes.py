"""Three real `fedimob serve` processes on loopback ports, and a fake Mastodon beside them.

home publishes a campaign; north and south follow home's instance actor, so they
show it. People take part by every path: home's own people with the command
line; north's and south's people through their instance (`fedimob join|leave
--campaign <Event URL>`: a `Join` or `Leave` to home, an `Accept` back);
Mastodon users by a poll vote, a `Join` or a `Leave`, signed by actors whose keys
home fetches from a loopback server. The story waits (on log lines, or polling
with a deadline) until every copy agrees with the truth the test keeps: home's
Event counts each current participant once, by instance; north's and south's
copies show the same total and how many of them are from there.

In the middle, north is stopped. While it is down home's count changes, and
home's Update to north fails: home will retry after a random backoff of up to a
minute (`activitypub.retry.RetryPolicy`), which the story holds back an hour in
home's job table, so that what follows happens in a known order. And one of
north's people asks again to take part, with the command line: the Join waits in
north's own queue. North starts again on the same port and database; its worker
sends the Join, home accepts it, and home's next Update brings north up to date,
the change it missed included, while the retry is still waiting. Then the story
makes the retry due: the older Update reaches north after the newer one, and
north keeps the newer counts.

The story runs once, in a module fixture (most of its 30 to 60 s is the command
line starting); the tests check what it saw once everything had settled.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from activitypub.testing import FakeActor
from fedimob.clock import utcnow
from fedimob.federation.outbox import DELIVER_JOB
from fedimob.models import Job, JobState, RemoteCampaign
from tests.conftest import DatabaseFactory
from tests.federation.live import LiveInstance, LivePeer, at_once, get_document, wait_until

pytestmark = pytest.mark.slow

SLUG = "cleanup"
TIMING = {
    "FEDIMOB_COUNT_UPDATE_SECONDS": "1",  # counts go out at most once a second
    "FEDIMOB_WORKER_POLL_SECONDS": "0.1",
}


# What the test reads: home's Event (public), the mirrors' copies and the job queues
# (no public surface shows them: read in the instance's own database).


def copy_at(instance: LiveInstance, event: str) -> tuple[int, int] | None:
    """What `instance` shows of another's campaign: (participants, participants from here)."""

    async def read() -> tuple[int, int] | None:
        row = await RemoteCampaign.get_or_none(ap_id=event, deleted_at__isnull=True)
        return None if row is None else (row.participants_count, row.local_participants)

    return instance.query(read)


def counts_of(event: str) -> tuple[int, dict[str, int]]:
    """home's Event: (participantCount, {instance: participantCount})."""
    document = get_document(event)
    breakdown = {row["instance"]: row["participantCount"] for row in document["instanceBreakdown"]}
    return document["participantCount"], breakdown


def by_host(breakdown: dict[str, int]) -> dict[str, int]:
    return {urlsplit(instance).netloc: number for instance, number in breakdown.items()}


async def _deliveries_to(instance: LiveInstance) -> dict[int, tuple[str, int]]:
    jobs = await Job.filter(kind=DELIVER_JOB, state__in=[JobState.PENDING, JobState.RUNNING])
    return {
        job.id: (str(job.state), job.attempts)
        for job in jobs
        if job.payload["inbox"].startswith(instance.url)
    }


def deliveries(instance: LiveInstance, to: LiveInstance) -> dict[int, tuple[str, int]]:
    """What `instance` still has to deliver to `to`: {job id: (state, attempts so far)}."""
    return instance.query(lambda: _deliveries_to(to))


def hold_back(instance: LiveInstance, to: LiveInstance) -> bool:
    """Once every delivery to `to` failed and waits for its retry, put the retries an
    hour ahead (they would come at a random moment within a minute); True when done."""

    async def write() -> bool:
        pending = await _deliveries_to(to)
        failed = [i for i, (state, tries) in pending.items() if state == "pending" and tries]
        if not failed or len(failed) < len(pending):
            return False  # not tried yet, or being tried right now
        later = utcnow() + timedelta(hours=1)
        held = await Job.filter(id__in=failed, state=JobState.PENDING).update(run_at=later)
        return held == len(failed)

    return instance.query(write)


def bring_forward(instance: LiveInstance, jobs: list[int]) -> None:
    """Make held-back retries due now."""

    async def write() -> None:
        await Job.filter(id__in=jobs, state=JobState.PENDING).update(run_at=utcnow())

    instance.query(write)


def idle(instance: LiveInstance) -> bool:
    """Nothing due or running in `instance`'s queue (the campaign's deadline is days away)."""

    async def read() -> bool:
        soon = utcnow() + timedelta(minutes=10)
        busy = Job.filter(state__in=[JobState.PENDING, JobState.RUNNING], run_at__lt=soon)
        return not await busy.exists()

    return instance.query(read)


@dataclass
class Seen:
    """Every copy once everything settled, and the truth: who takes part, by instance URL."""

    moment: str
    truth: dict[str, int]
    event: tuple[int, dict[str, int]]  # home's Event: participantCount, instanceBreakdown
    copies: dict[str, tuple[int, int] | None]  # north's and south's: total, from there


@dataclass
class Story:
    home: LiveInstance
    north: LiveInstance
    south: LiveInstance
    mastodon: LivePeer
    event: str
    taking_part: dict[str, set[str]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def truth(self) -> dict[str, int]:
        return {url: len(names) for url, names in self.taking_part.items() if names}

    def expected(self) -> tuple[int, dict[str, int], int, int]:
        """What converges today: home's total and breakdown by host, the copies' totals."""
        total = sum(self.truth().values())
        return total, by_host(self.truth()), total, total

    def observed(self) -> tuple[int, dict[str, int], int | None, int | None]:
        total, breakdown = counts_of(self.event)
        north, south = (copy_at(m, self.event) for m in (self.north, self.south))
        return total, by_host(breakdown), north and north[0], south and south[0]

    def quiet(self) -> bool:
        """Nothing left to send (home first) nor to process (then the mirrors)."""
        return all(idle(instance) for instance in (self.home, self.north, self.south))

    def settle(self, moment: str) -> None:
        """Wait until every copy agrees and nothing is in flight; note what each shows."""
        wait_until(f"{moment}: every copy agrees", self.observed, self.expected())
        wait_until(f"{moment}: nothing left in flight", self.quiet, True)
        copies = {m.name: copy_at(m, self.event) for m in (self.north, self.south)}
        self.seen.append(Seen(moment, self.truth(), counts_of(self.event), copies))


def tell(story: Story) -> None:
    home, north, south, mastodon = story.home, story.north, story.south, story.mastodon
    campaign = f"{home.url}/campaigns/{SLUG}"
    event, poll, inbox = story.event, f"{campaign}/poll", f"{home.url}/inbox"
    taking_part = story.taking_part = {m.url: set() for m in (home, north, south, mastodon)}

    def people(instance: LiveInstance, *names: str) -> None:
        for name in names:
            email = f"{name}@{instance.name}.test"
            instance.cli("user", "create", "--username", name, "--email", email, "--no-password")

    def organisers() -> None:
        people(home, "hana", "hugo")
        home.cli("association", "create", "--username", "rivers", "--name", "Rivers",
                 "--owner", "hana")  # fmt: skip

    def region(mirror: LiveInstance, *names: str) -> None:
        """A region's people; its instance follows home's instance actor (by its URL)."""
        people(mirror, *names)
        assert mirror.cli("follow", "--as", "instance", f"{home.url}/actor")["state"] == "pending"
        mirror.wait_for(rf"follow of {re.escape(home.url)}/actor accepted")

    def answered(actor: FakeActor, kind: str) -> None:
        received = mastodon.received
        wait_until(f"home sent {actor.username} a {kind}",
                   lambda: kind in {a["type"] for a in received(actor)}, True)  # fmt: skip

    def join(instance: LiveInstance, *names: str) -> None:
        """home's people join with the slug; others with the Event URL, home answers later."""
        campaign, state = (SLUG, "accepted") if instance is home else (event, "requested")
        for name in names:
            asked = instance.cli("join", "--user", name, "--campaign", campaign, "--pledge", "60")
            assert asked["state"] == state, asked
            taking_part[instance.url].add(name)

    at_once(organisers, lambda: region(north, "nina", "noah"), lambda: region(south, "sara"))
    deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    home.cli(
        "campaign", "create", "--association", "rivers", "--slug", SLUG, "--title", "Clean-up",
        "--goal-kind", "participants", "--goal", "50", "--deadline", deadline,
        "--pledge", "60", "--pledge", "120", "--publish",
    )  # fmt: skip
    for mirror in (north, south):
        mirror.wait_for(rf"inbox: Announce processed from {re.escape(home.url)}/actor")
        assert copy_at(mirror, event) == (0, 0)

    # home's people with the command line; north's and south's through their instance
    # (a Join to home, an Accept back).
    at_once(
        lambda: join(home, "hana"), lambda: join(north, "nina", "noah"), lambda: join(south, "sara")
    )
    for mirror in (north, north, south):
        mirror.wait_for(rf"inbox: Accept processed from {re.escape(campaign)}")

    # Mastodon users: a poll vote (confirmed by a direct message), Joins (accepted).
    alice, bob, carol = (mastodon.add_actor(name) for name in ("alice", "bob", "carol"))
    options = [option["name"] for option in get_document(poll)["oneOf"]]
    mastodon.vote(alice, inbox, poll, options[1], to=campaign)
    mastodon.send(bob, inbox, "Join", event, to=[campaign])
    mastodon.send(carol, inbox, "Join", event, to=[campaign])
    taking_part[mastodon.url] |= {"alice", "bob", "carol"}
    answered(alice, "Create")  # the direct message saying what was pledged
    answered(bob, "Accept")
    answered(carol, "Accept")

    # Some leave: one of north's people (a Leave to home), one on Mastodon.
    assert north.cli("leave", "--user", "noah", "--campaign", event)["state"] == "withdrawn"
    taking_part[north.url].discard("noah")
    mastodon.send(carol, inbox, "Leave", event, to=[campaign])
    taking_part[mastodon.url].discard("carol")
    story.settle("everyone in")

    north.stop()  # with nothing in flight

    # While it is down, home's count changes: home's Update reaches south, fails for north...
    join(home, "hugo")
    total = story.expected()[0]
    wait_until("south heard of hugo", lambda: (copy_at(south, event) or (0,))[0], total)
    wait_until(
        "home failed to reach north, its retries held back", lambda: hold_back(home, north), True
    )
    missed = list(deliveries(home, north))
    # ...and one of north's people asks to take part again: a Join waits in north's queue.
    join(north, "noah")

    north.start()  # the same port and database
    north.wait_for(rf"inbox: Accept processed from {re.escape(campaign)}")
    story.settle("north restarted")

    # The Update north missed comes now, after a newer one: north keeps the newer counts.
    assert sorted(deliveries(home, north)) == sorted(missed)  # north caught up without them
    bring_forward(home, missed)
    wait_until("home delivered its retries", lambda: deliveries(home, north), {})
    story.settle("after the late retry")


@pytest.fixture(scope="module")
def story(
    test_databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Story]:
    directory = tmp_path_factory.mktemp("three")
    instances: list[LiveInstance] = []
    with LivePeer().running() as mastodon, ExitStack() as running:
        for name in ("home", "north", "south"):
            database = asyncio.run(test_databases.another(f"three_{name}", directory))
            instances.append(instance := LiveInstance(name, database.url, **TIMING))
            running.callback(instance.stop)  # each is stopped, whatever the others do
            instance.launch()
        try:
            for instance in instances:
                instance.started()
            home, north, south = instances
            told = Story(home, north, south, mastodon, f"{home.url}/campaigns/{SLUG}/event")
            tell(told)
        except BaseException:
            with suppress(Exception):
                running.close()
            for instance in instances:
                print(f"---- {instance.name} ({instance.url}) ----\n{instance.output}")
            raise
        yield told


def test_every_copy_counts_each_participant_once(story: Story) -> None:
    assert [seen.moment for seen in story.seen] == [
        "everyone in", "north restarted", "after the late retry",
    ]  # fmt: skip
    for seen in story.seen:
        total = sum(seen.truth.values())
        assert seen.event[0] == total, seen
        assert by_host(seen.event[1]) == by_host(seen.truth), seen
        assert [copy[0] for copy in seen.copies.values() if copy] == [total, total], seen
    assert story.seen[-1].truth == {
        story.home.url: 2, story.north.url: 2, story.south.url: 1, story.mastodon.url: 2,
    }  # fmt: skip


def test_each_copy_knows_how_many_are_from_there(story: Story) -> None:
    for seen in story.seen:
        assert seen.event[1] == seen.truth, seen
        assert seen.copies == {
            "north": (sum(seen.truth.values()), seen.truth[story.north.url]),
            "south": (sum(seen.truth.values()), seen.truth[story.south.url]),
        }, seen
