import html
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaigns import ENDED_JOB, get_campaign
from fedimob.domain.participation import join
from fedimob.models import (
    Campaign,
    CampaignKind,
    CampaignState,
    CampaignUpdate,
    GoalKind,
    Job,
    JoinMode,
    JoinVia,
    Outcome,
)
from tests.fedimob.factories import make_actor, make_campaign
from tests.web.campaign_builders import NEW, form_moment, valid_form
from tests.web.forms import log_in, make_user, submit
from tests.web.organisers import another_browser, organiser, organisers, post_without_token


async def test_creating_a_campaign_keeps_every_field_as_a_draft(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    form = await client.get(NEW)
    assert form.status_code == 200
    assert 'name="conversion-0-per_unit"' in form.text
    created = await submit(client, NEW, valid_form())
    assert created.status_code == 303
    assert created.headers["location"] == "/dashboard/campaigns/river_cleanup/edit"
    campaign = await get_campaign("river_cleanup")
    assert campaign.association_id == org.ours.id  # type: ignore[attr-defined]
    assert campaign.state == CampaignState.DRAFT
    assert (campaign.title, campaign.language, campaign.kind) == (
        "River clean-up",
        "fr",
        CampaignKind.PHYSICAL,
    )
    assert campaign.categories == ["environment", "rivers"]
    assert (campaign.latitude, campaign.longitude) == (47.2125, -1.5561)
    assert (campaign.goal_kind, campaign.goal_target) == (GoalKind.IMPACT, 500)
    assert campaign.conversions == [
        {
            "quantity": "CO2 avoided",
            "unit": "kg",
            "per_unit": 0.5,
            "source": "https://example.org/study",
        }
    ]
    assert campaign.pledge_options == [60, 180]
    assert (campaign.capacity, campaign.join_mode) == (60, JoinMode.APPROVAL)
    assert "<strong>gloves</strong>" in campaign.description_html
    page = await client.get(created.headers["location"])
    assert "The draft is saved" in page.text
    assert 'value="CO2 avoided"' in page.text
    assert "Publish the campaign" in page.text


async def test_preview_renders_sanitised_markdown_without_saving(
    client: httpx.AsyncClient, db: Database
) -> None:
    await organiser(client)
    description = "Hello **world** <script>alert(1)</script> [x](javascript:alert(2))"
    page = await submit(
        client, NEW, valid_form(description=description, summary="<b>Sum</b>", action="preview")
    )
    assert page.status_code == 200
    assert "Preview (not saved yet)" in page.text
    assert "<strong>world</strong>" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert 'href="javascript' not in page.text
    assert "&lt;b&gt;Sum&lt;/b&gt;" in page.text
    assert 'value="River clean-up"' in page.text  # the form is still filled in
    assert not await Campaign.exists(slug="river_cleanup")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the campaign a title"),
        ({"title": "t" * 201}, "title", "Give the campaign a title"),
        ({"slug": "No Spaces!"}, "slug", "Choose a short name"),
        ({"slug": "admin"}, "slug", "Choose a short name"),
        ({"summary": "s" * 501}, "summary", "The summary is too long"),
        ({"description": "d" * 50_001}, "description", "The description is too long"),
        ({"categories": ",".join(f"c{n}" for n in range(11))}, "categories", "at most 10"),
        ({"language": "not a language"}, "language", "Enter a language code"),
        ({"kind": "telepathic"}, "kind", "Choose a digital or a physical action"),
        ({"address": ""}, "address", "A physical action needs an address"),
        ({"longitude": ""}, "latitude", "Give both latitude"),
        ({"latitude": "91"}, "latitude", "Give both latitude"),
        ({"longitude": "east"}, "longitude", "Give both latitude"),
        ({"starts_at": ""}, "starts_at", "A physical action needs the date and time"),
        ({"starts_at": "tomorrow"}, "starts_at", "A physical action needs the date and time"),
        ({"ends_at": form_moment(timedelta(days=19))}, "ends_at", "The end must be"),
        (
            {"kind": "digital", "instructions_url": "javascript:alert(1)"},
            "instructions_url",
            "Enter a web address",
        ),
        ({"goal_kind": "money"}, "goal_kind", "Choose what the goal counts"),
        ({"goal_target": "0"}, "goal_target", "The goal must be a whole number"),
        ({"goal_target": "lots"}, "goal_target", "The goal must be a whole number"),
        ({"goal_target": "9" * 5000}, "goal_target", "The goal must be a whole number"),
        ({"impact_unit": ""}, "impact_unit", "An impact goal needs its unit"),
        ({"conversion-0-per_unit": "-1"}, "conversions", "Each conversion needs"),
        ({"conversion-0-per_unit": "nan"}, "conversions", "Each conversion needs"),
        ({"conversion-0-per_unit": "1e308"}, "conversions", "Each conversion needs"),
        ({"conversion-0-unit": ""}, "conversions", "Each conversion needs"),
        ({"pledge_options": "0"}, "pledge_options", "Give 1 to 10 durations"),
        ({"pledge_options": "an hour"}, "pledge_options", "Give 1 to 10 durations"),
        ({"goal_kind": "participants", "goal_target": "80"}, "capacity", "The capacity must"),
        ({"capacity": "-3"}, "capacity", "The capacity must"),
        ({"join_mode": "lottery"}, "join_mode", "Choose how people join"),
        ({"deadline": form_moment(-timedelta(hours=1))}, "deadline", "The deadline must be"),
        ({"deadline": ""}, "deadline", "The deadline must be"),
        ({"deadline": form_moment(timedelta(days=6 * 366))}, "deadline", "The deadline must be"),
    ],
)
async def test_each_refusal_is_shown_next_to_its_field_and_keeps_the_form(
    client: httpx.AsyncClient,
    db: Database,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    await organiser(client)
    page = await submit(client, NEW, valid_form(**changes))
    assert page.status_code == 400
    error = page.text[page.text.index(f'id="f-{field}-error"') :]
    assert message in error[: error.index("</p>")]
    kept = "Quai de la Fosse, Nantes" if "summary" in changes else "Pick up litter along the"
    assert kept in page.text  # what was typed is kept
    for name, value in changes.items():
        if 0 < len(value) < 100 and name not in {"kind", "goal_kind", "join_mode"}:
            assert html.escape(value) in page.text
    assert not await Campaign.exists(slug="river_cleanup")


async def test_a_taken_short_name_is_refused_next_to_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    await organiser(client)
    assert (await submit(client, NEW, valid_form())).status_code == 303
    again = await submit(client, NEW, valid_form())
    assert again.status_code == 400
    assert 'id="f-slug-error">This short name is already taken.' in again.text


async def test_a_form_too_large_is_refused_cleanly(client: httpx.AsyncClient, db: Database) -> None:
    await organiser(client)
    huge = await submit(client, NEW, valid_form(description="x" * (2 * 1024 * 1024)))
    assert huge.status_code == 413
    assert "The form is too large" in huge.text


async def test_new_needs_a_login_and_membership(client: httpx.AsyncClient, db: Database) -> None:
    assert (await client.get(NEW)).headers["location"].startswith("/login?next=")
    await organisers(client)
    async with another_browser(client) as volunteer_browser:
        await make_user("vera")
        await log_in(volunteer_browser, "vera")
        assert (await volunteer_browser.get(NEW)).status_code == 404
        assert (await volunteer_browser.get("/dashboard/campaigns/new")).status_code == 303
    # dana organises another association: she cannot create campaigns for ours.
    async with another_browser(client) as dana:
        await log_in(dana, "dana")
        assert (await dana.get(NEW)).status_code == 404
        posted = await submit(
            dana, NEW, valid_form(), page="/dashboard/campaigns/new?association=autres"
        )
        assert posted.status_code == 404
        assert not await Campaign.exists(slug="river_cleanup")
    # With a single association, the form chooses it.
    assert (await client.get("/dashboard/campaigns/new")).status_code == 200


async def test_a_draft_can_change_everything_but_its_short_name(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    draft = await make_campaign(org.ours, publish=False, pledge_options=[30])
    path = f"/dashboard/campaigns/{draft.slug}/edit"
    page = await client.get(path)
    assert 'name="goal_target"' in page.text
    assert 'name="slug"' not in page.text
    saved = await submit(client, path, valid_form(slug="stolen_name", goal_target="42"))
    assert saved.status_code == 303
    changed = await Campaign.get(id=draft.id)
    assert (changed.slug, changed.goal_target, changed.kind) == (
        draft.slug,
        42,
        CampaignKind.PHYSICAL,
    )
    assert changed.pledge_options == [60, 180]
    assert (await changed.actor).display_name == "River clean-up"
    refused = await submit(client, path, valid_form(goal_target="0"))
    assert refused.status_code == 400
    assert 'id="f-goal_target-error"' in refused.text
    assert (await Campaign.get(id=draft.id)).goal_target == 42


async def test_a_published_campaign_changes_only_its_text_and_deadline(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, title="Old title", goal_target=4)
    path = f"/dashboard/campaigns/{campaign.slug}/edit"
    page = await client.get(path)
    assert 'name="title"' in page.text
    assert 'name="goal_target"' not in page.text
    assert "Fixed since publication" in page.text
    await Job.all().delete()
    form = valid_form(title="New title", description="*Now* with details", goal_target="999")
    form["deadline"] = page.text.split('name="deadline" type="datetime-local" value="')[1][:16]
    saved = await submit(client, path, form)
    assert saved.status_code == 303
    changed = await Campaign.get(id=campaign.id)
    assert (changed.title, changed.goal_target) == ("New title", 4)
    assert changed.deadline == campaign.deadline  # unchanged: not moved by the minute
    assert "<em>Now</em>" in changed.description_html
    assert await Job.filter(kind="campaign.edited").count() == 1
    assert not await Job.filter(kind="campaign.deadline").exists()
    moved = await submit(client, path, {**form, "deadline": form_moment(timedelta(days=30))})
    assert moved.status_code == 303
    assert await Job.filter(kind="campaign.deadline").count() == 1
    past = await submit(client, path, {**form, "deadline": form_moment(-timedelta(days=1))})
    assert past.status_code == 400
    assert 'id="f-deadline-error"' in past.text


async def test_publishing_a_draft(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    draft = await make_campaign(org.ours, publish=False)
    path = f"/dashboard/campaigns/{draft.slug}/publish"
    published = await submit(client, path, {}, page=f"/dashboard/campaigns/{draft.slug}/edit")
    assert published.status_code == 303
    assert (await Campaign.get(id=draft.id)).state == CampaignState.PUBLISHED
    assert await Job.filter(kind="campaign.published").exists()
    again = await submit(client, path, {}, page=f"/dashboard/campaigns/{draft.slug}/edit")
    assert "Only a draft can be published" in (await client.get(again.headers["location"])).text


async def test_posting_an_update(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    edit = f"/dashboard/campaigns/{campaign.slug}/edit"
    path = f"/dashboard/campaigns/{campaign.slug}/updates"
    posted = await submit(
        client, path, {"update_title": "Gloves", "body": "We have **gloves**."}, page=edit
    )
    assert posted.status_code == 303
    update = await CampaignUpdate.get(campaign_id=campaign.id)
    assert (update.title, update.body_html) == (
        "Gloves",
        "<p>We have <strong>gloves</strong>.</p>\n",
    )
    empty = await submit(client, path, {"update_title": "Nothing", "body": "  "}, page=edit)
    assert empty.status_code == 400
    assert 'id="f-body-error">Write the update' in empty.text
    assert 'value="Nothing"' in empty.text
    long_title = await submit(client, path, {"update_title": "t" * 300, "body": "x"}, page=edit)
    assert 'id="f-update_title-error">The title is too long' in long_title.text
    huge = await submit(client, path, {"body": "x" * 30_000}, page=edit)
    assert huge.status_code == 400
    assert await CampaignUpdate.filter(campaign_id=campaign.id).count() == 1
    draft = await make_campaign(org.ours, publish=False)
    refused = await submit(
        client,
        f"/dashboard/campaigns/{draft.slug}/updates",
        {"body": "Too early"},
        page=f"/dashboard/campaigns/{draft.slug}/edit",
    )
    assert refused.status_code == 303
    assert (
        "Publish the campaign before posting news"
        in (await client.get(refused.headers["location"])).text
    )


async def test_cancelling_asks_first(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, title="To cancel")
    path = f"/dashboard/campaigns/{campaign.slug}/cancel"
    confirm = await client.get(path)
    assert confirm.status_code == 200
    assert "Cancel the campaign?" in confirm.text
    assert (await Campaign.get(id=campaign.id)).state == CampaignState.PUBLISHED  # GET: nothing
    done = await submit(client, path, {})
    assert done.status_code == 303
    assert done.headers["location"] == "/dashboard"
    assert (await Campaign.get(id=campaign.id)).state == CampaignState.CANCELLED
    assert await Job.filter(kind="campaign.cancelled").exists()
    again = await client.get(path)
    assert again.status_code == 303  # nothing left to cancel


async def test_closing_early_ends_with_the_outcome_reached(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, goal_target=1)
    await join(campaign, await make_actor(), via=JoinVia.WEB)
    path = f"/dashboard/campaigns/{campaign.slug}/close"
    confirm = await client.get(path)
    assert "Close the campaign now?" in confirm.text
    assert "Its outcome would be: succeeded." in confirm.text
    before = utcnow()
    assert (await submit(client, path, {})).status_code == 303
    closed = await Campaign.get(id=campaign.id)
    assert (closed.state, closed.outcome) == (CampaignState.ENDED, Outcome.SUCCEEDED)
    assert before <= closed.deadline <= utcnow()
    assert await Job.filter(kind=ENDED_JOB).count() == 1
    page = await client.get(f"/dashboard/campaigns/{campaign.slug}/edit")
    assert "Post an update" in page.text
    assert 'name="title"' not in page.text
    refused = await submit(client, f"/dashboard/campaigns/{campaign.slug}/edit", valid_form())
    assert refused.status_code == 303
    assert (await Campaign.get(id=campaign.id)).title == campaign.title


ACTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "edit", {}),
    ("POST", "edit", valid_form(title="Hijacked")),
    ("POST", "publish", {}),
    ("POST", "updates", {"body": "Hijacked"}),
    ("GET", "cancel", {}),
    ("POST", "cancel", {}),
    ("GET", "close", {}),
    ("POST", "close", {}),
]


@pytest.mark.parametrize(("method", "action", "data"), ACTIONS)
async def test_another_associations_organiser_can_neither_see_nor_change_our_campaigns(
    client: httpx.AsyncClient, db: Database, method: str, action: str, data: dict[str, Any]
) -> None:
    org = await organisers(client)
    draft = await make_campaign(org.ours, title="Our draft", publish=False)
    running = await make_campaign(org.ours, title="Our campaign")
    mine = await make_campaign(org.theirs)
    async with another_browser(client) as dana:
        await log_in(dana, "dana")
        for campaign in (draft, running):
            path = f"/dashboard/campaigns/{campaign.slug}/{action}"
            if method == "GET":
                response = await dana.get(path)
            else:
                own_page = f"/dashboard/campaigns/{mine.slug}/edit"
                response = await submit(dana, path, data, page=own_page)
            assert response.status_code == 404
            assert "Our draft" not in response.text
            assert "Our campaign" not in response.text
    for campaign in (draft, running):
        after = await Campaign.get(id=campaign.id)
        assert (after.title, after.state) == (campaign.title, campaign.state)
    assert not await CampaignUpdate.exists()


async def test_volunteers_and_visitors_are_kept_out(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    path = f"/dashboard/campaigns/{campaign.slug}/edit"
    async with another_browser(client) as visitor:
        assert (await visitor.get(path)).headers["location"] == f"/login?next={path}"
        await make_user("vera")
        await log_in(visitor, "vera")
        assert (await visitor.get(path)).status_code == 404
        assert (await visitor.get("/dashboard/campaigns/nope/edit")).status_code == 404


@pytest.mark.parametrize("action", ["edit", "publish", "updates", "cancel", "close"])
async def test_forms_without_their_token_are_refused(
    client: httpx.AsyncClient, db: Database, action: str
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, publish=False)
    response = await post_without_token(
        client, f"/dashboard/campaigns/{campaign.slug}/{action}", {"body": "x", "title": "x"}
    )
    assert response.status_code == 403
    assert (await Campaign.get(id=campaign.id)).state == CampaignState.DRAFT
    new = await post_without_token(client, NEW, valid_form())
    assert new.status_code == 403


async def test_the_edit_form_shows_stored_values_in_utc(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    deadline = datetime(2031, 3, 4, 5, 6, tzinfo=UTC)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    draft = await make_campaign(org.ours, publish=False, now=now, deadline=deadline)
    page = await client.get(f"/dashboard/campaigns/{draft.slug}/edit")
    assert 'name="deadline" type="datetime-local" value="2031-03-04T05:06"' in page.text


class _FormFields(HTMLParser):
    """The values a browser would send from the page's campaign form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._inside = False
        self._textarea = ""
        self._select = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._inside = "campaign-form" in found.get("class", "")
        name = found.get("name", "")
        if not self._inside or (not name and tag != "option"):
            return
        kind = found.get("type", "text")
        if tag == "input" and kind not in {"radio", "hidden", "submit"}:
            self.values[name] = found.get("value", "")
        elif tag == "input" and kind == "radio" and "checked" in found:
            self.values[name] = found["value"]
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = ""
        elif tag == "select":
            self._select = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


async def test_saving_a_draft_as_shown_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    await organiser(client)
    form = valid_form(**{"conversion-0-per_unit": "0.0003", "conversion-1-quantity": "water"})
    form.update({"conversion-1-unit": "l", "conversion-1-per_unit": "1234567.891"})
    assert (await submit(client, NEW, form)).status_code == 303
    before = await get_campaign("river_cleanup")
    path = "/dashboard/campaigns/river_cleanup/edit"
    parser = _FormFields()
    parser.feed((await client.get(path)).text)
    shown = {k: v for k, v in parser.values.items() if k not in {"update_title", "body"}}
    assert shown["description"] == form["description"]
    assert (await submit(client, path, {**shown, "action": "save"})).status_code == 303
    after = await get_campaign("river_cleanup")
    for name in ("title", "summary", "description_md", "categories", "language", "kind",
                 "address", "latitude", "longitude", "starts_at", "ends_at", "goal_kind",
                 "goal_target", "impact_unit", "conversions", "pledge_options", "capacity",
                 "join_mode", "deadline"):  # fmt: skip
        assert getattr(after, name) == getattr(before, name), name
    assert [c["per_unit"] for c in after.conversions] == [0.0003, 1234567.891]
