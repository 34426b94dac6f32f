"""/admin/regions: following another instance from the page, through a job and the worker."""

import httpx
import pytest

from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from fedimob.db import Database
from fedimob.domain.actors import instance_actor
from fedimob.federation.hosts import block
from fedimob.federation.region_follows import FOLLOW_JOB
from fedimob.federation.remote_actors import store_remote_actor
from fedimob.jobs.worker import Worker
from fedimob.models import Follow, FollowState, Job, JobState
from tests.fedimob.federation.conftest import new_id, post
from tests.web.admins import log_in_admin
from tests.web.forms import submit

OUR_ACTOR = "https://fedimob.test/actor"


@pytest.fixture
def region(fediverse: FakeFediverse) -> FakePeer:
    return fediverse.add_peer("region.example", software="fedimob", verify_signatures=True)


@pytest.fixture
def region_actor(region: FakePeer) -> FakeActor:
    return region.add_actor("instance", actor_type="Application")


async def test_following_an_instance_by_domain_goes_through_the_worker(
    client: httpx.AsyncClient,
    worker: Worker,
    db: Database,
    region: FakePeer,
    region_actor: FakeActor,
) -> None:
    await log_in_admin(client)
    response = await submit(client, "/admin/regions", {"target": "Region.Example"})
    assert response.status_code == 303
    page = await client.get("/admin/regions")
    assert "Following region.example is requested" in page.text
    assert "<code>region.example</code>" in page.text
    assert "pending" in page.text
    [job] = await Job.filter(kind=FOLLOW_JOB)
    assert job.payload["target"] == "region.example"
    assert not region.deliveries  # nothing sent from the request itself

    await worker.run_once()
    [follow] = [d for d in region.accepted if d.activity["type"] == "Follow"]
    assert follow.activity["actor"] == OUR_ACTOR
    assert follow.activity["object"] == region_actor.id
    assert follow.signer is not None
    assert follow.signer.owner == OUR_ACTOR
    page = await client.get("/admin/regions")
    assert "(looking it up)" not in page.text
    assert "@instance@region.example" in page.text
    row = await Follow.get()
    assert row.state == FollowState.PENDING

    accept = {"id": new_id(region_actor), "type": "Accept", "actor": region_actor.id,
              "object": follow.activity}  # fmt: skip
    assert (await post(client, "/inbox", accept, region_actor)).status_code == 202
    await worker.run_once()
    assert (await Follow.get()).state == FollowState.ACCEPTED
    assert "accepted" in (await client.get("/admin/regions")).text

    response = await submit(
        client, "/admin/regions/unfollow", {"follow_id": str(row.id)}, page="/admin/regions"
    )
    assert response.status_code == 303
    page = await client.get("/admin/regions")
    assert f"{region_actor.id} is no longer followed." in page.text
    assert not await Follow.exists()
    await worker.run_once()
    undo = region.accepted[-1].activity
    assert (undo["type"], undo["object"]["type"]) == ("Undo", "Follow")


async def test_following_by_handle_or_actor_address(
    client: httpx.AsyncClient, worker: Worker, db: Database, region: FakePeer
) -> None:
    amis = region.add_actor("amis")
    rivers = region.add_actor("rivers")
    await log_in_admin(client)
    for target in ("@amis@region.example", rivers.id):
        assert (await submit(client, "/admin/regions", {"target": target})).status_code == 303
    await worker.run_once()
    followed = {d.activity["object"] for d in region.accepted if d.activity["type"] == "Follow"}
    assert followed == {amis.id, rivers.id}
    assert await Follow.all().count() == 2


async def test_asking_twice_queues_one_job(
    client: httpx.AsyncClient, db: Database, region_actor: FakeActor
) -> None:
    await log_in_admin(client)
    for target in ("region.example", "https://region.example/", "region.example"):
        assert (await submit(client, "/admin/regions", {"target": target})).status_code == 303
    assert await Job.filter(kind=FOLLOW_JOB).count() == 1


async def test_a_server_that_cannot_be_followed_shows_as_failed_and_can_be_forgotten(
    client: httpx.AsyncClient, worker: Worker, db: Database, region: FakePeer
) -> None:
    await log_in_admin(client)  # region.example advertises no instance actor
    await submit(client, "/admin/regions", {"target": "region.example"})
    await worker.run_once()
    job = await Job.get(kind=FOLLOW_JOB)
    assert job.state == JobState.FAILED
    page = await client.get("/admin/regions")
    assert "failed" in page.text
    assert "advertises no instance actor" in page.text
    response = await submit(
        client, "/admin/regions/cancel", {"request_id": str(job.id)}, page="/admin/regions"
    )
    assert response.status_code == 303
    assert "The follow request is cancelled." in (await client.get("/admin/regions")).text
    assert not await Job.exists()


async def test_a_pending_request_can_be_cancelled_before_it_runs(
    client: httpx.AsyncClient, worker: Worker, db: Database, region: FakePeer
) -> None:
    await log_in_admin(client)
    await submit(client, "/admin/regions", {"target": "region.example"})
    job = await Job.get(kind=FOLLOW_JOB)
    await submit(
        client, "/admin/regions/cancel", {"request_id": str(job.id)}, page="/admin/regions"
    )
    await worker.run_once()
    assert not region.deliveries
    for bad in ("", "x", str(job.id), "99999999999999999999"):
        await submit(client, "/admin/regions/cancel", {"request_id": bad}, page="/admin/regions")
        assert "already being processed, or gone" in (await client.get("/admin/regions")).text


async def test_instances_following_us_are_listed(
    client: httpx.AsyncClient, db: Database, region_actor: FakeActor
) -> None:
    follower = await store_remote_actor(region_actor.document())
    await Follow.create(
        follower=follower, followed=await instance_actor(), state=FollowState.ACCEPTED
    )
    await log_in_admin(client)
    page = await client.get("/admin/regions")
    followers = page.text.split("Instances following us", 1)[1]
    assert "@instance@region.example" in followers


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "Enter what to follow"),
        ("  ", "Enter what to follow"),
        ("not a domain", "This is not a domain"),
        ("region.example/some/path", "This is not a domain"),
        ("ftp://region.example/", "This is not a domain"),
        ("http://region.example/users/amis", "This is not a domain"),  # https only
        ("@nobody", "This is not a domain"),
        ("t" * 10_000, "This is not a domain"),
        ("https://" + "a" * 5000 + ".example/", "This is not a domain"),
        ("fedimob.test", "This is our own instance."),
        ("https://fedimob.test/users/margot", "This is our own instance."),
        ("@margot@fedimob.test", "This is our own instance."),
        ("blocked.example", "This domain is blocked"),
        ("https://sub.blocked.example/actor", "This domain is blocked"),
    ],
)
async def test_bad_targets_are_explained_and_queue_nothing(
    client: httpx.AsyncClient, db: Database, target: str, message: str
) -> None:
    await block("blocked.example")
    await log_in_admin(client)
    response = await submit(client, "/admin/regions", {"target": target})
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert not await Job.exists()


async def test_unfollowing_what_we_do_not_follow_says_so(
    client: httpx.AsyncClient, db: Database
) -> None:
    await log_in_admin(client)
    for bad in ("", "abc", "12345"):
        response = await submit(
            client, "/admin/regions/unfollow", {"follow_id": bad}, page="/admin/regions"
        )
        assert response.status_code == 303
        assert "This instance was not followed." in (await client.get("/admin/regions")).text
