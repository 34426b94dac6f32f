"""Digest and Content-Digest: known answers, tolerance, and refusals."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activitypub.digest import (
    content_digest_header,
    digest_header,
    verify_content_digest,
    verify_digest,
)
from activitypub.errors import DigestMismatch

# RFC 9530 section 2 / RFC 9421 appendix B.2 use this body.
HELLO = b'{"hello": "world"}'
HELLO_SHA256 = "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
HELLO_SHA512 = (
    "WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew=="
)


def test_known_answers() -> None:
    assert content_digest_header(HELLO) == f"sha-256=:{HELLO_SHA256}:"
    assert content_digest_header(HELLO, "sha-512") == f"sha-512=:{HELLO_SHA512}:"
    # Mastodon's spec vector for the body "Hello world".
    assert digest_header(b"Hello world") == "SHA-256=ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw="
    assert digest_header(HELLO, "SHA-512") == f"SHA-512={HELLO_SHA512}"


@pytest.mark.parametrize(
    "value",
    [
        f"SHA-256={HELLO_SHA256}",
        f"sha-256={HELLO_SHA256}",
        f"MD5=abc, SHA-256={HELLO_SHA256}",
        f"SHA-256={HELLO_SHA256},SHA-512={HELLO_SHA512}",
        f" SHA-512={HELLO_SHA512} ",
    ],
)
def test_digest_accepts_valid_forms(value: str) -> None:
    verify_digest(value, HELLO)


@pytest.mark.parametrize(
    "value",
    [
        f"SHA-256={HELLO_SHA256}",
        f"SHA-256={HELLO_SHA256},SHA-512={base64.b64encode(b'x' * 64).decode()}",
        "MD5=abc",
        "SHA-256=not base64!",
        "SHA-256",
        "",
        "SHA-256=" + "A" * 5000,
    ],
)
def test_digest_refuses_wrong_unsupported_or_malformed(value: str) -> None:
    with pytest.raises(DigestMismatch):
        verify_digest(value, HELLO + b" ")


@pytest.mark.parametrize(
    "value",
    [
        f"sha-256=:{HELLO_SHA256}:",
        f"sha-512=:{HELLO_SHA512}:",
        f"sha-256=:{HELLO_SHA256}:, sha-512=:{HELLO_SHA512}:",
        f"md5=:AAAA:, SHA-256=:{HELLO_SHA256}:",
    ],
)
def test_content_digest_accepts_valid_forms(value: str) -> None:
    verify_content_digest(value, HELLO)


@pytest.mark.parametrize(
    "value",
    [
        f"sha-256={HELLO_SHA256}",  # not a byte sequence
        f"sha-256=:{HELLO_SHA256}",
        "md5=:AAAA:",
        "sha-256=:!!!!:",
        f"sha-512=:{HELLO_SHA256}:",
    ],
)
def test_content_digest_refuses(value: str) -> None:
    with pytest.raises(DigestMismatch):
        verify_content_digest(value, HELLO)


def test_one_byte_of_difference_is_caught() -> None:
    with pytest.raises(DigestMismatch, match="does not match"):
        verify_content_digest(content_digest_header(HELLO), HELLO[:-1])


@given(st.binary(max_size=4096), st.sampled_from(["sha-256", "sha-512"]))
def test_round_trip_and_tamper(body: bytes, algorithm: str) -> None:
    verify_digest(digest_header(body, algorithm), body)
    verify_content_digest(content_digest_header(body, algorithm), body)
    with pytest.raises(DigestMismatch):
        verify_digest(digest_header(body, algorithm), body + b"!")
    with pytest.raises(DigestMismatch):
        verify_content_digest(content_digest_header(body, algorithm), b"!" + body)
    assert digest_header(body).endswith(base64.b64encode(hashlib.sha256(body).digest()).decode())
