"""The reset mails, sent by the worker to a real SMTP server on loopback (or to the log)."""

import logging
import re
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from fedimob.clock import parse_datetime, utcnow
from fedimob.db import Database
from fedimob.domain.accounts import change_password, disable_account
from fedimob.domain.password_mail import register_password_mail_jobs
from fedimob.domain.password_reset import (
    LIFETIME,
    RESET_MAIL_JOB,
    account_for_token,
    request_password_reset,
    reset_password,
)
from fedimob.domain.time_zones import clock_text
from fedimob.jobs.queue import enqueue
from fedimob.jobs.registry import JobRegistry
from fedimob.jobs.worker import Worker
from fedimob.mail import Mailer, SmtpConfig, parse_sender
from fedimob.models import Job, JobState
from fedimob.settings import Settings
from tests.mail_server import MailServer
from tests.web.forms import PASSWORD, make_user
from tests.web.instance import set_profile

LINK = re.compile(r"https://fedimob\.test/password/reset/(\S+)")


def worker_for(settings: Settings, mailer: Mailer | None = None) -> Worker:
    registry = JobRegistry()
    register_password_mail_jobs(registry, settings, mailer)
    return Worker(registry)


def mailer_to(server: MailServer) -> Mailer:
    return Mailer(
        SmtpConfig("127.0.0.1", server.port, "none"), parse_sender("", "fedimob.test"), timeout=5
    )


async def test_the_reset_mail_carries_a_working_link_in_english(
    db: Database, settings: Settings
) -> None:
    alice = await make_user("alice", display_name="Alice Martin")
    await request_password_reset("alice@example.org")
    async with MailServer() as server:
        assert (await worker_for(settings, mailer_to(server)).run_once()).done == 1
    [mail] = server.messages
    assert mail.recipients == ["alice@example.org"]
    assert mail.sender == "noreply@fedimob.test"
    assert mail.message["Subject"] == "Reset your password on fedimob.test"
    assert mail.message["Content-Language"] == "en"
    assert mail.body.startswith("Hello Alice Martin,")
    assert "@alice on fedimob.test" in mail.body
    found = LINK.search(mail.body)
    assert found, mail.body
    assert (await account_for_token(settings.secret_key, found[1])).id == alice.id


async def test_the_reset_mail_speaks_the_persons_language(db: Database, settings: Settings) -> None:
    await make_user("lea", language="fr")
    await request_password_reset("lea@example.org")
    async with MailServer() as server:
        await worker_for(settings, mailer_to(server)).run_once()
    [mail] = server.messages
    assert mail.message["Subject"] == "Réinitialiser votre mot de passe sur fedimob.test"
    assert mail.message["Content-Language"] == "fr"
    assert mail.body.startswith("Bonjour lea,")
    assert "ouvrez ce lien dans l'heure" in mail.body
    assert LINK.search(mail.body)


async def test_a_language_without_texts_gets_english(db: Database, settings: Settings) -> None:
    await make_user("hans", language="de")
    await request_password_reset("hans@example.org")
    async with MailServer() as server:
        await worker_for(settings, mailer_to(server)).run_once()
    assert server.messages[0].message["Content-Language"] == "en"


async def test_a_hostile_display_name_stays_in_the_body(db: Database, settings: Settings) -> None:
    await make_user("mallory", display_name="M\r\nBcc: victim@example.org\r\n")
    await request_password_reset("mallory@example.org")
    async with MailServer() as server:
        await worker_for(settings, mailer_to(server)).run_once()
    [mail] = server.messages
    assert mail.recipients == ["mallory@example.org"]
    assert mail.message["Bcc"] is None
    assert mail.body.startswith("Hello M Bcc: victim@example.org,")


async def test_without_a_relay_in_development_the_link_goes_to_the_log(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    development = replace(settings, url="http://localhost:8000")  # as `make run` serves
    alice = await make_user()
    await request_password_reset("alice@example.org")
    with caplog.at_level(logging.INFO, logger="fedimob.domain.password_mail"):
        assert (await worker_for(development).run_once()).done == 1  # no relay named
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    found = re.search(r"http://localhost:8000/password/reset/(\S+)", record.getMessage())
    assert found
    assert "@alice" in record.getMessage()
    assert "alice@example.org" not in record.getMessage()
    assert (await account_for_token(settings.secret_key, found[1])).id == alice.id


async def test_without_a_relay_a_public_instance_logs_no_link(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """On https, logs are read by more people than the account's owner."""
    await make_user()
    await request_password_reset("alice@example.org")
    with caplog.at_level(logging.INFO, logger="fedimob.domain.password_mail"):
        assert (await worker_for(settings).run_once()).done == 1
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "/password/reset/" not in record.getMessage()
    assert "fedimob reset-password alice" in record.getMessage()


async def test_the_changed_notice_follows_a_reset(db: Database, settings: Settings) -> None:
    alice = await make_user(language="fr")
    await request_password_reset("alice@example.org")
    async with MailServer() as server:
        worker = worker_for(settings, mailer_to(server))
        await worker.run_once()
        token = LINK.search(server.messages[0].body)[1]  # type: ignore[index]
        await reset_password(settings.secret_key, token, "a brand new passphrase")
        assert (await worker.run_once()).done == 1
    notice = server.messages[1]
    assert notice.recipients == [alice.email]
    assert notice.message["Subject"] == "Votre mot de passe sur fedimob.test a été changé"
    assert "https://fedimob.test/password/forgot" in notice.body
    assert not LINK.search(notice.body)  # no working link in a notice


async def test_a_change_on_the_account_page_is_told_as_such(
    db: Database, settings: Settings
) -> None:
    alice = await make_user()
    await change_password(alice, PASSWORD, "a brand new passphrase")
    async with MailServer() as server:
        assert (await worker_for(settings, mailer_to(server)).run_once()).done == 1
    [notice] = server.messages
    assert notice.recipients == [alice.email]
    assert "from the account page, with the old password" in notice.body
    assert "reset link" not in notice.body  # not the reset's story: the mailbox is not to blame


async def test_the_notice_tells_the_time_on_the_instances_clock(
    db: Database, settings: Settings
) -> None:
    await set_profile(time_zone="Asia/Kolkata")  # UTC+05:30, no summer time
    alice = await make_user()
    await change_password(alice, PASSWORD, "a brand new passphrase")
    changed_at = (await Job.get()).payload["changed_at"]
    async with MailServer() as server:
        assert (await worker_for(settings, mailer_to(server)).run_once()).done == 1
    expected = clock_text(parse_datetime(changed_at), ZoneInfo("Asia/Kolkata"))
    assert expected.endswith(" IST")
    assert expected in server.messages[0].body


async def test_a_link_that_expired_in_the_queue_is_not_sent(
    db: Database, settings: Settings
) -> None:
    alice = await make_user()
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    await enqueue(RESET_MAIL_JOB, {"account_id": alice.id, "expires_at": past})
    async with MailServer() as server:
        assert (await worker_for(settings, mailer_to(server)).run_once()).failed == 1
    assert server.messages == []


async def test_an_account_suspended_meanwhile_gets_nothing(
    db: Database, settings: Settings
) -> None:
    alice = await make_user()
    await request_password_reset("alice@example.org")
    await disable_account(alice)
    async with MailServer() as server:
        assert (await worker_for(settings, mailer_to(server)).run_once()).done == 1
    assert server.messages == []


@pytest.mark.parametrize(
    "payload",
    [{}, {"account_id": "1"}, {"account_id": 1}, {"account_id": 1, "expires_at": "soon"}],
)
async def test_a_bad_payload_fails_at_once(
    db: Database, settings: Settings, payload: dict[str, object]
) -> None:
    await enqueue(RESET_MAIL_JOB, payload)
    assert (await worker_for(settings).run_once()).failed == 1


async def test_a_refused_address_fails_for_good_and_a_relay_down_is_retried(
    db: Database, settings: Settings
) -> None:
    await make_user("gone")
    await make_user("alice")
    await request_password_reset("gone@example.org")
    async with MailServer(refuse=frozenset({"gone@example.org"})) as server:
        mailer = mailer_to(server)
        assert (await worker_for(settings, mailer).run_once()).failed == 1
    failed = await Job.get(kind=RESET_MAIL_JOB, state=JobState.FAILED)
    assert failed.last_error
    assert "550" in failed.last_error
    assert "gone@" not in failed.last_error  # no addresses in job rows or logs
    await request_password_reset("alice@example.org")
    # The server has stopped: its port refuses connections.
    stats = await worker_for(settings, mailer).run_once()
    assert stats.retried == 1
    job = await Job.get(kind=RESET_MAIL_JOB, state=JobState.PENDING)
    assert job.last_error
    assert "SMTPConnectError" in job.last_error
    assert job.run_at > utcnow()
    assert job.run_at < utcnow() + LIFETIME
