"""Joining, withdrawing and reporting what one did, on a campaign of this instance.

The join box (`campaign/_actions.html`) posts here. Every answer is a page:
success goes back to the campaign page with a message; a refusal (full,
ended, cancelled, declined) or a form that does not check out shows the box
again on `/campaigns/{slug}/join` with the reason, never a 500.

The campaign page gives the box its data with `campaign_actions()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from babel.numbers import NumberFormatError, parse_decimal
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.clock import utcnow
from fedimob.domain.campaigns import get_campaign
from fedimob.domain.my_participations import participation_in
from fedimob.domain.participation import (
    MAX_REPORTED_MINUTES,
    join,
    leave,
    report_contribution,
)
from fedimob.domain.summaries import campaign_summary
from fedimob.errors import InvalidTransition, JoinRefused, NotFound, ValidationError
from fedimob.models import Account, Actor, Campaign, CampaignState, JoinVia, ParticipationState
from web import i18n
from web.access import current_user
from web.forms import field
from web.sessions import session_of
from web.templating import render

HANDLE_KEY = "fediverse_handle"  # the last Fediverse address typed, offered again
DEFAULT_PLEDGE = 60  # what the participation service pledges when a campaign offers none

REFUSALS = {
    "full": i18n.N_("This campaign is full: every place is taken."),
    "ended": i18n.N_("This campaign has ended: joining is closed."),
    "cancelled": i18n.N_("This campaign was cancelled."),
    "rejected": i18n.N_(
        "The organisers declined your participation in this campaign, so you cannot join again."
    ),
    "not_published": i18n.N_("This campaign is not open yet."),
}


async def public_campaign(slug: str) -> Campaign:
    """A published, ended or cancelled campaign; 404 for drafts and unknown names."""
    try:
        campaign = await get_campaign(slug)
    except NotFound:
        raise HTTPException(404, "No such campaign") from None
    if campaign.state == CampaignState.DRAFT:
        raise HTTPException(404, "No such campaign")
    return campaign


def joining_open(campaign: Campaign) -> bool:
    return campaign.state == CampaignState.PUBLISHED and campaign.deadline > utcnow()


def pledge_choices(campaign: Campaign) -> list[int]:
    return list(campaign.pledge_options) or [DEFAULT_PLEDGE]


def chosen_pledge(text: str, choices: Sequence[int]) -> int | None:
    """The pledge a form chose among `choices` (plain digits only), else None."""
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value) if int(value) in choices else None


def login_first(back: str) -> Response:
    """A visitor who must log in first, then come back to `back` (a path of ours)."""
    return RedirectResponse(f"/login?next={quote(back, safe='/')}", status_code=303)


async def campaign_actions(request: Request, campaign: Campaign) -> dict[str, Any]:
    """The join box's data, to merge into the campaign page's context.

    `mine`: the visitor's participation (`MyParticipation`) or None;
    `joining_open`: the campaign takes participants now (published, before its deadline);
    `pledges`: the pledge options in minutes; `fediverse_handle`: the last address typed.
    """
    account = await current_user(request)
    return {
        "mine": await participation_in(campaign, account) if account is not None else None,
        "joining_open": joining_open(campaign),
        "pledges": pledge_choices(campaign),
        "fediverse_handle": session_of(request).get(HANDLE_KEY) or "",
    }


async def box_page(
    request: Request, campaign: Campaign, *, error: str = "", status_code: int = 200
) -> Response:
    """The campaign's join box on a page of its own, with the reason of a refusal."""
    context = {
        "c": await campaign_summary(campaign, request.app.state.settings),
        "box_error": error,
        **await campaign_actions(request, campaign),
    }
    return await render(request, "volunteer/join.html", context, status_code=status_code)


def _back_to(campaign: Campaign) -> Response:
    return RedirectResponse(f"/campaigns/{campaign.slug}#join", status_code=303)


def _whole(text: str, maximum: int) -> int | None:
    """A whole number from 0 to `maximum` typed in a field; None when left empty."""
    value = text.strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 9 or int(value) > maximum:
        raise ValidationError("not a whole number in range", field="minutes")
    return int(value)


def _amount(text: str) -> Decimal | None:
    """An amount as a browser sends it (`1200.5`) or as a person types it (`1,200`, `1 200,5`)."""
    value = text.strip()
    if not value:
        return None
    if len(value) > 40:
        raise ValidationError("the impact must be a number", field="impact")
    try:
        return Decimal(value)
    except InvalidOperation:
        pass
    try:
        return parse_decimal(value, locale=i18n.current_locale(), strict=False)
    except NumberFormatError:
        raise ValidationError("the impact must be a number", field="impact") from None


def _reported_minutes(form: FormData) -> int | None:
    hours = _whole(field(form, "hours"), MAX_REPORTED_MINUTES // 60)
    minutes = _whole(field(form, "minutes"), 59)
    if hours is None and minutes is None:
        return None
    return (hours or 0) * 60 + (minutes or 0)


async def _actor_of(account: Account) -> Actor:
    actor: Actor = await account.actor
    return actor


async def join_campaign(request: Request) -> Response:
    """GET: the join box alone (where a refused form, or a login, comes back to). POST: join."""
    campaign = await public_campaign(request.path_params["slug"])
    if request.method == "GET":
        return await box_page(request, campaign)
    account = await current_user(request)
    if account is None:
        return login_first(f"/campaigns/{campaign.slug}/join")
    form = await request.form()
    pledge = chosen_pledge(field(form, "pledge"), pledge_choices(campaign))
    if pledge is None:
        error = i18n.gettext("Choose one of the pledges offered.")
        return await box_page(request, campaign, error=error, status_code=400)
    try:
        change = await join(
            campaign,
            await _actor_of(account),
            via=JoinVia.WEB,
            pledge_minutes=pledge,
            listed=field(form, "listed") == "1",
            message=field(form, "message").strip(),
        )
    except JoinRefused as refused:
        text = REFUSALS.get(refused.reason)
        error = i18n.gettext(text) if text else str(refused)
        return await box_page(request, campaign, error=error, status_code=409)
    except ValidationError:
        error = i18n.gettext("Your message is too long (2,000 characters at most).")
        return await box_page(request, campaign, error=error, status_code=400)
    row = change.participation
    session = session_of(request)
    if not change.changed:
        session.flash(i18n.gettext("Nothing changed: you were already in with this pledge."))
    elif row.state == ParticipationState.REQUESTED:
        session.flash(
            i18n.gettext("Your request was sent: it awaits the organisers' approval."), "success"
        )
    else:
        thanks = i18n.gettext("You're in: %(pledge)s. Thank you!")
        session.flash(thanks % {"pledge": i18n.duration(row.pledge_minutes)}, "success")
    return _back_to(campaign)


async def leave_campaign(request: Request) -> Response:
    campaign = await public_campaign(request.path_params["slug"])
    account = await current_user(request)
    if account is None:
        return login_first(f"/campaigns/{campaign.slug}")
    session = session_of(request)
    try:
        change = await leave(campaign, await _actor_of(account))
    except NotFound:
        session.flash(i18n.gettext("You were not taking part in this campaign."))
        return _back_to(campaign)
    except InvalidTransition:
        error = i18n.gettext("This campaign is over: its count is final, you cannot withdraw.")
        return await box_page(request, campaign, error=error, status_code=409)
    if change.changed:
        session.flash(i18n.gettext("You have withdrawn. Thank you for telling us."), "success")
    else:
        session.flash(i18n.gettext("You were not taking part in this campaign."))
    return _back_to(campaign)


async def report_done(request: Request) -> Response:
    campaign = await public_campaign(request.path_params["slug"])
    account = await current_user(request)
    if account is None:
        return login_first(f"/campaigns/{campaign.slug}")
    form = await request.form()
    try:
        minutes = _reported_minutes(form)
        impact = _amount(field(form, "impact"))
        if minutes is None and impact is None:
            raise ValidationError("nothing reported", field="nothing")
        change = await report_contribution(
            campaign, await _actor_of(account), minutes=minutes, impact=impact
        )
    except ValidationError as invalid:
        messages = {
            "minutes": i18n.gettext("Give whole hours, and minutes from 0 to 59."),
            "impact": i18n.gettext("The amount must be a number from 0 to 10^15."),
            "impact_total": i18n.gettext(
                "The campaign's total cannot count that much more: give a smaller amount."
            ),
            "nothing": i18n.gettext("Say how long you gave, what you did, or both."),
        }
        error = messages.get(invalid.field or "", str(invalid))
        return await box_page(request, campaign, error=error, status_code=400)
    except NotFound:
        error = i18n.gettext("Only participants whose place is confirmed can report what they did.")
        return await box_page(request, campaign, error=error, status_code=409)
    except InvalidTransition:
        error = i18n.gettext("This campaign was cancelled: nothing more can be recorded.")
        return await box_page(request, campaign, error=error, status_code=409)
    row = change.participation
    done = []
    if row.reported_minutes is not None:
        done.append(i18n.duration(row.reported_minutes))
    if row.reported_impact is not None:
        done.append(f"{i18n.number(Decimal(row.reported_impact))} {campaign.impact_unit}".strip())
    message = i18n.gettext("Thank you! Recorded: %(done)s.") % {"done": ", ".join(done)}
    session_of(request).flash(message, "success")
    return _back_to(campaign)


def routes() -> list[BaseRoute]:
    return [
        Route("/campaigns/{slug:str}/join", join_campaign, methods=["GET", "POST"],
              name="campaign_join"),
        Route("/campaigns/{slug:str}/leave", leave_campaign, methods=["POST"],
              name="campaign_leave"),
        Route("/campaigns/{slug:str}/report", report_done, methods=["POST"],
              name="campaign_report"),
    ]  # fmt: skip
