"""A campaign's participants for its organisers: the list, approving requests,
validating reported contributions, and a CSV export.

The export is safe to open in a spreadsheet: a cell that would start with
`= + - @` (or a tab or carriage return) is prefixed with a quote, so no name
or message typed by a participant can become a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from fedimob.domain.participant_lists import (
    ParticipantRow,
    all_participants,
    counts_by_state,
    list_participants,
    participation_in,
)
from fedimob.domain.participation import decide, validate_contribution
from fedimob.errors import InvalidTransition, JoinRefused, NotFound
from fedimob.models import Campaign, JoinVia, ParticipationState
from web import i18n
from web.access import require_user
from web.forms import field
from web.organiser.access import campaign_organisers, not_found
from web.sessions import session_of
from web.templating import render

VIA_LABELS = {
    JoinVia.WEB: i18n.N_("this site"),
    JoinVia.CLI: i18n.N_("command line"),
    JoinVia.DEMO: i18n.N_("demo data"),
    JoinVia.JOIN_ACTIVITY: i18n.N_("Join from the Fediverse"),
    JoinVia.POLL_VOTE: i18n.N_("poll vote (Mastodon...)"),
    JoinVia.MENTION: i18n.N_("mention"),
    JoinVia.ACCEPT_EVENT: i18n.N_("event reply (Mobilizon...)"),
}
CSV_COLUMNS = (
    "name", "handle", "instance", "state", "pledge_minutes", "joined_via", "joined_at",
    "reported_minutes", "reported_impact", "validated", "listed", "message",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_PAGE = 1_000_000


def _state(value: str | None) -> ParticipationState | None:
    try:
        return ParticipationState(value) if value else None
    except ValueError:
        return None


def _page(value: str | None) -> int:
    # isascii: '²'.isdigit() is true, and int('²') fails.
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 8 else 1


def _list_path(request: Request, campaign: Campaign, state: str, page: int) -> str:
    path = str(request.url_for("dashboard_participants", slug=campaign.slug).path)
    query: dict[str, str | int] = {"state": state} if state else {}
    if page > 1:
        query["page"] = page
    return f"{path}?{urlencode(query)}" if query else path


@campaign_organisers
async def participants_page(request: Request, campaign: Campaign) -> Response:
    state = _state(request.query_params.get("state"))
    page = await list_participants(
        campaign.id, state=state, page=_page(request.query_params.get("page"))
    )
    return await render(
        request,
        "organiser/participants.html",
        {
            "campaign": campaign,
            "page": page,
            "state": str(state) if state else "",
            "states": list(ParticipationState),
            "counts": await counts_by_state(campaign.id),
            "via_labels": {str(via): i18n.gettext(label) for via, label in VIA_LABELS.items()},
            "local_domain": request.app.state.settings.domain,
            "list_path": _list_path(request, campaign, "", 0),
        },
    )


async def _back(request: Request, campaign: Campaign) -> Response:
    form = await request.form()
    state = _state(field(form, "state"))
    path = _list_path(request, campaign, str(state) if state else "", _page(field(form, "page")))
    return RedirectResponse(path, status_code=303)


@campaign_organisers
async def decide_participation(request: Request, campaign: Campaign) -> Response:
    form = await request.form()
    decision = field(form, "decision")
    session = session_of(request)
    try:
        if decision not in {"accept", "reject"}:
            raise NotFound("no such decision")
        participation = await participation_in(campaign.id, request.path_params["pid"])
        await decide(participation, accept=decision == "accept", by=require_user(request))
    except NotFound:
        return await not_found(request)
    except JoinRefused as refused:
        message = (
            i18n.gettext("The campaign is full: this request cannot be accepted.")
            if refused.reason == "full"
            else i18n.gettext("The campaign is not open: this request cannot be accepted.")
        )
        session.flash(message, "error")
    except InvalidTransition:
        session.flash(i18n.gettext("This participation was already decided."), "error")
    else:
        session.flash(
            i18n.gettext("Request accepted.")
            if decision == "accept"
            else i18n.gettext("Request declined."),
            "success",
        )
    return await _back(request, campaign)


@campaign_organisers
async def validate_report(request: Request, campaign: Campaign) -> Response:
    session = session_of(request)
    try:
        participation = await participation_in(campaign.id, request.path_params["pid"])
        await validate_contribution(participation, by=require_user(request))
    except NotFound:
        return await not_found(request)
    except InvalidTransition:
        session.flash(i18n.gettext("Nothing was reported yet."), "error")
    else:
        session.flash(i18n.gettext("Contribution validated."), "success")
    return await _back(request, campaign)


def safe_cell(value: object) -> str:
    """A cell's text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_line(cells: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def _csv_cells(row: ParticipantRow, local_domain: str) -> tuple[object, ...]:
    return (
        row.display_name or row.username,
        row.handle(local_domain),
        row.domain or local_domain,
        row.state,
        row.pledge_minutes,
        row.via,
        row.joined_at.isoformat(),
        row.reported_minutes,
        row.reported_impact,
        "yes" if row.validated else "no",
        "yes" if row.listed else "no",
        row.message,
    )


@campaign_organisers
async def participants_csv(request: Request, campaign: Campaign) -> Response:
    local_domain = request.app.state.settings.domain

    async def lines() -> AsyncIterator[str]:
        yield "\ufeff" + _csv_line(CSV_COLUMNS)  # the BOM tells spreadsheets it is UTF-8
        async for row in all_participants(campaign.id):
            yield _csv_line(_csv_cells(row, local_domain))

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{campaign.slug}-participants.csv"',
            "cache-control": "no-store",
        },
    )


def routes() -> list[BaseRoute]:
    base = "/dashboard/campaigns/{slug:str}/participants"
    return [
        Route(base, participants_page, name="dashboard_participants"),
        Route(base + ".csv", participants_csv, name="dashboard_participants_csv"),
        Route(
            base + "/{pid:int}/decide",
            decide_participation,
            methods=["POST"],
            name="dashboard_participant_decide",
        ),
        Route(
            base + "/{pid:int}/validate",
            validate_report,
            methods=["POST"],
            name="dashboard_participant_validate",
        ),
    ]
