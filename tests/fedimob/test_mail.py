"""fedimob.mail: the relay's URL, safe messages, and real SMTP sessions on loopback."""

import socket
from datetime import UTC, datetime
from email.headerregistry import Address
from pathlib import Path

import pytest

from fedimob.errors import ConfigurationError
from fedimob.mail import Mailer, MailNotSent, SmtpConfig, compose, parse_sender, parse_smtp_url
from fedimob.settings import Settings
from tests.activitypub.loopback_server import make_certificate
from tests.mail_server import MailServer, client_tls_context, server_tls_context

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
SENDER = Address("fedimob", "noreply", "mob.example")


def message_to(to: str, subject: str = "Hello", body: str = "Body text\n"):  # type: ignore[no-untyped-def]
    return compose(sender=SENDER, to=to, subject=subject, body=body, language="en", now=NOW)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", None),
        ("   ", None),
        ("smtps://u:p@mail.example", SmtpConfig("mail.example", 465, "tls", "u", "p")),
        ("smtp://u:p@mail.example", SmtpConfig("mail.example", 587, "starttls", "u", "p")),
        ("SMTP://mail.example:2525", SmtpConfig("mail.example", 2525, "starttls")),
        ("smtp+plain://127.0.0.1", SmtpConfig("127.0.0.1", 25, "none")),
        (
            "smtp://me%40example.org:p%40ss%3Aw%2Frd@mail.example:587/",
            SmtpConfig("mail.example", 587, "starttls", "me@example.org", "p@ss:w/rd"),
        ),
    ],
)
def test_smtp_urls(url: str, expected: SmtpConfig | None) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://u:secret@mail.example",
        "mail.example:587",
        "smtp://",
        "smtp://u:secret@mail.example:99999",
        "smtp://u:secret@mail.example:port",
        "smtp://u:secret@mail.example/inbox",
        "smtp://u:secret@mail.example?tls=no",
        "smtp+plain://u:secret@127.0.0.1",  # a password never goes in clear
        "smtp://u:sec%0D%0Aret@mail.example",
        "smtp://mail.exa%0Ample",
    ],
)
def test_bad_smtp_urls_are_refused_without_repeating_the_password(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        parse_smtp_url(url)
    assert "secret" not in str(refused.value)
    assert "sec" not in str(refused.value).replace("second", "")


def test_the_password_is_not_in_the_configs_repr() -> None:
    assert "hunter2" not in repr(parse_smtp_url("smtps://u:hunter2@mail.example"))


def test_senders() -> None:
    assert parse_sender("", "mob.example").addr_spec == "noreply@mob.example"
    named = parse_sender("Les Amis <amis@mob.example>", "x")
    assert (named.display_name, named.addr_spec) == ("Les Amis", "amis@mob.example")
    for bad in (
        "a@mob.example, b@mob.example",
        "noreply",
        "noreply@localhost",
        "x@mob.example\r\nBcc: victim@example.org",
        "<>",
    ):
        with pytest.raises(ConfigurationError):
            parse_sender(bad, "mob.example")


def test_settings_read_and_check_the_mail_variables(tmp_path: Path) -> None:
    base = {"FEDIMOB_SECRET_KEY": "k" * 40}
    plain = Settings.from_env(base, workdir=tmp_path)
    assert (plain.smtp_url, plain.mail_from) == ("", "")
    configured = Settings.from_env(
        {**base, "FEDIMOB_SMTP_URL": " smtps://u:p@mail.example ", "FEDIMOB_MAIL_FROM": "a@b.org"},
        workdir=tmp_path,
    )
    assert (configured.smtp_url, configured.mail_from) == ("smtps://u:p@mail.example", "a@b.org")
    with pytest.raises(ConfigurationError):
        Settings.from_env({**base, "FEDIMOB_SMTP_URL": "smtp+plain://u:p@relay"}, workdir=tmp_path)
    with pytest.raises(ConfigurationError):
        Settings.from_env({**base, "FEDIMOB_MAIL_FROM": "two@a.org, b@c.org"}, workdir=tmp_path)


def test_a_message_has_safe_headers() -> None:
    message = message_to("alice@example.org", subject="Réinitialiser · mob.example")
    assert message["To"] == "alice@example.org"
    assert message["From"] == "fedimob <noreply@mob.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@mob.example>")
    assert message["Content-Language"] == "en"
    assert message.get_content_type() == "text/plain"
    raw = message.as_bytes()
    assert b"=?utf-8?" in raw  # the subject is encoded, not raw UTF-8
    assert raw.isascii() or b'charset="utf-8"' in raw


@pytest.mark.parametrize(
    "subject",
    ["Hi\r\nBcc: victim@example.org", "Hi\nX-Evil: 1", "Hi\u2028there", "Hi\x00", "Hi\x85x"],
)
def test_a_subject_cannot_add_headers(subject: str) -> None:
    with pytest.raises(ValueError, match="one line"):
        message_to("alice@example.org", subject=subject)


@pytest.mark.parametrize(
    "to",
    [
        "alice@example.org\r\nBcc: victim@example.org",
        "alice@example.org\nBcc: victim@example.org",
        "no-at-sign",
        "@example.org",
        "alice@",
    ],
)
def test_a_recipient_cannot_add_headers_or_recipients(to: str) -> None:
    with pytest.raises(MailNotSent) as refused:
        message_to(to)
    assert refused.value.permanent


def test_a_comma_in_an_address_stays_one_recipient() -> None:
    message = message_to("a,b@example.org")
    assert [a.addr_spec for a in message["To"].addresses] == ['"a,b"@example.org']


async def test_sending_to_a_plain_relay() -> None:
    async with MailServer() as server:
        mailer = Mailer(SmtpConfig("127.0.0.1", server.port, "none"), SENDER)
        await mailer.send(message_to("alice@example.org", body="Bonjour, ça va ?\n"))
    [received] = server.messages
    assert received.sender == "noreply@mob.example"
    assert received.recipients == ["alice@example.org"]
    assert received.message["Subject"] == "Hello"
    assert received.body == "Bonjour, ça va ?\n"


async def test_the_envelope_has_the_one_recipient_even_with_a_comma() -> None:
    async with MailServer() as server:
        mailer = Mailer(SmtpConfig("127.0.0.1", server.port, "none"), SENDER)
        await mailer.send(message_to("a,b@example.org"))
    assert server.messages[0].recipients == ['"a,b"@example.org']


async def test_starttls_is_required_not_hoped_for() -> None:
    async with MailServer() as server:  # offers no STARTTLS
        mailer = Mailer(SmtpConfig("127.0.0.1", server.port, "starttls", "u", "p"), SENDER)
        with pytest.raises(MailNotSent) as failed:
            await mailer.send(message_to("alice@example.org"))
    assert not failed.value.permanent  # the admin may fix the relay; the job retries
    assert server.messages == []


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[str, str]:
    cert, key = make_certificate(tmp_path, "localhost")
    return str(cert), str(key)


async def test_starttls_with_a_login(certificate: tuple[str, str]) -> None:
    cert, key = certificate
    tls = server_tls_context(cert, key)
    async with MailServer(starttls=tls, login=("robot", "s3cret")) as server:
        config = SmtpConfig("127.0.0.1", server.port, "starttls", "robot", "s3cret")
        mailer = Mailer(config, SENDER, tls_context=client_tls_context(cert))
        await mailer.send(message_to("alice@example.org"))
        assert len(server.messages) == 1
        wrong = Mailer(
            SmtpConfig("127.0.0.1", server.port, "starttls", "robot", "nope"),
            SENDER,
            tls_context=client_tls_context(cert),
        )
        with pytest.raises(MailNotSent) as refused:
            await wrong.send(message_to("alice@example.org"))
        assert not refused.value.permanent
        assert "nope" not in str(refused.value)
    assert len(server.messages) == 1


async def test_implicit_tls(certificate: tuple[str, str]) -> None:
    cert, key = certificate
    async with MailServer(implicit_tls=server_tls_context(cert, key)) as server:
        config = SmtpConfig("127.0.0.1", server.port, "tls")
        await Mailer(config, SENDER, tls_context=client_tls_context(cert)).send(
            message_to("alice@example.org")
        )
        untrusted = Mailer(config, SENDER)  # the system's CAs do not know this certificate
        with pytest.raises(MailNotSent):
            await untrusted.send(message_to("alice@example.org"))
    assert len(server.messages) == 1


async def test_a_refused_recipient_is_a_permanent_failure() -> None:
    async with MailServer(refuse=frozenset({"gone@example.org"})) as server:
        mailer = Mailer(SmtpConfig("127.0.0.1", server.port, "none"), SENDER)
        with pytest.raises(MailNotSent) as refused:
            await mailer.send(message_to("gone@example.org"))
    assert refused.value.permanent
    assert server.messages == []
    # Its description goes to logs and job rows: the codes, never the address.
    assert "gone@" not in str(refused.value)
    assert "550 5.1.1" in str(refused.value)


async def test_no_relay_listening_is_a_temporary_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailer = Mailer(SmtpConfig("127.0.0.1", port, "none"), SENDER, timeout=5)
    with pytest.raises(MailNotSent) as failed:
        await mailer.send(message_to("alice@example.org"))
    assert not failed.value.permanent


async def test_an_unconfigured_mailer_sends_nothing() -> None:
    mailer = Mailer.configure("", "", "mob.example")
    assert not mailer.configured
    assert mailer.sender.addr_spec == "noreply@mob.example"
    with pytest.raises(MailNotSent):
        await mailer.send(message_to("alice@example.org"))
