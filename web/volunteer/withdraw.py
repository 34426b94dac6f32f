"""Withdrawing by the signed link a remote participant got in their confirmation message.

`GET /withdraw/{id}/{token}` shows the campaign and the pledge with a
"Withdraw" button; the POST (same path, CSRF-checked like every form)
withdraws and confirms. No login: the link is the proof. A wrong or tampered
token is a 404, indistinguishable from a participation that does not exist.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.withdrawal import participation_for, withdraw_by_link
from fedimob.errors import InvalidTransition, NotFound
from fedimob.models import CampaignState, Participation, ParticipationState
from web import i18n
from web.templating import render

MAX_ID = 2**63 - 1  # the ids are BIGINT: a larger number names nothing
ACTIVE = (ParticipationState.ACCEPTED, ParticipationState.REQUESTED)


async def _named(request: Request) -> Participation:
    number: int = request.path_params["id"]
    token: str = request.path_params["token"]
    if not 0 < number <= MAX_ID or len(token) > 64:
        raise HTTPException(404, "No such link")
    try:
        return await participation_for(request.app.state.settings.secret_key, number, token)
    except NotFound:
        raise HTTPException(404, "No such link") from None


def _who(row: Participation) -> str:
    person = row.participant
    return f"@{person.username}@{person.domain}" if person.domain else f"@{person.username}"


async def _page(
    request: Request,
    row: Participation,
    *,
    done: bool = False,
    error: str = "",
    status_code: int = 200,
) -> Response:
    campaign = row.campaign
    running = campaign.state == CampaignState.PUBLISHED
    return await render(
        request,
        "volunteer/withdraw.html",
        {
            "campaign": campaign,
            "action": f"/withdraw/{row.id}/{request.path_params['token']}",
            "who": _who(row),
            "pledge_minutes": row.pledge_minutes,
            "state": str(row.state),
            "can_withdraw": row.state in ACTIVE and running and not done,
            "over": not running,
            "done": done,
            "error": error,
        },
        status_code=status_code,
    )


async def withdraw_link(request: Request) -> Response:
    row = await _named(request)
    if request.method == "GET":
        return await _page(request, row)
    settings = request.app.state.settings
    try:
        change = await withdraw_by_link(settings.secret_key, row.id, request.path_params["token"])
    except InvalidTransition:
        error = i18n.gettext("This campaign is over: its count is final, you cannot withdraw.")
        return await _page(request, row, error=error, status_code=409)
    except NotFound:
        raise HTTPException(404, "No such link") from None
    row = await _named(request)  # as it is now
    return await _page(request, row, done=change.changed)


def routes() -> list[BaseRoute]:
    return [
        Route("/withdraw/{id:int}/{token:str}", withdraw_link, methods=["GET", "POST"],
              name="withdraw_link"),
    ]  # fmt: skip
