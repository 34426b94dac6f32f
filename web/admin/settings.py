"""/admin/settings: the instance's name, description, languages, time zone, and registrations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.instance_profile import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    OFFERABLE_LANGUAGES,
    instance_profile,
    update_instance_profile,
)
from fedimob.domain.time_zones import time_zone_names
from fedimob.errors import ValidationError
from web import i18n
from web.admin.guard import admin_required, done, require_admin
from web.admin.inputs import form_choices
from web.forms import field
from web.templating import render

MESSAGES = {
    "name": i18n.N_("Give the instance a name of 1 to 100 characters."),
    "description": i18n.N_(
        "The description can have 4,000 characters at most, and no control characters."
    ),
    "languages": i18n.N_("Offer at least one of the languages."),
    "time_zone": i18n.N_("Choose a time zone from the list."),
    "registrations": i18n.N_("Choose whether registrations are open or closed."),
}
REGISTRATIONS = {"open": True, "closed": False}


def _refusal(name: str) -> dict[str, str]:
    message = MESSAGES.get(name) or MESSAGES["name"]
    return {name: i18n.gettext(message)}


async def _page(
    request: Request,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if values is None:
        profile = await instance_profile()
        values = {
            "name": profile.name,
            "description": profile.description,
            "languages": list(profile.languages),
            "registrations": "open" if profile.registrations_open else "closed",
            "time_zone": profile.time_zone,
        }
    return await render(
        request,
        "admin/settings.html",
        {
            "values": values,
            "errors": errors or {},
            "offerable": [(code, i18n.LANGUAGES[code]) for code in OFFERABLE_LANGUAGES],
            "max_name": MAX_NAME_LENGTH,
            "max_description": MAX_DESCRIPTION_LENGTH,
            "time_zones": time_zone_names(),
        },
        status_code=status_code,
    )


@admin_required
async def settings_page(request: Request) -> Response:
    if request.method == "GET":
        return await _page(request)
    form = await request.form()
    values: dict[str, object] = {
        "name": field(form, "name"),
        "description": field(form, "description"),
        "languages": form_choices(form, "languages"),
        "registrations": field(form, "registrations"),
        # A form from before the zone could be set (a tab left open) keeps the zone.
        "time_zone": (
            field(form, "time_zone")
            if "time_zone" in form
            else (await instance_profile()).time_zone
        ),
    }
    if values["registrations"] not in REGISTRATIONS:
        return await _page(request, values, _refusal("registrations"), 400)
    try:
        await update_instance_profile(
            name=str(values["name"]),
            description=str(values["description"]),
            languages=form_choices(form, "languages"),
            registrations_open=REGISTRATIONS[str(values["registrations"])],
            time_zone=str(values["time_zone"]),
            by=require_admin(request),
        )
    except ValidationError as error:
        return await _page(request, values, _refusal(error.field or "name"), 400)
    return done(request, i18n.gettext("The instance settings are saved."), request.url.path)


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/settings", settings_page, methods=["GET", "POST"], name="admin_settings"),
    ]
