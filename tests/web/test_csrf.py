import httpx
import pytest
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute

from fedimob.db import Database
from fedimob.models import WebSession
from tests.web.forms import ORIGIN, PASSWORD, csrf_from, log_in, make_user
from web.endpoints import serve
from web.i18n import Catalogues

CREDENTIALS = {"username": "alice", "password": PASSWORD}


@pytest.fixture
async def token(client: httpx.AsyncClient, db: Database) -> str:
    await make_user()
    return csrf_from((await client.get("/login")).text)


async def test_a_form_with_its_token_from_our_origin_passes(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.post(
        "/login", data={**CREDENTIALS, "csrf_token": token}, headers={"origin": ORIGIN}
    )
    assert response.status_code == 303


async def test_missing_token_is_refused_with_a_clear_page(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.post("/login", data=CREDENTIALS, headers={"origin": ORIGIN})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "reload the page" in response.text
    assert "Log out" not in response.text  # not logged in: the form did nothing


async def test_wrong_token_is_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        "/login", data={**CREDENTIALS, "csrf_token": token[:-2] + "xx"}, headers={"origin": ORIGIN}
    )
    assert response.status_code == 403


async def test_another_sessions_token_is_refused(
    client: httpx.AsyncClient, token: str, settings: object
) -> None:
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as attacker:
        response = await attacker.post(
            "/login", data={**CREDENTIALS, "csrf_token": token}, headers={"origin": ORIGIN}
        )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://fedimob.test"},  # same host, other scheme
        {"origin": "null"},
        {"referer": "https://evil.example/fedimob.test/login"},
        {"referer": "http://["},  # unparseable: refused, not a 500
        {"referer": "http://[::1"},
        {"referer": "http://a]b/"},
        {},  # neither Origin nor Referer
    ],
)
async def test_foreign_or_unknown_origin_is_refused(
    client: httpx.AsyncClient, token: str, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/login", data={**CREDENTIALS, "csrf_token": token}, headers=headers
    )
    assert response.status_code == 403
    assert "another site" in response.text


async def test_referer_stands_in_for_a_missing_origin(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.post(
        "/login",
        data={**CREDENTIALS, "csrf_token": token},
        headers={"referer": f"{ORIGIN}/login?next=/"},
    )
    assert response.status_code == 303


async def test_logged_in_forms_need_the_token_too(client: httpx.AsyncClient, token: str) -> None:
    await log_in(client)
    response = await client.post("/logout", headers={"origin": ORIGIN})
    assert response.status_code == 403
    assert (await client.get("/account")).status_code == 200  # still logged in


async def test_no_state_change_on_get(client: httpx.AsyncClient, token: str) -> None:
    await log_in(client)
    assert (await client.get("/logout")).status_code == 405
    assert (await client.get("/account")).status_code == 200


async def test_oversized_forms_are_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        "/login",
        data={"csrf_token": token, "username": "a" * (2 * 1024 * 1024)},
        headers={"origin": ORIGIN},
    )
    assert response.status_code == 413


async def test_language_switch_without_a_session_needs_only_our_origin(
    client: httpx.AsyncClient, db: Database
) -> None:
    ok = await client.post(
        "/language", data={"language": "fr", "next": "/"}, headers={"origin": ORIGIN}
    )
    assert ok.status_code == 303
    assert await WebSession.all().count() == 1
    forged = await client.post(
        "/language",
        data={"language": "en", "next": "/"},
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    # Now that a session exists, its token is required like everywhere else.
    tokenless = await client.post(
        "/language", data={"language": "en", "next": "/"}, headers={"origin": ORIGIN}
    )
    assert tokenless.status_code == 403


def test_every_web_route_is_served_through_the_checks() -> None:
    async def endpoint(request: Request) -> Response:
        return Response("ok")

    class ClassEndpoint(HTTPEndpoint):
        pass

    catalogues = Catalogues()
    [mount] = serve([Mount("/dash", routes=[Route("/x", endpoint, methods=["POST"])])], catalogues)
    assert isinstance(mount, Mount)
    [inner] = mount.routes
    assert isinstance(inner, Route)
    assert inner.endpoint is not endpoint  # wrapped
    for unchecked in (Route("/c", ClassEndpoint), WebSocketRoute("/ws", endpoint)):
        with pytest.raises(TypeError):
            serve([unchecked], catalogues)


async def test_a_client_gone_before_its_form_arrived_gets_a_400_and_no_traceback(
    app: Starlette, client: httpx.AsyncClient, token: str
) -> None:
    """The body stops short of its Content-Length and the client hangs up."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/login", "raw_path": b"/login", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("localhost", 80),
        "headers": [
            (b"host", ORIGIN.split("//")[1].encode()), (b"origin", ORIGIN.encode()),
            (b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"100"),
        ],
    }  # fmt: skip
    arriving = [
        {"type": "http.request", "body": b"username=alice", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app(scope, receive, send)  # raised ClientDisconnect before
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 400


async def test_a_malformed_multipart_form_gets_the_sites_error_page(
    client: httpx.AsyncClient, token: str
) -> None:
    refused = await client.post(
        "/login",
        content=b"--x\r\n",
        headers={"origin": ORIGIN, "content-type": "multipart/form-data"},  # no boundary
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in refused.text
