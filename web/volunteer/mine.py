"""A person's own pages: what they joined, what they did, their notices, their record.

Everything here is read through the logged-in account (`require_user`), so a
person only ever sees their own participations and notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.clock import utcnow
from fedimob.domain.my_participations import (
    minutes_given,
    participations_of,
    remote_joins_of,
    volunteering_record,
)
from fedimob.domain.notices import mark_all_read, notices_of, unread_count
from fedimob.models import Notice
from web import i18n
from web.access import login_required, require_user
from web.templating import render

NOTICE_KINDS = {
    "reminder": i18n.N_("Reminder"),
    "succeeded": i18n.N_("Outcome"),
    "missed": i18n.N_("Outcome"),
    "accepted": i18n.N_("Accepted"),
    "rejected": i18n.N_("Not accepted"),
    "message": i18n.N_("Message"),
}
# How a participation came in (JoinVia values).
VIA = {
    "web": i18n.N_("on this site"),
    "cli": i18n.N_("added by the administrators"),
    "demo": i18n.N_("demo data"),
    "join": i18n.N_("from a Fediverse account"),
    "poll": i18n.N_("by a poll vote"),
    "mention": i18n.N_("by a message"),
    "accept_event": i18n.N_("from a Fediverse account"),
}


@dataclass(frozen=True, slots=True)
class NoticeLine:
    kind: str
    text: str
    url: str  # only http(s) and local paths: a notice's link came from elsewhere
    created_at: datetime
    unread: bool


def _notice_line(notice: Notice) -> NoticeLine:
    label = NOTICE_KINDS.get(notice.kind)
    url = notice.url if notice.url.startswith(("https://", "http://", "/")) else ""
    return NoticeLine(
        kind=i18n.gettext(label) if label else i18n.gettext("Notice"),
        text=notice.text,
        url="" if url.startswith("//") else url,
        created_at=notice.created_at,
        unread=notice.read_at is None,
    )


def via_label(value: str) -> str:
    label = VIA.get(value)
    return i18n.gettext(label) if label else value


@login_required
async def participations_page(request: Request) -> Response:
    account = require_user(request)
    mine = await participations_of(account)
    remote = await remote_joins_of(account)
    notices = [_notice_line(notice) for notice in await notices_of(account)]
    return await render(
        request,
        "volunteer/participations.html",
        {
            "mine": mine,
            "remote": remote,
            "notices": notices,
            "unread": await unread_count(account),
            "minutes_given": minutes_given(mine, remote),
            "via_label": via_label,
        },
    )


@login_required
async def notices_read(request: Request) -> Response:
    await mark_all_read(require_user(request))
    return RedirectResponse("/me/participations#notices", status_code=303)


@login_required
async def record_page(request: Request) -> Response:
    account = require_user(request)
    return await render(
        request,
        "volunteer/record.html",
        {
            "record": await volunteering_record(account),
            "person": account.display_name or account.username,
            "handle": f"@{account.username}@{request.app.state.settings.domain}",
            "today": utcnow(),
        },
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/me/participations", participations_page, name="participations"),
        Route("/me/notices/read", notices_read, methods=["POST"], name="notices_read"),
        Route("/me/record", record_page, name="volunteering_record"),
    ]
