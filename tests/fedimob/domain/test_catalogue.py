"""The catalogue behind discover: "newest" interleaves ours and remote copies by publication,
on every page; search folds case and accents and follows every edit of a campaign."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaign_input import CampaignInput
from fedimob.domain.campaigns import edit_campaign, publish_campaign
from fedimob.domain.catalogue import PER_PAGE, browse, catalogue_query
from fedimob.domain.drafts import revise_draft
from fedimob.models import Campaign, CampaignKind, GoalKind
from tests.fedimob.factories import make_association, make_campaign
from tests.web.campaign_builders import fast_keys, remote_campaign


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_keys(monkeypatch)


async def titles(**query: str) -> list[str]:
    page = await browse(catalogue_query(**query))
    return [card.title for card in page.cards]


async def test_newest_interleaves_ours_and_remote_ones_by_publication(db: Database) -> None:
    now = utcnow()
    # Ours published 1, 3, 5... hours ago; theirs 2, 4, 6... hours ago, all fetched now, and
    # with deadlines in the opposite order, so neither fetch time nor deadline gives this order.
    expected = []
    for hours in range(1, 2 * PER_PAGE + 4):
        title = f"{hours:02} hours ago"
        published = now - timedelta(hours=hours)
        deadline = now + timedelta(days=40 - hours)
        if hours % 2:
            await make_campaign(title=title, now=published, deadline=deadline)
        else:
            await remote_campaign(title=title, published_at=published, fetched_at=now,
                                  deadline=deadline)  # fmt: skip
        expected.append(title)

    first = await browse(catalogue_query(order="newest"))
    second = await browse(catalogue_query(order="newest", page="2"))
    third = await browse(catalogue_query(order="newest", page="3"))
    assert [c.title for c in first.cards] == expected[:PER_PAGE]
    assert [c.title for c in second.cards] == expected[PER_PAGE : 2 * PER_PAGE]
    assert [c.title for c in third.cards] == expected[2 * PER_PAGE :]
    assert (first.has_next, second.has_next, third.has_next) == (True, True, False)
    assert [c.remote for c in first.cards[:4]] == [False, True, False, True]
    # "ending" still orders by deadline, both tables alike: the oldest published first here.
    assert (await titles(order="ending"))[:3] == expected[::-1][:3]


async def test_newest_with_a_search_interleaves_only_what_matches(db: Database) -> None:
    now = utcnow()
    await make_campaign(title="Étang, ours, old", now=now - timedelta(days=3))
    await remote_campaign(title="ETANG, theirs, new", published_at=now - timedelta(hours=1))
    await remote_campaign(title="Elsewhere", published_at=now - timedelta(minutes=1))
    await make_campaign(title="etang, ours, newer", now=now - timedelta(days=1))
    assert await titles(text="étang", order="newest") == [
        "ETANG, theirs, new",
        "etang, ours, newer",
        "Étang, ours, old",
    ]


async def test_filters_on_what_copies_do_not_know_list_ours_only(db: Database) -> None:
    await make_campaign(title="Mare digitale", kind=CampaignKind.DIGITAL, categories=["mare"])
    await remote_campaign(title="Mare distante")
    assert sorted(await titles(text="mare")) == ["Mare digitale", "Mare distante"]
    assert await titles(text="mare", kind="digital") == ["Mare digitale"]
    assert await titles(text="mare", category="mare", order="newest") == ["Mare digitale"]


async def test_search_follows_an_edit_of_a_running_campaign(db: Database) -> None:
    campaign = await make_campaign(title="Nettoyage")
    assert await titles(text="nettoyage") == ["Nettoyage"]
    await edit_campaign(campaign, title="Grand ménage", summary="À l'École")
    assert await titles(text="nettoyage") == []
    assert await titles(text="menage") == ["Grand ménage"]
    assert await titles(text="ecole") == ["Grand ménage"]
    stored = await Campaign.get(id=campaign.id)
    assert stored.search_text.startswith("grand menage\na l'ecole\n")


async def test_search_follows_a_revised_draft_once_published(db: Database) -> None:
    now = utcnow()
    association = await make_association()
    draft = await make_campaign(association, title="Brouillon", publish=False)
    revised = CampaignInput(
        slug=draft.slug,
        title="Haies du bocage",
        summary="",
        goal_kind=GoalKind.PARTICIPANTS,
        goal_target=5,
        deadline=now + timedelta(days=10),
        kind=CampaignKind.PHYSICAL,
        address="Ferme de l'Aubépine, Clisson",
        starts_at=now + timedelta(days=12),
        pledge_options=[60],
        categories=["Nature"],
    )
    await revise_draft(draft, revised, by=None)
    assert await titles(text="aubepine") == []  # a draft is nobody's business yet
    await publish_campaign(draft)
    assert await titles(text="aubepine") == ["Haies du bocage"]
    assert await titles(text="brouillon") == []
    assert await titles(text="NATURE clisson") == ["Haies du bocage"]
