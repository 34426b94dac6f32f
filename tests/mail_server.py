"""A real SMTP server (aiosmtpd) on 127.0.0.1, in the test's own event loop.

`async with MailServer() as server:` listens on a free port; every message it
accepts lands in `server.messages` (envelope sender, recipients, parsed
message). Options make it speak STARTTLS, implicit TLS, or require a login.
"""

from __future__ import annotations

import asyncio
import email
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

SERVER_NAME = "mail.test"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None, "no text/plain part"
        return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(  # aiosmtpd's hook name
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.server.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox"  # as relays say it
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # aiosmtpd's hook name
        self, smtp: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.server.messages.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), message, raw)
        )
        self.server.arrived.set()
        return "250 OK queued"


class MailServer:
    def __init__(
        self,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        login: tuple[str, str] | None = None,
        refuse: frozenset[str] = frozenset(),
    ) -> None:
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.login = login
        self.refuse = refuse
        self.messages: list[Received] = []
        self.arrived = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None

    def _authenticate(
        self, smtp: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.login == (
            data.login.decode(),
            data.password.decode(),
        )
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535

    def _protocol(self) -> SMTP:
        return SMTP(
            _Handler(self),
            hostname=SERVER_NAME,
            tls_context=self.starttls,
            require_starttls=self.starttls is not None,
            # aiosmtpd only knows STARTTLS as TLS: over implicit TLS, a login is
            # offered (and checked) without being required of it.
            auth_required=self.login is not None and self.implicit_tls is None,
            authenticator=self._authenticate if self.login else None,
            auth_require_tls=self.implicit_tls is None,
            enable_SMTPUTF8=True,
            loop=asyncio.get_running_loop(),
        )

    async def __aenter__(self) -> MailServer:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol, "127.0.0.1", 0, ssl=self.implicit_tls
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


def server_tls_context(certificate: str, key: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    return context


def client_tls_context(certificate: str) -> ssl.SSLContext:
    """A client context that trusts only the test's own certificate."""
    return ssl.create_default_context(cafile=certificate)
