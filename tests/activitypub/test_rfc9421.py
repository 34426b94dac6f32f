"""RFC 9421 HTTP Message Signatures: the RFC's own vector, round trips, refusals."""

from __future__ import annotations

import base64
import contextlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from activitypub.cavage import lower_headers
from activitypub.digest import content_digest_header
from activitypub.errors import (
    DigestMismatch,
    SignatureError,
    SignatureExpired,
    SignatureIncomplete,
    SignatureInvalid,
    SignatureMalformed,
)
from activitypub.keys import (
    KeyPair,
    PublicKey,
    generate_ed25519_key,
    generate_rsa_key,
    load_private_key_pem,
    load_public_key_pem,
)
from activitypub.rfc9421 import (
    Rfc9421Signature,
    check_rfc9421_request,
    parse_rfc9421_headers,
    rfc9421_signature_base,
    sign_rfc9421,
    verify_rfc9421_signature,
)
from activitypub.structured_fields import (
    StructuredFieldError,
    Token,
    parse_dictionary,
    serialize_bare_item,
    serialize_inner_list,
)

# RFC 9421 appendix B.1.4 (test-key-ed25519) and B.2.6 (a deterministic signature).
RFC_ED25519_PRIVATE = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
    "-----END PRIVATE KEY-----\n"
)
RFC_ED25519_PUBLIC = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
    "-----END PUBLIC KEY-----\n"
)
RFC_HEADERS = {
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu"
    "7BNNyealdVLvRwEmTHWXvJwew==:",
    "Content-Length": "18",
}
RFC_TARGET = "/foo?param=Value&Pet=dog"
RFC_BODY = b'{"hello": "world"}'
B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = (
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw"
    "==:"
)
B26_BASE = (
    '"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
    '"@method": POST\n'
    '"@path": /foo\n'
    '"@authority": example.com\n'
    '"content-type": application/json\n'
    '"content-length": 18\n'
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type"'
    ' "content-length");created=1618884473;keyid="test-key-ed25519"'
)

NOW = 1703066400.0
RSA_PAIR = KeyPair("https://remote.example/users/bob#main-key", generate_rsa_key())
ED_PAIR = KeyPair("https://remote.example/users/eve#ed", generate_ed25519_key())


def test_rfc9421_b26_known_answer() -> None:
    headers = lower_headers(RFC_HEADERS)
    sig = parse_rfc9421_headers(B26_INPUT, B26_SIGNATURE)
    assert sig.label == "sig-b26"
    assert sig.key_id == "test-key-ed25519"
    assert sig.created == 1618884473
    base = rfc9421_signature_base(
        sig.components, sig.params_value, method="POST", target=RFC_TARGET, headers=headers
    )
    assert base == B26_BASE
    verify_rfc9421_signature(
        sig,
        load_public_key_pem(RFC_ED25519_PUBLIC),
        method="POST",
        target=RFC_TARGET,
        headers=headers,
    )
    pair = KeyPair("test-key-ed25519", load_private_key_pem(RFC_ED25519_PRIVATE))
    assert sign_rfc9421(
        "POST",
        RFC_TARGET,
        headers,
        pair,
        components=list(sig.components),
        created=1618884473,
        label="sig-b26",
    ) == (B26_INPUT, B26_SIGNATURE)
    with pytest.raises(SignatureInvalid):
        verify_rfc9421_signature(
            sig,
            load_public_key_pem(RFC_ED25519_PUBLIC),
            method="PUT",
            target=RFC_TARGET,
            headers=headers,
        )
    # Valid cryptography, yet our policy wants the query and the body digest signed.
    with pytest.raises(SignatureIncomplete):
        check_rfc9421_request(
            sig,
            method="POST",
            target=RFC_TARGET,
            headers=headers,
            body=RFC_BODY,
            now=1618884473,
        )


def signed(
    pair: KeyPair,
    method: str = "POST",
    target: str = "/inbox",
    body: bytes = b'{"type": "Like"}',
    **options: object,
) -> dict[str, str]:
    headers = {"host": "local.example", "content-type": "application/activity+json"}
    if body or method == "POST":
        headers["content-digest"] = content_digest_header(body)
    created = options.pop("created", int(NOW))
    assert isinstance(created, int)
    signature_input, signature = sign_rfc9421(
        method,
        target,
        headers,
        pair,
        created=created,
        **options,  # type: ignore[arg-type]
    )
    return {**headers, "signature-input": signature_input, "signature": signature}


def verify(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    key: PublicKey,
    *,
    now: float = NOW,
    scheme: str = "https",
) -> Rfc9421Signature:
    lowered = lower_headers(headers)
    sig = parse_rfc9421_headers(lowered["signature-input"], lowered["signature"])
    check_rfc9421_request(sig, method=method, target=target, headers=lowered, body=body, now=now)
    verify_rfc9421_signature(sig, key, method=method, target=target, headers=lowered, scheme=scheme)
    return sig


@pytest.mark.parametrize("pair", [RSA_PAIR, ED_PAIR], ids=["rsa", "ed25519"])
def test_round_trip_default_components(pair: KeyPair) -> None:
    body = b'{"type": "Like"}'
    headers = signed(pair)
    assert headers["signature-input"].startswith(
        'sig1=("@method" "@target-uri" "content-digest");created=1703066400;keyid='
    )
    sig = verify("POST", "/inbox", headers, body, pair.public_key)
    assert sig.key_id == pair.key_id
    get = signed(pair, "GET", "/actors/1?page=2", b"")
    assert get["signature-input"].startswith('sig1=("@method" "@target-uri");')
    verify("GET", "/actors/1?page=2", get, b"", pair.public_key)


@pytest.mark.parametrize("pair", [RSA_PAIR, ED_PAIR], ids=["rsa", "ed25519"])
def test_alg_nonce_and_expires_are_honoured(pair: KeyPair) -> None:
    headers = signed(pair, include_alg=True, nonce="n-1", expires=int(NOW) + 60)
    sig = verify("POST", "/inbox", headers, b'{"type": "Like"}', pair.public_key)
    assert sig.alg in ("rsa-v1_5-sha256", "ed25519")
    assert sig.expires == int(NOW) + 60
    with pytest.raises(SignatureExpired):
        verify("POST", "/inbox", headers, b'{"type": "Like"}', pair.public_key, now=NOW + 61)


def test_tampering_is_refused() -> None:
    body = b'{"type": "Like"}'
    headers = signed(RSA_PAIR)
    key = RSA_PAIR.public_key
    with pytest.raises(SignatureInvalid):
        verify("PUT", "/inbox", headers, body, key)
    with pytest.raises(SignatureInvalid):
        verify("POST", "/inbox?x=1", headers, body, key)
    with pytest.raises(SignatureInvalid):
        verify("POST", "/inbox", {**headers, "host": "other.example"}, body, key)
    with pytest.raises(SignatureInvalid):
        verify("POST", "/inbox", headers, body, key, scheme="http")
    with pytest.raises(DigestMismatch):
        verify("POST", "/inbox", headers, body + b" ", key)
    with pytest.raises(SignatureInvalid):
        verify("POST", "/inbox", headers, body, ED_PAIR.public_key)
    with pytest.raises(SignatureInvalid):
        verify("POST", "/inbox", headers, body, generate_rsa_key().public_key())


def test_time_window() -> None:
    headers = signed(ED_PAIR)
    body = b'{"type": "Like"}'
    verify("POST", "/inbox", headers, body, ED_PAIR.public_key, now=NOW + 3599)
    for offset in (-3601, 3601):
        with pytest.raises(SignatureExpired):
            verify("POST", "/inbox", headers, body, ED_PAIR.public_key, now=NOW + offset)


@pytest.mark.parametrize(
    ("method", "target", "components", "error"),
    [
        ("POST", "/inbox", ["@target-uri", "content-digest"], SignatureIncomplete),
        ("POST", "/inbox", ["@method", "@path", "content-digest"], SignatureIncomplete),
        ("POST", "/inbox", ["@method", "@target-uri"], SignatureIncomplete),
        ("GET", "/a?b=1", ["@method", "@authority", "@path"], SignatureIncomplete),
        ("GET", "/a?b=1", ["@method", "@authority", "@path", "@query"], None),
        ("GET", "/a?b=1", ["@method", "host", "@request-target"], None),
        ("POST", "/inbox", ["@method", "@authority", "@path", "content-digest"], None),
        (
            "POST",
            "/inbox",
            ["@method", "@target-uri", "content-digest", "x-absent"],
            SignatureIncomplete,
        ),
        ("GET", "/a", ["@method", "@target-uri", "@status"], SignatureMalformed),
    ],
)
def test_required_components(
    method: str, target: str, components: list[str], error: type[SignatureError] | None
) -> None:
    body = b"{}" if method == "POST" else b""
    headers = signed(ED_PAIR, method, target, body)
    lowered = lower_headers(headers)
    if error is SignatureIncomplete and "x-absent" in components:
        with pytest.raises(error):
            sign_rfc9421(method, target, lowered, ED_PAIR, components=components)
        return
    if error is SignatureMalformed:
        with pytest.raises(error):
            sign_rfc9421(method, target, lowered, ED_PAIR, components=components)
        return
    signature_input, signature = sign_rfc9421(
        method, target, lowered, ED_PAIR, components=components, created=int(NOW)
    )
    headers.update({"signature-input": signature_input, "signature": signature})
    if error is None:
        verify(method, target, headers, body, ED_PAIR.public_key)
    else:
        with pytest.raises(error):
            verify(method, target, headers, body, ED_PAIR.public_key)


def test_created_is_required_unless_date_is_signed() -> None:
    headers = signed(ED_PAIR)
    headers["signature-input"] = headers["signature-input"].replace(";created=1703066400", "")
    with pytest.raises(SignatureIncomplete, match="created"):
        verify("POST", "/inbox", headers, b'{"type": "Like"}', ED_PAIR.public_key)


def test_rsa_pss_sha512_is_verified() -> None:
    private = RSA_PAIR.private_key
    assert isinstance(private, rsa.RSAPrivateKey)
    components = ("@method", "@target-uri")
    params = serialize_inner_list(
        components, [("created", int(NOW)), ("keyid", "k"), ("alg", "rsa-pss-sha512")]
    )
    base = rfc9421_signature_base(
        components, params, method="GET", target="/a", headers={"host": "local.example"}
    )
    raw = private.sign(
        base.encode(), padding.PSS(padding.MGF1(hashes.SHA512()), 64), hashes.SHA512()
    )
    headers = {
        "host": "local.example",
        "signature-input": f"s={params}",
        "signature": f"s=:{base64.b64encode(raw).decode()}:",
    }
    sig = verify("GET", "/a", headers, b"", RSA_PAIR.public_key)
    assert sig.alg == "rsa-pss-sha512"
    with pytest.raises(SignatureInvalid):
        verify("GET", "/b", headers, b"", RSA_PAIR.public_key)


def test_label_choice_and_several_signatures() -> None:
    headers = signed(ED_PAIR)
    other = signed(RSA_PAIR, label="other")
    both_input = f"{other['signature-input']}, {headers['signature-input']}"
    both_sig = f"{headers['signature']}, {other['signature']}"
    assert parse_rfc9421_headers(both_input, both_sig).label == "other"
    assert parse_rfc9421_headers(both_input, both_sig, label="sig1").key_id == ED_PAIR.key_id
    with pytest.raises(SignatureMalformed):
        parse_rfc9421_headers(both_input, both_sig, label="missing")


@pytest.mark.parametrize(
    ("signature_input", "signature"),
    [
        ('sig1=("@method");created=1;keyid="k"', "sig2=:AAAA:"),
        ('sig1=("@method");created=1', "sig1=:AAAA:"),
        ('sig1=("@method");created=1;keyid=""', "sig1=:AAAA:"),
        ('sig1=("@method");created=1;keyid=k', "sig1=:AAAA:"),
        ('sig1=("@method");created="1";keyid="k"', "sig1=:AAAA:"),
        ('sig1=("@method");created=1;keyid="k";alg="hmac-sha256"', "sig1=:AAAA:"),
        ('sig1=("content-type";sf);created=1;keyid="k"', "sig1=:AAAA:"),
        ('sig1=("Content-Type");created=1;keyid="k"', "sig1=:AAAA:"),
        ('sig1=("@method" "@method");created=1;keyid="k"', "sig1=:AAAA:"),
        ('sig1=(@method);created=1;keyid="k"', "sig1=:AAAA:"),
        ('sig1="@method";created=1;keyid="k"', "sig1=:AAAA:"),
        ('sig1=("@method");created=1;keyid="k"', 'sig1="AAAA"'),
        ('sig1=("@method");created=1;keyid="k"', "sig1=::"),
        ('sig1=("@method");created=1;keyid="k"', "sig1=:!!:"),
        ('sig1=("@method";created=1;keyid="k"', "sig1=:AAAA:"),
        ('sig1=("@method")created=1', "sig1=:AAAA:"),
        ("", ""),
        ('sig1=("@method");created=1;keyid="' + "k" * 9000 + '"', "sig1=:AAAA:"),
    ],
)
def test_malformed_headers(signature_input: str, signature: str) -> None:
    with pytest.raises(SignatureMalformed):
        parse_rfc9421_headers(signature_input, signature)


def test_structured_fields_parse_and_serialize() -> None:
    parsed = parse_dictionary(
        'a=1, b=?0, c="x \\"y\\" \\\\", d=tok/en, e=:AQID:, f=-1.5, g;p=1, h=(1 "s";q);r'
    )
    assert parsed == {
        "a": (1, []),
        "b": (False, []),
        "c": ('x "y" \\', []),
        "d": (Token("tok/en"), []),
        "e": (b"\x01\x02\x03", []),
        "f": (-1.5, []),
        "g": (True, [("p", 1)]),
        "h": ([(1, []), ("s", [("q", True)])], [("r", True)]),
    }
    assert isinstance(parsed["d"][0], Token)
    assert serialize_bare_item('x "y" \\') == '"x \\"y\\" \\\\"'
    assert serialize_bare_item(b"\x01\x02\x03") == ":AQID:"
    assert serialize_bare_item(Token("tok/en")) == "tok/en"
    assert serialize_bare_item(2.0) == "2.0"
    assert serialize_bare_item(-1.5) == "-1.5"
    assert serialize_bare_item(True) == "?1"
    assert (
        serialize_inner_list(["a", "b"], [("created", 1), ("flag", True)])
        == '("a" "b");created=1;flag'
    )
    for bad in ("a=", "A=1", "a=1,", "a=1 b=2", 'a="\x01"', "a=(1", "a=?2", "a=(1,2)"):
        with pytest.raises(StructuredFieldError):
            parse_dictionary(bad)
    with pytest.raises(StructuredFieldError):
        serialize_bare_item("é")


@given(st.text(max_size=200), st.text(max_size=100))
def test_parser_raises_only_signature_malformed(signature_input: str, signature: str) -> None:
    with contextlib.suppress(SignatureMalformed):
        parse_rfc9421_headers(signature_input, signature)


@given(st.text(alphabet='sig1=("@method" );created=1keyid"k:AB/+,', max_size=120))
def test_near_miss_input_raises_only_signature_malformed(signature_input: str) -> None:
    with contextlib.suppress(SignatureMalformed):
        parse_rfc9421_headers(signature_input, "sig1=:AAAA:")


_NAME = st.from_regex(r"x-[a-z0-9-]{1,12}", fullmatch=True)
_VALUE = st.from_regex(r"[!-~]([ -~]{0,30}[!-~])?", fullmatch=True)
_PATH = st.from_regex(
    r"/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,40}(\?[A-Za-z0-9=&%._-]{0,30})?", fullmatch=True
)


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    target=_PATH,
    extra=st.dictionaries(_NAME, _VALUE, max_size=4),
    body=st.binary(max_size=512),
    pair=st.sampled_from([RSA_PAIR, ED_PAIR]),
)
def test_sign_then_verify_round_trips(
    method: str, target: str, extra: dict[str, str], body: bytes, pair: KeyPair
) -> None:
    headers = {"host": "local.example", "content-digest": content_digest_header(body), **extra}
    components = ["@method", "@target-uri", "content-digest", *extra]
    signature_input, signature = sign_rfc9421(
        method, target, headers, pair, components=components, created=int(NOW)
    )
    headers.update({"signature-input": signature_input, "signature": signature})
    sig = verify(method, target, headers, body, pair.public_key)
    assert sig.components == tuple(components)
    with pytest.raises(SignatureInvalid):
        verify(method, target + "x", headers, body, pair.public_key)
