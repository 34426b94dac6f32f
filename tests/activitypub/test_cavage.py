"""draft-cavage signatures: Mastodon's own vectors, our signer, and hostile requests."""

from __future__ import annotations

import base64
import contextlib
import json
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from activitypub.cavage import (
    CavageSignature,
    cavage_signing_string,
    check_cavage_request,
    lower_headers,
    parse_signature_header,
    sign_cavage,
    verify_cavage_signature,
)
from activitypub.digest import content_digest_header, digest_header
from activitypub.errors import (
    DigestMismatch,
    SignatureError,
    SignatureExpired,
    SignatureIncomplete,
    SignatureInvalid,
    SignatureMalformed,
)
from activitypub.keys import KeyPair, generate_ed25519_key, load_private_key_pem

FIXTURES = Path(__file__).parent / "fixtures"
VECTORS: list[dict[str, Any]] = json.loads((FIXTURES / "mastodon_spec_vectors.json").read_text())[
    "vectors"
]
KEY_ID = "https://remote.domain/users/bob#main-key"
NOW = 1703066400.0  # 2023-12-20T10:00:00Z, Mastodon's travel_to time
PRIVATE = load_private_key_pem((FIXTURES / "mastodon_spec_key.pem").read_text())
assert isinstance(PRIVATE, rsa.RSAPrivateKey)
PUBLIC = PRIVATE.public_key()
PAIR = KeyPair(KEY_ID, PRIVATE)
DATE = formatdate(NOW, usegmt=True)


def verify(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes = b"",
    *,
    now: float = NOW,
    key: Any = PUBLIC,
    query_quirk: bool = True,
) -> CavageSignature:
    """The whole inbound check for one request; raises on refusal."""
    lowered = lower_headers(headers)
    sig = parse_signature_header(lowered["signature"])
    check_cavage_request(sig, method=method, headers=lowered, body=body, now=now)
    verify_cavage_signature(
        sig, key, method=method, target=target, headers=lowered, query_quirk=query_quirk
    )
    return sig


def signed_post(
    target: str = "/inbox", body: bytes = b'{"type": "Follow"}', **extra: str
) -> dict[str, str]:
    headers = {
        "host": "local.example",
        "date": DATE,
        "digest": digest_header(body),
        "content-type": "application/activity+json",
        **extra,
    }
    headers["signature"] = sign_cavage("POST", target, headers, PAIR)
    return headers


# --- Mastodon's vectors -------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_mastodon_vectors_reach_mastodons_verdict(vector: dict[str, Any]) -> None:
    headers = {**vector["headers"], "Signature": vector["signature"]}
    body = vector.get("body", "").encode()
    if vector["expect"].startswith("valid"):
        sig = verify(vector["method"], vector["path"], headers, body)
        assert sig.key_id == KEY_ID
    else:
        with pytest.raises(SignatureError):
            verify(vector["method"], vector["path"], headers, body)


def test_mastodon_vector_refusals_have_the_right_reason() -> None:
    by_name = {v["name"]: v for v in VECTORS}

    def reason(name: str) -> type[SignatureError]:
        v = by_name[name]
        headers = {**v["headers"], "Signature": v["signature"]}
        with pytest.raises(SignatureError) as info:
            verify(v["method"], v["path"], headers, v.get("body", "").encode())
        return type(info.value)

    assert reason("get_query_mismatch") is SignatureInvalid
    assert reason("get_path_mismatch") is SignatureInvalid
    assert reason("unparsable_date") is SignatureMalformed
    assert reason("older_than_a_day") is SignatureExpired
    assert reason("post_digest_not_signed") is SignatureIncomplete
    assert reason("post_tampered_body") is DigestMismatch
    assert reason("post_tampered_path") is SignatureInvalid
    # method_mismatch is refused by policy (POST without digest) and, on its own,
    # by the cryptography too: the method is part of (request-target).
    v = by_name["method_mismatch"]
    headers = lower_headers({**v["headers"], "Signature": v["signature"]})
    with pytest.raises(SignatureInvalid):
        verify_cavage_signature(
            parse_signature_header(headers["signature"]),
            PUBLIC,
            method="POST",
            target=v["path"],
            headers=headers,
        )


def test_query_quirk_can_be_switched_off() -> None:
    v = next(v for v in VECTORS if v["name"] == "get_query_missing_from_signature_quirk")
    headers = {**v["headers"], "Signature": v["signature"]}
    with pytest.raises(SignatureInvalid):
        verify("GET", v["path"], headers, query_quirk=False)


def test_our_signer_reproduces_mastodons_signature_bytes() -> None:
    # RSA PKCS#1 v1.5 is deterministic: same key, same string -> same signature.
    v = next(v for v in VECTORS if v["name"] == "post_valid")
    headers = lower_headers(v["headers"])
    value = sign_cavage(
        "POST", v["path"], headers, PAIR, covered=["host", "date", "digest", "(request-target)"]
    )
    assert (
        parse_signature_header(value).signature == parse_signature_header(v["signature"]).signature
    )


# --- our outbound shape -------------------------------------------------------------


def test_post_is_signed_like_mastodon() -> None:
    headers = signed_post("/inbox?x=1")
    sig = parse_signature_header(headers["signature"])
    assert sig.algorithm == "rsa-sha256"
    assert sig.key_id == KEY_ID
    assert sig.headers == ("(request-target)", "host", "date", "digest", "content-type")
    text = cavage_signing_string(
        sig.headers, method="POST", target="/inbox?x=1", headers=lower_headers(headers)
    )
    assert text.splitlines()[0] == "(request-target): post /inbox?x=1"
    verify("POST", "/inbox?x=1", headers, b'{"type": "Follow"}')


def test_get_is_signed_like_mastodon() -> None:
    headers = {"host": "local.example", "date": DATE, "accept": "application/activity+json"}
    headers["signature"] = sign_cavage("GET", "/actors/1?page=2", headers, PAIR)
    sig = verify("GET", "/actors/1?page=2", headers)
    assert sig.headers == ("(request-target)", "host", "date", "accept")


def test_ed25519_signs_hs2019_and_verifies() -> None:
    key = generate_ed25519_key()
    headers = {"host": "local.example", "date": DATE, "digest": digest_header(b"x")}
    headers["signature"] = sign_cavage("POST", "/inbox", headers, KeyPair("k", key))
    sig = verify("POST", "/inbox", headers, b"x", key=key.public_key())
    assert sig.algorithm == "hs2019"
    with pytest.raises(SignatureInvalid):
        verify("POST", "/inbox", headers, b"x", key=PUBLIC)


# --- hostile requests ---------------------------------------------------------------


@pytest.mark.parametrize("offset", [-3601.0, 3601.0, 2 * 86400.0])
def test_stale_or_future_date_is_refused(offset: float) -> None:
    headers = signed_post()
    with pytest.raises(SignatureExpired):
        verify("POST", "/inbox", headers, b'{"type": "Follow"}', now=NOW + offset)


def test_date_within_the_window_is_accepted() -> None:
    verify("POST", "/inbox", signed_post(), b'{"type": "Follow"}', now=NOW + 3500)


def test_replay_after_the_window_is_refused_even_though_crypto_is_fine() -> None:
    headers = signed_post()
    verify("POST", "/inbox", headers, b'{"type": "Follow"}')
    with pytest.raises(SignatureExpired):
        verify("POST", "/inbox", headers, b'{"type": "Follow"}', now=NOW + 7200)


def _hs2019(
    covered: str, created: int, expires: int | None, algorithm: str = "hs2019"
) -> dict[str, str]:
    headers = {"host": "local.example", "date": DATE}
    names = covered.split()
    text = cavage_signing_string(
        names, method="GET", target="/a", headers=headers, created=created, expires=expires
    )
    signature = base64.b64encode(PAIR.sign(text.encode())).decode()
    extra = f",expires={expires}" if expires is not None else ""
    headers["signature"] = (
        f'keyId="{KEY_ID}",algorithm="{algorithm}",created={created}{extra},'
        f'headers="{covered}",signature="{signature}"'
    )
    return headers


def test_created_and_expires_pseudo_headers() -> None:
    covered = "(request-target) host (created) (expires)"
    verify("GET", "/a", _hs2019(covered, int(NOW) - 10, int(NOW) + 300))
    with pytest.raises(SignatureExpired, match="expired"):
        verify("GET", "/a", _hs2019(covered, int(NOW) - 600, int(NOW) - 1))
    with pytest.raises(SignatureExpired, match="created"):
        verify("GET", "/a", _hs2019(covered, int(NOW) - 7200, int(NOW) + 300))
    with pytest.raises(SignatureMalformed, match="hs2019"):
        verify("GET", "/a", _hs2019(covered, int(NOW), int(NOW) + 300, "rsa-sha256"))


def test_expires_in_the_past_is_refused_even_when_date_is_fresh() -> None:
    headers = _hs2019("(request-target) host date", int(NOW), int(NOW) - 5)
    with pytest.raises(SignatureExpired):
        verify("GET", "/a", headers)


def test_digest_mismatch_and_content_digest() -> None:
    with pytest.raises(DigestMismatch):
        verify("POST", "/inbox", signed_post(), b'{"type": "Undo"}')
    body = b'{"type": "Like"}'
    headers = {"host": "local.example", "date": DATE, "content-digest": content_digest_header(body)}
    headers["signature"] = sign_cavage(
        "POST",
        "/inbox",
        headers,
        PAIR,
        covered=["(request-target)", "host", "date", "content-digest"],
    )
    verify("POST", "/inbox", headers, body)
    with pytest.raises(DigestMismatch):
        verify("POST", "/inbox", headers, body + b" ")


def test_signed_digest_header_that_is_absent_is_refused() -> None:
    headers = signed_post()
    del headers["digest"]
    with pytest.raises(DigestMismatch):
        verify("POST", "/inbox", headers, b'{"type": "Follow"}')


def test_unsigned_digest_on_post_is_refused() -> None:
    body = b"{}"
    headers = {"host": "local.example", "date": DATE, "digest": digest_header(body)}
    headers["signature"] = sign_cavage(
        "POST", "/inbox", headers, PAIR, covered=["(request-target)", "host", "date"]
    )
    with pytest.raises(SignatureIncomplete, match="digest"):
        verify("POST", "/inbox", headers, body)


def test_wrong_host_method_and_path_are_refused() -> None:
    body = b'{"type": "Follow"}'
    with pytest.raises(SignatureInvalid):
        verify("POST", "/inbox", {**signed_post(), "host": "other.example"}, body)
    with pytest.raises(SignatureInvalid):
        verify("PUT", "/inbox", signed_post(), body)
    with pytest.raises(SignatureInvalid):
        verify("POST", "/users/alice/inbox", signed_post(), body)


def test_query_string_tampering_is_refused() -> None:
    headers = {"host": "local.example", "date": DATE}
    headers["signature"] = sign_cavage("GET", "/outbox?page=1", headers, PAIR)
    verify("GET", "/outbox?page=1", headers)
    with pytest.raises(SignatureInvalid):
        verify("GET", "/outbox?page=2", headers)
    with pytest.raises(SignatureInvalid):
        verify("GET", "/outbox", headers)


@pytest.mark.parametrize(
    ("covered", "error"),
    [
        ("host date digest", SignatureIncomplete),  # no (request-target)
        ("(request-target) date digest", SignatureIncomplete),  # no host
        ("(request-target) host digest", SignatureIncomplete),  # no date / (created)
    ],
)
def test_missing_required_components(covered: str, error: type[SignatureError]) -> None:
    headers = signed_post()
    headers["signature"] = sign_cavage(
        "POST", "/inbox", lower_headers(headers), PAIR, covered=covered.split()
    )
    with pytest.raises(error):
        verify("POST", "/inbox", headers, b'{"type": "Follow"}')


def test_signed_header_missing_from_request() -> None:
    headers = signed_post()
    del headers["content-type"]
    with pytest.raises(SignatureIncomplete, match="content-type"):
        verify("POST", "/inbox", headers, b'{"type": "Follow"}')


def test_unsupported_algorithm_and_key_mismatch() -> None:
    headers = signed_post()
    headers["signature"] = headers["signature"].replace("rsa-sha256", "rsa-sha512")
    with pytest.raises(SignatureInvalid, match="unsupported"):
        verify("POST", "/inbox", headers, b'{"type": "Follow"}')
    ed_key = generate_ed25519_key().public_key()
    with pytest.raises(SignatureInvalid, match="does not fit"):
        verify("POST", "/inbox", signed_post(), b'{"type": "Follow"}', key=ed_key)


def test_line_breaks_in_signed_values_are_refused() -> None:
    with pytest.raises(SignatureMalformed):
        cavage_signing_string(["host"], method="GET", target="/", headers={"host": "a\nb: c"})


# --- the parser ---------------------------------------------------------------------


def test_parser_tolerates_spacing_order_and_unknown_params() -> None:
    sig = parse_signature_header(
        ' signature = "AAAA" , headers="(Request-Target)  Host date",'
        ' keyId= "https://a.example/k" ,foo=bar, created=1703066400 , '
    )
    assert sig == CavageSignature(
        key_id="https://a.example/k",
        algorithm=None,
        headers=("(request-target)", "host", "date"),
        signature=b"\x00\x00\x00",
        created=1703066400,
        expires=None,
    )
    assert parse_signature_header('keyId="k",signature="AAAA"').headers == ("date",)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        'keyId="k"',
        'signature="AAAA"',
        'keyId="k",signature="not base64!"',
        'keyId="k",signature=""',
        'keyId="k",keyId="j",signature="AAAA"',
        'keyId="k,signature="AAAA"',
        'keyId="k";signature="AAAA"',
        'keyId="k",signature="AAAA",headers=""',
        'keyId="k",signature="AAAA",created="soon"',
        'keyId="k",signature="AAAA",expires=-1',
        'keyId="k" signature="AAAA"',
        'keyId="k",signature="AAAA",headers="date"' + " " * 9000,
        'keyId="' + "k" * 100_000 + '",signature="AAAA"',
    ],
)
def test_parser_refuses_malformed_headers(value: str) -> None:
    with pytest.raises(SignatureMalformed):
        parse_signature_header(value)


@given(st.text(max_size=300))
def test_parser_raises_only_signature_malformed(text: str) -> None:
    try:
        sig = parse_signature_header(text)
    except SignatureMalformed:
        return
    assert sig.key_id
    assert sig.signature
    assert sig.headers


@given(
    st.text(alphabet='keyIdsgnatureh=",() \t-0123456789AB+/', max_size=200),
)
def test_parser_on_near_miss_text_raises_only_signature_malformed(text: str) -> None:
    with contextlib.suppress(SignatureMalformed):
        parse_signature_header(text)


_NAME = st.from_regex(r"x-[a-z0-9-]{1,12}", fullmatch=True)
_VALUE = st.from_regex(r"[!-~]([ -~]{0,30}[!-~])?", fullmatch=True)
_PATH = st.from_regex(
    r"/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,40}(\?[A-Za-z0-9=&%._-]{0,30})?", fullmatch=True
)


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    target=_PATH,
    extra=st.dictionaries(_NAME, _VALUE, max_size=4),
    body=st.binary(max_size=512),
)
def test_sign_then_verify_round_trips(
    method: str, target: str, extra: dict[str, str], body: bytes
) -> None:
    headers = {"host": "local.example", "date": DATE, "digest": digest_header(body), **extra}
    covered = ["(request-target)", "host", "date", "digest", *extra]
    headers["signature"] = sign_cavage(method, target, headers, PAIR, covered=covered)
    sig = verify(method, target, headers, body)
    assert sig.headers == tuple(covered)
    with pytest.raises(SignatureInvalid):
        verify(method, target + "x", headers, body, query_quirk=False)
