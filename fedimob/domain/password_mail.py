"""The mails of a password reset: the link, then the notice that the password changed.

Both are sent by jobs, never by a web handler (the request that asks for a
link queues RESET_MAIL_JOB in its transaction; a reset queues
CHANGED_MAIL_JOB in its own). Texts exist in English and French; the
person's language chooses, as in the federation's direct messages: a worker
(`fedimob worker`) runs without the web's catalogues.

Without a relay (FEDIMOB_SMTP_URL unset) the reset link is written to the
server log at WARNING, so a single admin (and `make run`) can still reset;
the notice is then only mentioned in the log.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from fedimob.clock import parse_datetime
from fedimob.domain.instance_profile import shown_instance_profile
from fedimob.domain.password_reset import (
    CHANGED_MAIL_JOB,
    RESET_MAIL_JOB,
    reset_path,
    reset_token,
)
from fedimob.domain.time_zones import clock_text
from fedimob.jobs.queue import backoff
from fedimob.jobs.registry import JobRegistry, JobRun, PermanentJobError, RetryLater
from fedimob.mail import Mailer, MailNotSent, compose
from fedimob.models import Account
from fedimob.settings import Settings

log = logging.getLogger(__name__)

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "reset": {
        "en": (
            "Reset your password on {domain}",
            "Hello {name},\n\n"
            "Someone, probably you, asked to reset the password of your account "
            "@{username} on {domain}.\n\n"
            "To choose a new password, open this link within the hour:\n\n"
            "{link}\n\n"
            "The link works once. If you did not ask for it, ignore this message: "
            "your password stays as it is.\n\n"
            "-- \n{domain}\n",
        ),
        "fr": (
            "Réinitialiser votre mot de passe sur {domain}",
            "Bonjour {name},\n\n"
            "Quelqu'un, sans doute vous, a demandé à réinitialiser le mot de passe de "
            "votre compte @{username} sur {domain}.\n\n"
            "Pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure :\n\n"
            "{link}\n\n"
            "Le lien ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce "
            "message : votre mot de passe ne change pas.\n\n"
            "-- \n{domain}\n",
        ),
    },
    # Changed on the account page (the current password typed): a mailbox is not the way in.
    "changed_on_account": {
        "en": (
            "Your password on {domain} was changed",
            "Hello {name},\n\n"
            "The password of your account @{username} on {domain} was changed on "
            "{when}, from the account page, with the old password. Every other session "
            "of the account was logged out.\n\n"
            "If it was you, there is nothing to do. If not, someone knew your password: "
            "choose a new one at {forgot} and tell the admins of {domain}.\n\n"
            "-- \n{domain}\n",
        ),
        "fr": (
            "Votre mot de passe sur {domain} a été changé",
            "Bonjour {name},\n\n"
            "Le mot de passe de votre compte @{username} sur {domain} a été changé le "
            "{when}, depuis la page du compte, avec l'ancien mot de passe. Toutes les "
            "autres sessions du compte ont été déconnectées.\n\n"
            "Si c'était vous, il n'y a rien à faire. Sinon, quelqu'un connaissait votre "
            "mot de passe : choisissez-en un nouveau sur {forgot} et prévenez les "
            "administrateurs de {domain}.\n\n"
            "-- \n{domain}\n",
        ),
    },
    "changed": {
        "en": (
            "Your password on {domain} was changed",
            "Hello {name},\n\n"
            "The password of your account @{username} on {domain} was changed on "
            "{when}, with a reset link sent to this address. Every session of the "
            "account was logged out.\n\n"
            "If it was you, there is nothing to do. If not, someone can read your "
            "e-mail: secure your mailbox first, then choose a new password at {forgot} "
            "and tell the admins of {domain}.\n\n"
            "-- \n{domain}\n",
        ),
        "fr": (
            "Votre mot de passe sur {domain} a été changé",
            "Bonjour {name},\n\n"
            "Le mot de passe de votre compte @{username} sur {domain} a été changé le "
            "{when}, avec un lien de réinitialisation envoyé à cette adresse. Toutes "
            "les sessions du compte ont été déconnectées.\n\n"
            "Si c'était vous, il n'y a rien à faire. Sinon, quelqu'un peut lire vos "
            "e-mails : sécurisez d'abord votre messagerie, puis choisissez un nouveau "
            "mot de passe sur {forgot} et prévenez les administrateurs de {domain}.\n\n"
            "-- \n{domain}\n",
        ),
    },
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def mail_language(language: str) -> str:
    """The language of our texts closest to a person's (English when not translated)."""
    code = language[:2].lower()
    return code if code in TEXTS["reset"] else "en"


def text_for(kind: str, language: str, **values: str) -> tuple[str, str]:
    """(subject, body) of mail `kind` in `language` (one of TEXTS' languages)."""
    subject, body = TEXTS[kind][language]
    return subject.format(**values), body.format(**values)


def mailer_for(settings: Settings) -> Mailer:
    return Mailer.configure(settings.smtp_url, settings.mail_from, _host(settings))


def _host(settings: Settings) -> str:
    return urlsplit(settings.url).hostname or "localhost"


def _values(settings: Settings, account: Account) -> dict[str, str]:
    name = _CONTROL.sub(" ", account.display_name).strip() or account.username
    return {"name": name, "username": account.username, "domain": settings.domain}


def _payload_int(payload: dict[str, Any], name: str) -> int:
    value = payload.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PermanentJobError(f"payload has no {name}: {payload!r}")
    return value


def _payload_time(payload: dict[str, Any], name: str) -> datetime:
    value = payload.get(name)
    try:
        if isinstance(value, str):
            return parse_datetime(value)
    except ValueError:
        pass
    raise PermanentJobError(f"payload has no {name}: {payload!r}")


async def _deliver(mailer: Mailer, run: JobRun, account: Account, kind: str, **values: str) -> None:
    """Send, or tell the worker when to try again (or not to)."""
    language = mail_language(account.language)
    subject, body = text_for(kind, language, **values)
    try:
        message = compose(
            sender=mailer.sender,
            to=account.email,
            subject=subject,
            body=body,
            language=language,
            now=run.now,
        )
        await mailer.send(message)
    except MailNotSent as error:
        if error.permanent:
            raise PermanentJobError(f"{kind} mail to account {account.id}: {error}") from None
        log.warning("%s mail to account %s not sent yet: %s", kind, account.id, error)
        raise RetryLater(str(error), delay=backoff(run.attempt).total_seconds()) from None


async def send_reset_mail(settings: Settings, mailer: Mailer, run: JobRun) -> None:
    """The link, computed now from the account as it is (no token is ever stored)."""
    account_id = _payload_int(run.payload, "account_id")
    expires_at = _payload_time(run.payload, "expires_at")
    if expires_at <= run.now:
        raise PermanentJobError("the reset link expired before it could be sent")
    account = await Account.get_or_none(id=account_id, is_active=True)
    if account is None:
        return  # erased or suspended since: nothing to send
    link = settings.absolute(reset_path(reset_token(settings.secret_key, account, expires_at)))
    if not mailer.configured and not settings.url.startswith("https://"):
        # Development (`make run`, plain http): the log is the developer's own.
        log.warning(
            "FEDIMOB_SMTP_URL is not set, so no mail: password reset link for @%s "
            "(valid until %s): %s",
            account.username,
            expires_at.strftime("%H:%M UTC"),
            link,
        )
        return
    if not mailer.configured:
        # A public instance's logs are read by more people than the account's owner:
        # a working link there would open the account to any of them.
        log.warning(
            "FEDIMOB_SMTP_URL is not set: no reset mail for @%s. An admin can give them "
            "a link with `fedimob reset-password %s`.",
            account.username,
            account.username,
        )
        return
    values = _values(settings, account)
    await _deliver(mailer, run, account, "reset", link=link, **values)


async def send_changed_mail(settings: Settings, mailer: Mailer, run: JobRun) -> None:
    account = await Account.get_or_none(id=_payload_int(run.payload, "account_id"))
    if account is None:
        return
    if not mailer.configured:
        log.info("password of @%s changed; no mail (FEDIMOB_SMTP_URL is not set)", account.username)
        return
    changed_at = _payload_time(run.payload, "changed_at")
    values = {
        **_values(settings, account),
        "when": clock_text(changed_at, (await shown_instance_profile()).zone),
        "forgot": settings.absolute("/password/forgot"),
    }
    text = "changed_on_account" if run.payload.get("via") == "account" else "changed"
    await _deliver(mailer, run, account, text, **values)


def register_password_mail_jobs(
    registry: JobRegistry, settings: Settings, mailer: Mailer | None = None
) -> None:
    """Add the two job kinds; `mailer` defaults to the one the settings describe."""
    chosen = mailer or mailer_for(settings)

    async def on_reset(run: JobRun) -> None:
        await send_reset_mail(settings, chosen, run)

    async def on_changed(run: JobRun) -> None:
        await send_changed_mail(settings, chosen, run)

    registry.register(RESET_MAIL_JOB)(on_reset)
    registry.register(CHANGED_MAIL_JOB)(on_changed)
