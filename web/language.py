"""The language switcher in every page's footer: POST /language.

Only the languages the admins offer can be chosen (the footer shows the
switcher only when they offer more than one).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.accounts import set_language
from fedimob.domain.instance_profile import shown_instance_profile
from web import i18n
from web.access import safe_next
from web.endpoints import sessionless_form
from web.sessions import session_of


@sessionless_form
async def choose_language(request: Request) -> Response:
    """Remember the choice in the session, and in the account of a logged-in person."""
    form = await request.form()
    back = safe_next(str(form.get("next") or ""), "/")
    offered = (await shown_instance_profile()).languages
    code = i18n.supported(str(form.get("language") or ""), offered)
    if code is None:
        return RedirectResponse(back, status_code=303)
    session = session_of(request)
    session.set("language", code)
    if session.account is not None:
        await set_language(session.account, code)
    return RedirectResponse(back, status_code=303)


def routes() -> list[BaseRoute]:
    return [Route("/language", choose_language, methods=["POST"], name="language")]
