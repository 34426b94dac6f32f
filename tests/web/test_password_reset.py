"""Forgotten passwords, end to end: the form, a real SMTP server, the link, the new password."""

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.accounts import authenticate, disable_account
from fedimob.domain.password_reset import RESET_MAIL_JOB, reset_token
from fedimob.domain.sessions import load_session
from fedimob.jobs.worker import Worker
from fedimob.models import Account, Job
from fedimob.settings import Settings
from tests.conftest import TEST_SECRET
from tests.mail_server import MailServer
from tests.web.forms import ORIGIN, PASSWORD, csrf_from, log_in, make_user, submit

NEW = "a brand new passphrase"
LINK = re.compile(r"https://fedimob\.test(/password/reset/\S+)")
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


@pytest.fixture
async def mail_server() -> AsyncIterator[MailServer]:
    async with MailServer() as server:
        yield server


@pytest.fixture
def settings(database_url: str, mail_server: MailServer) -> Settings:
    """The instance under test sends its mail to the loopback SMTP server."""
    return Settings(
        url="https://fedimob.test",
        database_url=database_url,
        secret_key=TEST_SECRET,
        smtp_url=f"smtp+plain://127.0.0.1:{mail_server.port}",
        mail_from="fedimob test <noreply@fedimob.test>",
    )


async def ask_for_link(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await submit(client, "/password/forgot", {"email": email})


async def received_link(worker: Worker, mail_server: MailServer) -> str:
    await worker.run_once()
    assert mail_server.messages, "no mail arrived"
    found = LINK.search(mail_server.messages[-1].body)
    assert found, mail_server.messages[-1].body
    return found[1]


async def test_the_login_page_offers_a_reset(client: httpx.AsyncClient, db: Database) -> None:
    page = await client.get("/login")
    assert 'href="/password/forgot"' in page.text
    assert "Forgot your password?" in page.text
    french = await client.get("/login", headers={"accept-language": "fr"})
    assert "Mot de passe oublié ?" in french.text


async def test_a_forgotten_password_end_to_end(
    client: httpx.AsyncClient, app: Starlette, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user("alice", display_name="Alice")
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as phone:
        phone_cookie = (await log_in(phone)).cookies["fedimob_session"]

        asked = await ask_for_link(client, "alice@example.org")
        assert asked.status_code == 200
        assert "If an account exists for this address" in asked.text
        assert asked.headers["cache-control"] == "no-store"

        path = await received_link(worker, mail_server)
        [mail] = mail_server.messages
        assert mail.recipients == ["alice@example.org"]
        assert mail.message["From"] == "fedimob test <noreply@fedimob.test>"

        # The link: checked, kept in the session, and the token leaves the address bar.
        followed = await client.get(path)
        assert followed.status_code == 303
        assert followed.headers["location"] == "/password/reset"
        assert followed.headers["referrer-policy"] == "no-referrer"
        assert followed.headers["cache-control"] == "no-store"
        form = await client.get("/password/reset")
        assert form.status_code == 200
        assert "@alice@fedimob.test" in form.text
        assert path.rsplit("/", 1)[1] not in form.text
        assert 'autocomplete="new-password"' in form.text
        # Its POST must carry a real Origin: a no-referrer page would make it `null`.
        assert form.headers["referrer-policy"] == "same-origin"

        done = await submit(client, "/password/reset", {"password": NEW})
        assert done.status_code == 303
        assert done.headers["location"] == "/"
        home = await client.get("/")
        assert "Your new password is set and you are logged in" in home.text
        assert (await client.get("/account")).status_code == 200  # logged in, fresh session

        assert await load_session(phone_cookie) is None  # every other session ended
        assert (await phone.get("/account")).status_code == 303
    assert await authenticate("alice", NEW) is not None
    assert await authenticate("alice", PASSWORD) is None

    await worker.run_once()
    notice = mail_server.messages[-1]
    assert notice.message["Subject"] == "Your password on fedimob.test was changed"
    assert notice.recipients == ["alice@example.org"]

    # The link worked once.
    again = await follow(client, path)
    assert again.status_code == 400
    assert "This link does not work" in again.text


async def follow(client: httpx.AsyncClient, path: str, **options: object) -> httpx.Response:
    """GET `path` and the page it leads to."""
    return await client.get(path, follow_redirects=True, **options)  # type: ignore[arg-type]


async def test_a_bad_link_clears_a_good_one_kept_in_the_session(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user()
    await ask_for_link(client, "alice@example.org")
    await client.get(await received_link(worker, mail_server))
    assert (await client.get("/password/reset")).status_code == 200
    await client.get("/password/reset/not-the-link")
    assert (await client.get("/password/reset")).status_code == 400


def without_tokens(html: str) -> str:
    return CSRF_VALUE.sub("", html)


async def test_an_unknown_address_gets_the_same_page_and_no_mail(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user()
    known = await ask_for_link(client, "alice@example.org")
    unknown = await ask_for_link(client, "nobody@example.org")
    assert unknown.status_code == known.status_code == 200
    assert without_tokens(unknown.text) == without_tokens(known.text)
    assert unknown.headers.keys() == known.headers.keys()
    await worker.run_once()
    assert [m.recipients for m in mail_server.messages] == [["alice@example.org"]]


async def test_suspended_and_login_less_accounts_get_the_same_page_and_no_mail(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await disable_account(await make_user("bob"))
    await make_user("volunteer", password=None)  # type: ignore[arg-type]
    for email in ("bob@example.org", "volunteer@example.org"):
        response = await ask_for_link(client, email)
        assert response.status_code == 200
        assert "If an account exists for this address" in response.text
    await worker.run_once()
    assert mail_server.messages == []


async def test_the_pages_speak_french(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    french = {"accept-language": "fr-FR,fr"}
    await make_user("lea", language="fr")
    page = await client.get("/password/forgot", headers=french)
    assert "Mot de passe oublié ?" in page.text
    sent = await submit(client, "/password/forgot", {"email": "lea@example.org"}, headers=french)
    assert "Si un compte existe avec cette adresse" in sent.text
    path = await received_link(worker, mail_server)
    assert mail_server.messages[0].message["Subject"].startswith("Réinitialiser")
    await client.get(path, headers=french)
    form = await client.get("/password/reset", headers=french)
    assert "Choisissez un nouveau mot de passe" in form.text
    bad = await follow(client, "/password/reset/nonsense", headers=french)
    assert bad.status_code == 400
    assert "Ce lien ne fonctionne pas" in bad.text


async def test_asking_is_throttled_per_address_whoever_owns_it(
    client: httpx.AsyncClient, app: Starlette, db: Database
) -> None:
    await make_user()
    for email in ("alice@example.org", "nobody@example.org"):
        for _ in range(5):
            assert (await ask_for_link(client, email.upper())).status_code == 200
        blocked = await ask_for_link(client, email)
        assert blocked.status_code == 429
        assert "Too many requests for a link" in blocked.text
    # From another address, asking is not slowed: not for another address, and not
    # for the same one (its owner cannot be kept from asking by someone else).
    elsewhere = httpx.ASGITransport(app=app, client=("192.0.2.7", 40000))
    async with httpx.AsyncClient(transport=elsewhere, base_url=str(client.base_url)) as other:
        assert (await ask_for_link(other, "carol@example.org")).status_code == 200
        assert (await ask_for_link(other, "alice@example.org")).status_code == 200
    assert await Job.filter(kind=RESET_MAIL_JOB).count() == 1  # one mail, still queued


async def test_asking_is_throttled_per_ip(client: httpx.AsyncClient, db: Database) -> None:
    for number in range(20):
        assert (await ask_for_link(client, f"guess{number}@example.org")).status_code == 200
    assert (await ask_for_link(client, "alice@example.org")).status_code == 429


async def test_the_forms_need_their_csrf_token_and_our_origin(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user()
    no_token = await client.post(
        "/password/forgot", data={"email": "alice@example.org"}, headers={"origin": ORIGIN}
    )
    assert no_token.status_code == 403
    token = csrf_from((await client.get("/password/forgot")).text)
    other_site = await client.post(
        "/password/forgot",
        data={"email": "alice@example.org", "csrf_token": token},
        headers={"origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    null_origin = await client.post(
        "/password/forgot",
        data={"email": "alice@example.org", "csrf_token": token},
        headers={"origin": "null"},
    )
    assert null_origin.status_code == 403
    assert await Job.filter(kind=RESET_MAIL_JOB).count() == 0

    await ask_for_link(client, "alice@example.org")
    await client.get(await received_link(worker, mail_server))
    forged = await client.post(
        "/password/reset", data={"password": NEW}, headers={"origin": ORIGIN}
    )
    assert forged.status_code == 403
    assert await authenticate("alice", PASSWORD) is not None


@pytest.mark.parametrize(
    "email",
    [
        "x" * 100_000 + "@example.org",
        "alice@example.org\r\nBcc: victim@example.org",
        "alice@example.org\nBcc: victim@example.org",
        "alice@example.org,victim@example.org",
        "",
        "not an address",
    ],
)
async def test_hostile_addresses_get_a_form_error_and_no_mail(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer, email: str
) -> None:
    await make_user()
    response = await ask_for_link(client, email)
    assert response.status_code == 400
    assert "Enter a valid e-mail address" in response.text
    assert len(response.text) < 50_000  # a huge input is not echoed back whole
    await worker.run_once()
    assert mail_server.messages == []


async def test_an_address_with_a_trailing_line_break_mails_only_the_account(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user()
    response = await ask_for_link(client, "alice@example.org\r\n")
    assert response.status_code == 200
    await worker.run_once()
    [mail] = mail_server.messages
    assert mail.recipients == ["alice@example.org"]
    assert mail.message["Bcc"] is None


async def test_a_huge_form_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    token = csrf_from((await client.get("/password/forgot")).text)
    response = await client.post(
        "/password/forgot",
        data={"email": "a" * (2 * 1024 * 1024), "csrf_token": token},
        headers={"origin": ORIGIN},
    )
    assert response.status_code == 413


async def test_an_address_sent_as_a_file_is_no_address(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = csrf_from((await client.get("/password/forgot")).text)
    response = await client.post(
        "/password/forgot",
        data={"csrf_token": token},
        files={"email": ("email.txt", b"alice@example.org")},
        headers={"origin": ORIGIN},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "1.2.3",
        "x" * 5000,
        "%C3%A9t%C3%A9",
        "1.99999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%0D%0ASet-Cookie:%20x=y",
        "..%2E",
    ],
)
async def test_bad_links_get_a_clear_page(
    client: httpx.AsyncClient, db: Database, token: str
) -> None:
    await make_user()
    link = await client.get(f"/password/reset/{token}")
    assert link.status_code == 303
    assert link.headers["location"] == "/password/reset"
    assert link.headers["referrer-policy"] == "no-referrer"
    assert "x=y" not in link.headers.get("set-cookie", "")
    assert "set-cookie" not in link.headers  # a bad link makes no session
    page = await client.get("/password/reset")
    assert page.status_code == 400
    assert "This link does not work" in page.text


async def test_a_link_with_a_slash_names_no_page(client: httpx.AsyncClient, db: Database) -> None:
    assert (await client.get("/password/reset/..%2F..%2Fadmin")).status_code == 404


async def test_an_expired_link_gets_the_same_clear_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    alice = await make_user()
    expired = reset_token(TEST_SECRET, alice, utcnow() - timedelta(seconds=1))
    response = await follow(client, f"/password/reset/{expired}")
    assert response.status_code == 400
    assert "it expired" in response.text


async def test_the_form_without_a_link_says_so(client: httpx.AsyncClient, db: Database) -> None:
    page = await client.get("/password/reset")
    assert page.status_code == 400
    assert "This link does not work" in page.text
    token = csrf_from((await client.get("/password/forgot")).text)
    posted = await client.post(
        "/password/reset", data={"password": NEW, "csrf_token": token}, headers={"origin": ORIGIN}
    )
    assert posted.status_code == 400
    assert "This link does not work" in posted.text


async def test_a_refused_password_keeps_the_link_usable(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user()
    await ask_for_link(client, "alice@example.org")
    await client.get(await received_link(worker, mail_server))
    for weak in ("short", "x" * 5000):
        refused = await submit(client, "/password/reset", {"password": weak})
        assert refused.status_code == 400
        assert "The password must have 10 to 1024 characters" in refused.text
    assert (await submit(client, "/password/reset", {"password": NEW})).status_code == 303
    assert await authenticate("alice", NEW) is not None


async def test_a_link_dies_when_the_password_changes_meanwhile(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    alice = await make_user()
    await ask_for_link(client, "alice@example.org")
    await client.get(await received_link(worker, mail_server))
    form = await client.get("/password/reset")
    await Account.filter(id=alice.id).update(password_hash="$argon2id$changed-elsewhere")
    response = await client.post(
        "/password/reset",
        data={"password": NEW, "csrf_token": csrf_from(form.text)},
        headers={"origin": ORIGIN},
    )
    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert await authenticate("alice", NEW) is None


async def test_a_link_does_not_work_for_a_suspended_account(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    alice = await make_user()
    await ask_for_link(client, "alice@example.org")
    path = await received_link(worker, mail_server)
    await disable_account(alice)
    assert (await follow(client, path)).status_code == 400


async def test_someone_logged_in_as_another_ends_up_as_the_links_account(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user("alice")
    await make_user("bob")
    await log_in(client, "bob")
    await ask_for_link(client, "alice@example.org")
    await client.get(await received_link(worker, mail_server))
    assert (await submit(client, "/password/reset", {"password": NEW})).status_code == 303
    account = await client.get("/account")
    assert "alice@example.org" in account.text


async def test_after_a_reset_the_site_keeps_the_language_the_person_was_reading(
    client: httpx.AsyncClient, db: Database, worker: Worker, mail_server: MailServer
) -> None:
    await make_user("lea", language="fr")  # her account says French; her browser, English
    await ask_for_link(client, "lea@example.org")
    assert mail_server.messages == []
    await client.get(await received_link(worker, mail_server))
    assert mail_server.messages[0].message["Content-Language"] == "fr"  # the mail: hers
    await submit(client, "/password/reset", {"password": NEW})
    home = await client.get("/")
    assert '<html lang="en">' in home.text
    assert "Your new password is set" in home.text
