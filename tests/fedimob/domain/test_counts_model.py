"""Random sequences of joins, leaves, pledge changes and decisions, checked against a model.

After every step the stored counters must equal both a plain in-memory model
and a recount from the rows, and never go negative.
"""

import random

import pytest

from fedimob.db import Database
from fedimob.domain.participation import decide, join, leave
from fedimob.domain.tally import recount, tally_of_campaign
from fedimob.errors import InvalidTransition, JoinRefused, NotFound
from fedimob.models import Campaign, JoinMode, JoinVia, Participation
from tests.fedimob.factories import make_actor, make_campaign


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_counters_follow_the_rows_through_random_histories(db: Database, seed: int) -> None:
    rng = random.Random(seed)
    mode = JoinMode.APPROVAL if seed == 3 else JoinMode.FREE
    campaign = await make_campaign(goal_target=6, capacity=8, join_mode=mode)
    actors = [await make_actor() for _ in range(12)]
    model: dict[int, tuple[str, int]] = {}  # actor id -> (state, pledge)
    for _ in range(120):
        actor = rng.choice(actors)
        action = rng.choice(["join", "join", "leave", "decide"])
        state, pledge = model.get(actor.id, ("none", 0))
        try:
            if action == "join":
                minutes = rng.choice([60, 240])
                await join(campaign, actor, via=JoinVia.WEB, pledge_minutes=minutes)
                accepted = sum(1 for s, _ in model.values() if s == "accepted")
                new_state = (
                    state
                    if state in {"accepted", "requested"}
                    else ("requested" if mode == JoinMode.APPROVAL else "accepted")
                )
                assert state != "rejected"
                assert not (state in {"none", "withdrawn"} and accepted >= 8)
                model[actor.id] = (new_state, minutes)
            elif action == "leave":
                await leave(campaign, actor)
                if state in {"accepted", "requested"}:
                    model[actor.id] = ("withdrawn", pledge)
            else:
                row = await Participation.get_or_none(
                    campaign_id=campaign.id, participant_id=actor.id
                )
                if row is None:
                    continue
                accept = rng.random() < 0.7
                await decide(row, accept=accept, by=None)
                if state == "requested":
                    model[actor.id] = ("accepted" if accept else "rejected", pledge)
        except (JoinRefused, NotFound, InvalidTransition):
            pass
        stored = await Campaign.get(id=campaign.id)
        expected_people = sum(1 for s, _ in model.values() if s == "accepted")
        expected_minutes = sum(p for s, p in model.values() if s == "accepted")
        assert stored.participants_count == expected_people >= 0
        assert stored.pledged_minutes == expected_minutes >= 0
        assert stored.requested_count == sum(1 for s, _ in model.values() if s == "requested")
        assert tally_of_campaign(stored) == await recount(campaign.id)
        assert stored.participants_count <= 8
