"""The site's icon: named by every page, served from /static and at /favicon.ico."""

import re
import xml.etree.ElementTree as ET

import httpx

from fedimob.db import Database

SVG = "{http://www.w3.org/2000/svg}"


async def test_every_page_names_the_icon_and_it_is_there(
    client: httpx.AsyncClient, db: Database
) -> None:
    for path in ("/", "/login", "/campaigns/nope"):
        page = (await client.get(path)).text
        found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
        assert found, path
        icon = await client.get(found.group(1))
        assert icon.status_code == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")


async def test_favicon_ico_answers_with_the_icon(client: httpx.AsyncClient, db: Database) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert "max-age=" in icon.headers["cache-control"]
    assert "set-cookie" not in icon.headers  # no session for an icon
    assert icon.content == (await client.get("/static/favicon.svg")).content
    head = await client.head("/favicon.ico")
    assert head.status_code == 200
    assert head.content == b""


async def test_favicon_ico_refuses_other_methods_without_an_error(
    client: httpx.AsyncClient, db: Database
) -> None:
    for method in ("POST", "PUT", "DELETE"):
        response = await client.request(method, "/favicon.ico", content=b"x" * 1000)
        assert response.status_code == 405, method
    assert (await client.get("/favicon.ico/../../etc/passwd")).status_code == 404
    assert (await client.get("/favicon.ico?x=" + "a" * 5000)).status_code == 200


async def test_the_icon_is_a_small_drawing_in_the_sites_colours(
    client: httpx.AsyncClient, db: Database
) -> None:
    body = (await client.get("/favicon.ico")).content
    assert len(body) < 2048
    root = ET.fromstring(body)  # noqa: S314 (our own file; the test checks it is well-formed)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 32 32"
    assert not list(root.iter(f"{SVG}script"))
    style = (await client.get("/static/style.css")).text
    colours = {element.get(name) for element in root.iter() for name in ("fill", "stroke")}
    colours -= {None, "none"}
    assert colours
    for colour in colours:
        assert colour in style, colour  # the accent and background of style.css
