"""The inbound pipeline: scheme detection, policy before key fetch, refetch once."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from activitypub.cavage import sign_cavage
from activitypub.digest import content_digest_header, digest_header
from activitypub.errors import (
    KeyUnavailable,
    SignatureExpired,
    SignatureInvalid,
    SignatureMalformed,
    SignatureMissing,
)
from activitypub.keys import KeyPair, generate_ed25519_key, generate_rsa_key
from activitypub.rfc9421 import sign_rfc9421
from activitypub.verify import ResolvedKey, SignatureScheme, VerifiedSignature, verify_request

NOW = 1703066400.0
OWNER = "https://remote.example/users/bob"
KEY_ID = OWNER + "#main-key"
PAIR = KeyPair(KEY_ID, generate_rsa_key())
OLD_PAIR = KeyPair(KEY_ID, generate_rsa_key())
ED_PAIR = KeyPair(OWNER + "#ed25519", generate_ed25519_key())
BODY = b'{"type": "Follow", "actor": "https://remote.example/users/bob"}'


class FakeResolver:
    """Answers from a script of keys, one per call; records the calls."""

    def __init__(self, *answers: ResolvedKey | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, bool]] = []

    async def resolve(self, key_id: str, *, refresh: bool) -> ResolvedKey:
        self.calls.append((key_id, refresh))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def resolved(pair: KeyPair, owner: str = OWNER, *, fresh: bool = False) -> ResolvedKey:
    return ResolvedKey(pair.public_key, owner, fresh=fresh)


def cavage_post(pair: KeyPair = PAIR, body: bytes = BODY) -> dict[str, str]:
    headers = {
        "Host": "local.example",
        "Date": formatdate(NOW, usegmt=True),
        "Digest": digest_header(body),
        "Content-Type": "application/activity+json",
    }
    lowered = {k.lower(): v for k, v in headers.items()}
    headers["Signature"] = sign_cavage("POST", "/inbox", lowered, pair)
    return headers


async def run(
    headers: dict[str, str], resolver: FakeResolver, body: bytes = BODY, **options: object
) -> VerifiedSignature:
    return await verify_request(
        method="POST",
        target="/inbox",
        headers=headers,
        body=body,
        resolver=resolver,
        now=NOW,
        **options,  # type: ignore[arg-type]
    )


async def test_cavage_request_is_verified_with_one_lookup() -> None:
    resolver = FakeResolver(resolved(PAIR))
    result = await run(cavage_post(), resolver)
    assert result == VerifiedSignature(KEY_ID, OWNER, "rsa-sha256", SignatureScheme.CAVAGE)
    assert resolver.calls == [(KEY_ID, False)]


async def test_rfc9421_request_is_detected_and_verified() -> None:
    headers = {"host": "local.example", "content-digest": content_digest_header(BODY)}
    signature_input, signature = sign_rfc9421("POST", "/inbox", headers, ED_PAIR, created=int(NOW))
    headers |= {"Signature-Input": signature_input, "Signature": signature}
    resolver = FakeResolver(resolved(ED_PAIR))
    result = await run(headers, resolver)
    assert result.scheme is SignatureScheme.RFC9421
    assert result.algorithm == "ed25519"
    assert result.key_id == ED_PAIR.key_id
    with pytest.raises(SignatureInvalid):
        await run(headers, FakeResolver(resolved(ED_PAIR)), url_scheme="http")


async def test_authorization_signature_form_is_accepted() -> None:
    headers = cavage_post()
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    assert (await run(headers, FakeResolver(resolved(PAIR)))).owner == OWNER


async def test_unsigned_requests_are_missing_signatures() -> None:
    with pytest.raises(SignatureMissing):
        await run({"Host": "local.example"}, FakeResolver(resolved(PAIR)))
    with pytest.raises(SignatureMissing):
        await run({"Signature-Input": 'sig1=("@method")'}, FakeResolver(resolved(PAIR)))
    with pytest.raises(SignatureMissing):
        await run({"Authorization": "Bearer x"}, FakeResolver(resolved(PAIR)))
    with pytest.raises(SignatureMissing):
        await run(
            {"Signature-Input": 'sig1=("@method")', "Authorization": "Signature x"},
            FakeResolver(resolved(PAIR)),
        )
    # Unsigned stays "missing" whatever the host, so an app may serve public GETs.
    with pytest.raises(SignatureMissing):
        await run({"Host": "elsewhere.example"}, FakeResolver(resolved(PAIR)), expected_host="a.b")


async def test_rotated_key_is_refetched_once() -> None:
    resolver = FakeResolver(resolved(OLD_PAIR), resolved(PAIR, fresh=True))
    result = await run(cavage_post(), resolver)
    assert result.owner == OWNER
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]


async def test_refetch_happens_only_once() -> None:
    resolver = FakeResolver(resolved(OLD_PAIR))
    with pytest.raises(SignatureInvalid):
        await run(cavage_post(), resolver)
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]


async def test_a_fresh_key_is_not_refetched() -> None:
    resolver = FakeResolver(resolved(OLD_PAIR, fresh=True))
    with pytest.raises(SignatureInvalid):
        await run(cavage_post(), resolver)
    assert resolver.calls == [(KEY_ID, False)]


async def test_policy_refusals_happen_before_any_key_lookup() -> None:
    resolver = FakeResolver(resolved(PAIR))
    with pytest.raises(SignatureExpired):
        await verify_request(
            method="POST",
            target="/inbox",
            headers=cavage_post(),
            body=BODY,
            resolver=resolver,
            now=NOW + 7200,
        )
    with pytest.raises(SignatureMalformed):
        await run({"Signature": "nonsense"}, resolver)
    with pytest.raises(SignatureInvalid, match="another host"):
        await run(cavage_post(), resolver, expected_host="fedimob.example")
    assert resolver.calls == []


async def test_expected_host_matches_case_insensitively() -> None:
    result = await run(cavage_post(), FakeResolver(resolved(PAIR)), expected_host="LOCAL.example")
    assert result.key_id == KEY_ID


async def test_key_unavailable_propagates_and_ownerless_keys_are_refused() -> None:
    with pytest.raises(KeyUnavailable):
        await run(cavage_post(), FakeResolver(KeyUnavailable("gone")))
    with pytest.raises(KeyUnavailable, match="owner"):
        await run(cavage_post(), FakeResolver(resolved(PAIR, owner="")))


async def test_owner_is_whatever_the_resolver_vouches_for() -> None:
    # The app compares this owner with the activity's actor; the pipeline reports it.
    other = "https://remote.example/users/mallory"
    result = await run(cavage_post(), FakeResolver(resolved(PAIR, owner=other)))
    assert result.owner == other
