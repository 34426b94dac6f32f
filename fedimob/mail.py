"""Sending e-mail: one SMTP relay named by a URL, messages built so no header can be forged.

`FEDIMOB_SMTP_URL` names the relay; how the connection is protected is part of
the scheme, so a misconfigured server never sends a password in clear:

    smtps://user:pass@host[:465]     TLS from the first byte
    smtp://user:pass@host[:587]      STARTTLS, required (no fallback to clear text)
    smtp+plain://host[:25]           no encryption and so no login: a relay on
                                     this machine or a private network

`FEDIMOB_MAIL_FROM` is the sender (`Name <address>` or a bare address;
default `noreply@<the instance's host>`). Without `FEDIMOB_SMTP_URL`, nothing
is sent: `Mailer.configured` is False and callers fall back to the server log.

Messages are plain text (`compose()`); header values are checked for line
breaks and control characters, and the recipient is built as one address, so
nothing typed by anyone can add a header or a recipient. The envelope is
given explicitly: the relay is never asked to read recipients from headers.

Errors:

    FedimobError
    ├── ConfigurationError    a bad FEDIMOB_SMTP_URL or FEDIMOB_MAIL_FROM (start-up)
    └── MailNotSent           the relay did not take the message; `permanent`
                              when retrying cannot help (the address is refused)
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal
from urllib.parse import unquote, urlsplit

import aiosmtplib

from fedimob.errors import ConfigurationError, FedimobError

Security = Literal["tls", "starttls", "none"]
SCHEMES: dict[str, tuple[Security, int]] = {
    "smtps": ("tls", 465),
    "smtp": ("starttls", 587),
    "smtp+plain": ("none", 25),
}
SEND_TIMEOUT_SECONDS = 20.0
# Line breaks of every kind (str.splitlines() breaks on all of these) and controls.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# A DNS name (ASCII: punycode for IDN), an IPv4 address or an IPv6 one (unbracketed).
_HOST = re.compile(r"[A-Za-z0-9._:-]{1,253}")


class MailNotSent(FedimobError):
    """The relay did not accept the message."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    username: str = ""
    password: str = field(default="", repr=False)


def parse_smtp_url(value: str) -> SmtpConfig | None:
    """The relay a FEDIMOB_SMTP_URL names, or None when it is empty (mail off).

    Error messages never repeat the URL: it may hold a password.
    """
    text = value.strip()
    if not text:
        return None
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ConfigurationError(
            "FEDIMOB_SMTP_URL must start with smtps:// (TLS), smtp:// (STARTTLS) "
            f"or smtp+plain:// (no encryption), not {scheme or '(nothing)'}://"
        )
    security, default_port = SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ConfigurationError("FEDIMOB_SMTP_URL has an invalid port") from None
    host = parts.hostname or ""
    if not _HOST.fullmatch(host):
        raise ConfigurationError("FEDIMOB_SMTP_URL has no valid host name")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ConfigurationError("FEDIMOB_SMTP_URL takes no path, query or fragment")
    username, password = unquote(parts.username or ""), unquote(parts.password or "")
    if _UNSAFE.search(username + password):
        raise ConfigurationError("FEDIMOB_SMTP_URL: control characters in user or password")
    if security == "none" and (username or password):
        raise ConfigurationError(
            "FEDIMOB_SMTP_URL: smtp+plain:// would send the password in clear; "
            "use smtp:// (STARTTLS) or smtps:// (TLS) to log in"
        )
    return SmtpConfig(host, port, security, username, password)


def parse_sender(value: str, default_domain: str) -> Address:
    """The From address: FEDIMOB_MAIL_FROM, or noreply@ the instance's host."""
    text = value.strip()
    if not text:
        return Address("", "noreply", default_domain)
    if _UNSAFE.search(text):
        raise ConfigurationError("FEDIMOB_MAIL_FROM must be one line")
    header = policy.default.header_factory("From", text)
    addresses = header.addresses
    if (
        len(addresses) != 1
        or header.defects
        or not addresses[0].username
        or "." not in addresses[0].domain
    ):
        raise ConfigurationError(
            f"FEDIMOB_MAIL_FROM must be one address like 'fedimob <noreply@example.org>', "
            f"got {text!r}"
        )
    sender: Address = addresses[0]
    return sender


def recipient(address: str) -> Address:
    """One address as one header value, whatever characters its local part has.

    Built from its two parts (not parsed), so `a,b@example.org` stays one
    quoted address instead of becoming two recipients.
    """
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or _UNSAFE.search(address):
        raise MailNotSent("not a deliverable address", permanent=True)
    try:
        return Address(username=local, domain=domain)
    except (ValueError, TypeError):
        raise MailNotSent("not a deliverable address", permanent=True) from None


def one_line(text: str) -> str:
    if _UNSAFE.search(text):
        raise ValueError("a header value must be one line without control characters")
    return text


def compose(
    *,
    sender: Address,
    to: str,
    subject: str,
    body: str,
    language: str,
    now: datetime,
) -> EmailMessage:
    """A plain-text message (UTF-8), marked as sent by a machine (RFC 3834)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient(to)
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.domain or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a robot
    message.set_content(body)  # (it drops Content-* headers: set them after)
    message["Content-Language"] = one_line(language)
    return message


_ENHANCED_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")


def _status(message: str) -> str:
    """The enhanced status code (5.1.1) of a relay's answer, if any: relays repeat the address."""
    found = _ENHANCED_STATUS.match(message.strip())
    return f" {found[0]}" if found else ""


def _describe(error: aiosmtplib.SMTPException) -> str:
    """What went wrong, without the recipient's address (it ends up in logs and job rows).

    A refusal keeps only its codes: the relay's text usually names the address.
    """
    if isinstance(error, aiosmtplib.SMTPRecipientRefused):
        return f"recipient refused: {error.code}{_status(error.message)}"
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return "recipient refused: " + "; ".join(
            f"{refused.code}{_status(refused.message)}" for refused in error.recipients
        )
    return f"{type(error).__name__}: {error}"


def _permanent(error: aiosmtplib.SMTPException) -> bool:
    """Retrying cannot help when the relay refuses the recipient for good (5xx)."""
    if isinstance(error, aiosmtplib.SMTPRecipientRefused):
        return 500 <= error.code < 600
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= refused.code < 600 for refused in error.recipients)
    return False


@dataclass(frozen=True, slots=True)
class Mailer:
    """Where mail goes (`smtp`, None: nowhere) and who it is from."""

    smtp: SmtpConfig | None
    sender: Address
    # Tests give a context that trusts their own certificate; else the system's CAs.
    tls_context: ssl.SSLContext | None = None
    timeout: float = SEND_TIMEOUT_SECONDS

    @classmethod
    def configure(cls, smtp_url: str, mail_from: str, instance_host: str) -> Mailer:
        return cls(parse_smtp_url(smtp_url), parse_sender(mail_from, instance_host))

    @property
    def configured(self) -> bool:
        return self.smtp is not None

    async def send(self, message: EmailMessage) -> None:
        """Hand `message` to the relay; MailNotSent if it does not take it."""
        smtp = self.smtp
        if smtp is None:
            raise MailNotSent("no SMTP relay is configured (FEDIMOB_SMTP_URL)")
        to = message["To"].addresses
        try:
            await aiosmtplib.send(
                message,
                sender=self.sender.addr_spec,
                recipients=[address.addr_spec for address in to],
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.username or None,
                password=smtp.password or None,
                use_tls=smtp.security == "tls",
                start_tls=smtp.security == "starttls",
                tls_context=self.tls_context,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPException as error:
            raise MailNotSent(
                f"{smtp.host}:{smtp.port}: {_describe(error)}", permanent=_permanent(error)
            ) from error
        except (OSError, ssl.SSLError) as error:
            raise MailNotSent(
                f"{smtp.host}:{smtp.port}: {type(error).__name__}: {error}"
            ) from error
