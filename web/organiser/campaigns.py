"""Creating and running a campaign: the form (with a preview), publishing, news posts,
cancelling and closing early.

A draft may change in every field; a published campaign only in its text and
deadline (an edit goes out to the Fediverse as an Update); an ended or
cancelled one is final. Cancelling and closing ask for a confirmation on a
page of their own, so they work without a script.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.campaigns import (
    cancel_campaign,
    create_campaign,
    edit_campaign,
    post_update,
    publish_campaign,
)
from fedimob.domain.dashboard import organised_associations
from fedimob.domain.drafts import revise_draft
from fedimob.domain.lifecycle import end_now
from fedimob.domain.progress import outcome_of
from fedimob.domain.text import render_markdown
from fedimob.errors import Conflict, InvalidTransition, NotFound, ValidationError
from fedimob.models import Association, Campaign, CampaignState
from web import i18n
from web.access import login_required, require_user
from web.forms import field
from web.organiser.access import campaign_organisers, not_found, organised_association
from web.organiser.campaign_form import (
    PUBLISHED_FIELDS,
    CampaignValues,
    FormErrors,
    blank_values,
    read_values,
    refusal,
    to_input,
    values_of,
)
from web.sessions import session_of
from web.templating import render

MAX_UPDATE_BODY = 20_000  # as post_update checks; a little more is kept, to be refused
UPDATE_MESSAGES = {
    "title": i18n.N_("The title is too long (200 characters at most)."),
    "body": i18n.N_("Write the update: 1 to 20,000 characters."),
}
OPEN = (CampaignState.DRAFT, CampaignState.PUBLISHED)


def _manage_path(request: Request, campaign: Campaign) -> str:
    return str(request.url_for("dashboard_campaign_edit", slug=campaign.slug).path)


async def _form_page(
    request: Request,
    association: Association,
    values: CampaignValues,
    *,
    campaign: Campaign | None = None,
    errors: dict[str, str] | None = None,
    preview: bool = False,
    update: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    state = campaign.state if campaign else CampaignState.DRAFT
    context: dict[str, Any] = {
        "association": association,
        "campaign": campaign,
        "state": str(campaign.state) if campaign else "new",
        "editable": state in OPEN,  # a published campaign: its PUBLISHED_FIELDS only
        "all_editable": state == CampaignState.DRAFT,
        "values": values,
        "rows": values.rows(),
        "errors": errors or {},
        "update": update or {"values": {}, "errors": {}},
        "preview": None,
    }
    if preview:
        context["preview"] = {
            "title": values.get("title").strip(),
            "summary": values.get("summary").strip(),
            "description_html": render_markdown(values.get("description")),
        }
    return await render(request, "organiser/campaign_form.html", context, status_code=status_code)


async def _chosen_association(request: Request) -> Association | None:
    """The association named in `?association=`, or the visitor's only one."""
    name = request.query_params.get("association", "")
    if not name:
        organised = await organised_associations(require_user(request))
        if len(organised) != 1:
            return None
        return organised[0].association
    try:
        association, _role = await organised_association(request, name)
    except NotFound:
        return None
    return association


@login_required
async def new_campaign(request: Request) -> Response:
    association = await _chosen_association(request)
    if association is None:
        if request.query_params.get("association"):
            return await not_found(request)
        return RedirectResponse(str(request.url_for("dashboard").path), status_code=303)
    if request.method == "GET":
        return await _form_page(request, association, blank_values(i18n.current_locale()))
    form = await request.form()
    values = read_values(form)
    if field(form, "action") == "preview":
        return await _form_page(request, association, values, preview=True)
    try:
        campaign = await create_campaign(association, to_input(values), by=require_user(request))
    except (FormErrors, ValidationError, Conflict) as error:
        errors = error.errors if isinstance(error, FormErrors) else refusal(error)
        return await _form_page(request, association, values, errors=errors, status_code=400)
    session_of(request).flash(
        i18n.gettext("The draft is saved. Publish it when it is ready."), "success"
    )
    return RedirectResponse(_manage_path(request, campaign), status_code=303)


def _published_values(campaign: Campaign, typed: CampaignValues) -> CampaignValues:
    """A published campaign's form: its stored values, with the text and deadline typed."""
    values = values_of(campaign)
    for name in PUBLISHED_FIELDS:
        if name == "description":
            values.description = typed.description
        else:
            values.fields[name] = typed.get(name)
    return values


async def _save(request: Request, campaign: Campaign, values: CampaignValues) -> None:
    by = require_user(request)
    typed = to_input(values, slug=campaign.slug, stored=campaign)
    if campaign.state == CampaignState.DRAFT:
        await revise_draft(campaign, typed, by=by)
        return
    deadline = None if typed.deadline == campaign.deadline else typed.deadline  # None: as it is
    await edit_campaign(
        campaign,
        by=by,
        title=values.get("title"),
        summary=values.get("summary"),
        description=values.get("description"),
        deadline=deadline,
    )


@campaign_organisers
async def edit_campaign_page(request: Request, campaign: Campaign) -> Response:
    association = campaign.association
    if request.method == "GET":
        return await _form_page(request, association, values_of(campaign), campaign=campaign)
    if campaign.state not in OPEN:
        return await _final(request, campaign)
    form = await request.form()
    values = read_values(form)
    if campaign.state == CampaignState.PUBLISHED:
        values = _published_values(campaign, values)
    else:
        values.fields["slug"] = campaign.slug
    if field(form, "action") == "preview":
        return await _form_page(request, association, values, campaign=campaign, preview=True)
    try:
        await _save(request, campaign, values)
    except (FormErrors, ValidationError) as error:
        errors = error.errors if isinstance(error, FormErrors) else refusal(error)
        return await _form_page(
            request, association, values, campaign=campaign, errors=errors, status_code=400
        )
    except InvalidTransition:
        return await _final(request, campaign)
    message = (
        i18n.gettext("The draft is saved.")
        if campaign.state == CampaignState.DRAFT
        else i18n.gettext("The campaign is updated; its followers will see the change.")
    )
    session_of(request).flash(message, "success")
    return RedirectResponse(_manage_path(request, campaign), status_code=303)


async def _final(request: Request, campaign: Campaign) -> Response:
    session_of(request).flash(
        i18n.gettext("This campaign has ended or was cancelled: it can no longer change."),
        "error",
    )
    return RedirectResponse(_manage_path(request, campaign), status_code=303)


@campaign_organisers
async def publish(request: Request, campaign: Campaign) -> Response:
    session = session_of(request)
    try:
        await publish_campaign(campaign, by=require_user(request))
    except ValidationError:
        session.flash(
            i18n.gettext("The deadline has passed: move it to the future, then publish."),
            "error",
        )
    except InvalidTransition:
        session.flash(i18n.gettext("Only a draft can be published."), "error")
    else:
        session.flash(
            i18n.gettext("The campaign is published: anyone can see it and join."), "success"
        )
    return RedirectResponse(_manage_path(request, campaign), status_code=303)


@campaign_organisers
async def post_news(request: Request, campaign: Campaign) -> Response:
    form = await request.form()
    typed = {
        "update_title": field(form, "update_title"),
        "body": field(form, "body", MAX_UPDATE_BODY + 1),
    }
    try:
        await post_update(
            campaign, by=require_user(request), body=typed["body"], title=typed["update_title"]
        )
    except InvalidTransition:  # a draft has no news (nor an update form)
        session_of(request).flash(
            i18n.gettext("Publish the campaign before posting news."), "error"
        )
        return RedirectResponse(_manage_path(request, campaign), status_code=303)
    except ValidationError as error:
        name = error.field or "form"
        message = i18n.gettext(UPDATE_MESSAGES.get(name, UPDATE_MESSAGES["body"]))
        name = "update_title" if name == "title" else name
        return await _form_page(
            request,
            campaign.association,
            values_of(campaign),
            campaign=campaign,
            update={"values": typed, "errors": {name: message}},
            status_code=400,
        )
    session_of(request).flash(i18n.gettext("The update is posted."), "success")
    return RedirectResponse(_manage_path(request, campaign), status_code=303)


async def _confirm(request: Request, campaign: Campaign, what: str, refused: str) -> Response:
    allowed = OPEN if what == "cancel" else (CampaignState.PUBLISHED,)
    if campaign.state not in allowed:
        session_of(request).flash(refused, "error")
        return RedirectResponse(_manage_path(request, campaign), status_code=303)
    return await render(
        request,
        "organiser/confirm.html",
        {
            "campaign": campaign,
            "what": what,
            "outcome": str(outcome_of(campaign)),
            "manage_path": _manage_path(request, campaign),
        },
    )


async def _finish(
    request: Request, campaign: Campaign, what: str, done: str, refused: str
) -> Response:
    session = session_of(request)
    by = require_user(request)
    try:
        if what == "cancel":
            await cancel_campaign(campaign, by=by)
        else:
            await end_now(campaign, by=by)
    except InvalidTransition:
        session.flash(refused, "error")
        return RedirectResponse(_manage_path(request, campaign), status_code=303)
    session.flash(done, "success")
    return RedirectResponse(str(request.url_for("dashboard").path), status_code=303)


@campaign_organisers
async def cancel(request: Request, campaign: Campaign) -> Response:
    refused = i18n.gettext("This campaign has already ended or was cancelled.")
    if request.method == "GET":
        return await _confirm(request, campaign, "cancel", refused)
    done = i18n.gettext("The campaign is cancelled.")
    return await _finish(request, campaign, "cancel", done, refused)


@campaign_organisers
async def close(request: Request, campaign: Campaign) -> Response:
    refused = i18n.gettext("Only a running campaign can be closed.")
    if request.method == "GET":
        return await _confirm(request, campaign, "close", refused)
    done = i18n.gettext("The campaign is closed; its participants will hear the outcome.")
    return await _finish(request, campaign, "close", done, refused)


def routes() -> list[BaseRoute]:
    many = "/dashboard/campaigns"
    one = many + "/{slug:str}"
    both = ["GET", "POST"]
    return [
        Route(f"{many}/new", new_campaign, methods=both, name="dashboard_campaign_new"),
        Route(f"{one}/edit", edit_campaign_page, methods=both, name="dashboard_campaign_edit"),
        Route(f"{one}/publish", publish, methods=["POST"], name="dashboard_campaign_publish"),
        Route(f"{one}/updates", post_news, methods=["POST"], name="dashboard_campaign_updates"),
        Route(f"{one}/cancel", cancel, methods=both, name="dashboard_campaign_cancel"),
        Route(f"{one}/close", close, methods=both, name="dashboard_campaign_close"),
    ]
