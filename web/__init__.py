"""The HTML front end: routes that call fedimob services, and their templates.

No SQL and no federation I/O here (an import contract checks it).

How to write a page (the foundation does the rest):

- A module `web/<topic>.py` with `routes() -> list[BaseRoute]`, added with one
  line to `web/routes.py`. Every route listed there is wrapped by
  `web.endpoints.serve`: session loaded lazily, locale chosen, and every POST
  checked (our Origin + the form's `csrf_token`, 1 MiB at most), so an
  endpoint never checks CSRF itself. Never change state on GET.
- `@login_required` (web.access) sends visitors to /login?next=...; inside,
  `require_user(request)` is the Account. Elsewhere `await current_user(request)`
  gives the Account or None.
- `return await render(request, "page.html", {...})` (web.templating) adds the
  base context: instance (the profile: name, description_html, languages),
  languages (those offered), current_user, locale, flashes, nav, domain,
  current_path. Templates extend "base.html" and fill `{% block main %}`;
  `{% block title %}` names the page alone (base.html adds the instance's
  name after it); forms carry
  `{{ csrf_field() }}`; `{% import "_forms.html" as forms %}` has labelled
  inputs with errors.
- Strings: `{{ _("Text %(name)s", name=x) }}` or `{% trans %}` in templates
  (a literal % is written %%), `gettext()` / `N_()` from web.i18n in Python.
  Then `make i18n` and translate the new entries of
  web/translations/fr/LC_MESSAGES/messages.po (a test fails otherwise).
  Filters: number, percent, duration, when, day, ago, label (stored enum values).
- Messages for the next page: `session_of(request).flash(text, "success")`.
- Redirect targets from the visitor (`next`): always through `safe_next()`.
"""
