"""Ids and origins: what is an acceptable id, and when two ids share an owner."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activitypub.errors import InvalidDocument
from activitypub.ids import (
    MAX_ID_LENGTH,
    Origin,
    check_id,
    is_valid_id,
    normalize_host,
    origin_of,
    same_origin,
    strip_fragment,
)


@pytest.mark.parametrize(
    "value",
    [
        "https://mastodon.example/users/alice",
        "http://mobilizon.example/@bob",
        "https://mastodon.example/users/alice#main-key",
        "https://mastodon.example/users/alice#votes/42/activity",
        "https://localhost:8000/actor",
        "https://[2001:db8::1]/actor",
        "https://bücher.example/u/ü",
        "https://Mastodon.EXAMPLE/users/Alice",
        "https://mastodon.example./users/alice",
        "https://wordpress.example/a-post/#activity#activity",
    ],
)
def test_accepts_real_ids(value: str) -> None:
    assert is_valid_id(value)
    assert check_id(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        42,
        ["https://mastodon.example/users/alice"],
        "",
        "/users/alice",
        "mastodon.example/users/alice",
        "ftp://mastodon.example/users/alice",
        "javascript:alert(1)",
        "https://good.example@evil.example/users/alice",
        "https://good.example:443@evil.example/",
        "https://evil.example\\@good.example/",
        "https://mastodon.example/users/alice\n",
        "https://mastodon.example/users/al ice",
        "https://mastodon.example/users/\u202ealice",
        "https://mastodon.example/users/alice#",
        "https://mastodon.example:0/users/alice",
        "https://mastodon.example:99999/users/alice",
        "https://{{DOMAIN}}/actor",
        "https://1.2.3/actor",
        "https:///users/alice",
        "https://" + "a" * MAX_ID_LENGTH + ".example/",
    ],
)
def test_refuses_unsafe_ids(value: object) -> None:
    assert not is_valid_id(value)
    with pytest.raises(InvalidDocument):
        check_id(value)


def test_https_can_be_required() -> None:
    assert is_valid_id("http://mobilizon.example/@bob")
    assert not is_valid_id("http://mobilizon.example/@bob", require_https=True)


def test_origin_is_scheme_folded_host_and_effective_port() -> None:
    assert origin_of("HTTPS://Mastodon.EXAMPLE/users/alice") == Origin(
        "https", "mastodon.example", 443
    )
    assert origin_of("http://localhost:8000/x") == Origin("http", "localhost", 8000)
    assert origin_of("https://bücher.example/") == Origin("https", "xn--bcher-kva.example", 443)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://mastodon.example/users/alice", "https://mastodon.example/users/bob#k", True),
        ("https://mastodon.example/x", "https://MASTODON.example:443/y", True),
        ("https://mastodon.example./x", "https://mastodon.example/y", True),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/b", True),
        ("https://mastodon.example/x", "http://mastodon.example/x", False),
        ("https://mastodon.example/x", "https://mastodon.example:8443/x", False),
        # The classic prefix bug: the first is a prefix of the second.
        ("https://mastodon.example", "https://mastodon.example.evil.example/x", False),
        ("https://mastodon.example/x", "https://evil.example/mastodon.example/x", False),
        ("https://mastodon.example/x", "https://mastodon.example@evil.example/x", False),
        ("not a url", "not a url", False),
    ],
)
def test_same_origin(a: str, b: str, same: bool) -> None:
    assert same_origin(a, b) is same
    assert same_origin(b, a) is same


def test_origin_prints_without_default_port() -> None:
    assert str(origin_of("https://a.example/x")) == "https://a.example"
    assert str(origin_of("http://a.example:8000/x")) == "http://a.example:8000"
    assert str(origin_of("https://[2001:db8::1]:444/")) == "https://[2001:db8::1]:444"


def test_strip_fragment_gives_the_document_url() -> None:
    assert (
        strip_fragment("https://mastodon.example/users/alice#main-key")
        == "https://mastodon.example/users/alice"
    )
    with pytest.raises(InvalidDocument):
        strip_fragment("javascript:alert(1)#x")


def test_normalize_host() -> None:
    assert normalize_host("Mastodon.Example") == "mastodon.example"
    assert normalize_host("[::1]") == "::1"
    assert normalize_host("127.0.0.1") == "127.0.0.1"
    for bad in ("", "a..b", "-a.example", "a b.example", "exa\x00mple", "0x7f.1"):
        with pytest.raises(InvalidDocument):
            normalize_host(bad)


@given(st.text(max_size=300))
def test_arbitrary_text_never_raises_anything_else(text: str) -> None:
    valid = is_valid_id(text)
    assert same_origin(text, text) is valid
    if valid:
        assert origin_of(text).scheme in {"http", "https"}
    else:
        with pytest.raises(InvalidDocument):
            origin_of(text)


@given(
    st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]\.example", fullmatch=True),
    st.from_regex(r"/[A-Za-z0-9/_.-]{0,40}", fullmatch=True),
)
def test_every_path_on_a_host_shares_its_origin(host: str, path: str) -> None:
    assert same_origin(f"https://{host}/", f"https://{host.upper()}{path}")
    assert not same_origin(f"https://{host}/", f"https://{host}.evil.example{path}")
