import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount, NoMatchFound, Route
from starlette.staticfiles import StaticFiles

from web.routes import STATIC
from web.urls import url_path_for


async def nothing() -> Response:
    return Response()


def test_paths_are_starlettes_whatever_the_order_of_asking() -> None:
    router = Starlette(
        routes=[
            Route("/", nothing, name="index"),
            Route("/things/{slug}", nothing, name="thing"),
            Route("/things", nothing, name="thing"),  # same name, no parameter
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    ).router
    asks = [
        ("thing", {"slug": "a"}),
        ("thing", {}),
        ("thing", {"slug": "b c"}),
        ("static", {"path": "style.css"}),
        ("index", {}),
        ("thing", {"slug": "a"}),
    ]
    for _ in range(2):  # the second time from what was remembered
        for name, params in asks:
            assert url_path_for(router, name, **params) == router.url_path_for(name, **params)
    assert url_path_for(router, "thing", slug="a") == "/things/a"
    with pytest.raises(NoMatchFound):
        url_path_for(router, "nowhere")
    with pytest.raises(NoMatchFound):
        url_path_for(router, "index", slug="x")
