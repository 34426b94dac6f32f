"""How fast we sign and verify HTTP signatures, beside raw RSA-2048 on this machine.

Run: `.venv/bin/python bench/bench_signatures.py` (one core, a few seconds).

"full verify" is everything an inbox does with a draft-cavage POST once the key
is parsed and cached: lowercase the headers, parse `Signature`, check the policy
(components, Date window, SHA-256 of a 1 KiB body against `Digest`), rebuild the
signing string and verify RSA-2048. "raw verify" is `cryptography` verifying a
PKCS#1 v1.5 SHA-256 signature over a message of the same length, i.e. the floor.
The pipeline (`verify_request`, async, with an in-memory resolver) is also shown.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from email.utils import formatdate

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from activitypub.cavage import (
    cavage_signing_string,
    check_cavage_request,
    lower_headers,
    parse_signature_header,
    sign_cavage,
    verify_cavage_signature,
)
from activitypub.digest import content_digest_header, digest_header
from activitypub.keys import KeyPair, generate_rsa_key
from activitypub.rfc9421 import (
    check_rfc9421_request,
    parse_rfc9421_headers,
    sign_rfc9421,
    verify_rfc9421_signature,
)
from activitypub.verify import ResolvedKey, verify_request

SECONDS = 1.0
NOW = time.time()
BODY = (b'{"@context": "https://www.w3.org/ns/activitystreams", "type": "Create", ' + b"x" * 1024)[
    :1024
]
RSA_KEY = generate_rsa_key()
PAIR = KeyPair("https://remote.example/users/bob#main-key", RSA_KEY)
PUBLIC = RSA_KEY.public_key()


def rate(label: str, action: Callable[[], object]) -> float:
    """Run `action` for about SECONDS and print operations per second."""
    for _ in range(50):
        action()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < SECONDS:
        for _ in range(200):
            action()
        count += 200
    per_second = count / elapsed
    print(f"  {label:<44} {per_second:>10,.0f} ops/s  {1e6 / per_second:8.1f} us/op")
    return per_second


def request_headers() -> dict[str, str]:
    headers = {
        "Host": "local.example",
        "Date": formatdate(NOW, usegmt=True),
        "Digest": digest_header(BODY),
        "Content-Type": "application/activity+json",
        "User-Agent": "bench/1.0",
        "Accept-Encoding": "gzip",
        "Content-Length": str(len(BODY)),
    }
    headers["Signature"] = sign_cavage("POST", "/inbox", lower_headers(headers), PAIR)
    return headers


HEADERS = request_headers()
STRING = cavage_signing_string(
    parse_signature_header(HEADERS["Signature"]).headers,
    method="POST",
    target="/inbox",
    headers=lower_headers(HEADERS),
).encode()
RAW_SIGNATURE = PAIR.sign(STRING)
PKCS1, SHA256 = padding.PKCS1v15(), hashes.SHA256()


def raw_sign() -> None:
    RSA_KEY.sign(STRING, PKCS1, SHA256)


def raw_verify() -> None:
    PUBLIC.verify(RAW_SIGNATURE, STRING, PKCS1, SHA256)


def full_cavage_sign() -> None:
    headers = {
        "host": "remote.example",
        "date": formatdate(NOW, usegmt=True),
        "digest": digest_header(BODY),
        "content-type": "application/activity+json",
    }
    sign_cavage("POST", "/inbox", headers, PAIR)


def full_cavage_verify() -> None:
    lowered = lower_headers(HEADERS)
    sig = parse_signature_header(lowered["signature"])
    check_cavage_request(sig, method="POST", headers=lowered, body=BODY, now=NOW)
    verify_cavage_signature(sig, PUBLIC, method="POST", target="/inbox", headers=lowered)


def parse_and_policy_only() -> None:
    lowered = lower_headers(HEADERS)
    sig = parse_signature_header(lowered["signature"])
    check_cavage_request(sig, method="POST", headers=lowered, body=BODY, now=NOW)


H9421 = {"host": "local.example", "content-digest": content_digest_header(BODY)}
H9421["signature-input"], H9421["signature"] = sign_rfc9421(
    "POST", "/inbox", H9421, PAIR, created=int(NOW)
)


def full_rfc9421_verify() -> None:
    lowered = lower_headers(H9421)
    sig = parse_rfc9421_headers(lowered["signature-input"], lowered["signature"])
    check_rfc9421_request(sig, method="POST", target="/inbox", headers=lowered, body=BODY, now=NOW)
    verify_rfc9421_signature(sig, PUBLIC, method="POST", target="/inbox", headers=lowered)


class CachedResolver:
    async def resolve(self, key_id: str, *, refresh: bool) -> ResolvedKey:
        return ResolvedKey(PUBLIC, "https://remote.example/users/bob")


async def pipeline_rate() -> float:
    resolver = CachedResolver()

    async def once() -> None:
        await verify_request(
            method="POST", target="/inbox", headers=HEADERS, body=BODY, resolver=resolver, now=NOW
        )

    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < SECONDS:
        for _ in range(200):
            await once()
        count += 200
    per_second = count / elapsed
    label = "verify_request (async pipeline, cavage POST)"
    print(f"  {label:<44} {per_second:>10,.0f} ops/s  {1e6 / per_second:8.1f} us/op")
    return per_second


def main() -> None:
    print(f"HTTP signatures, RSA-2048, {len(BODY)}-byte body, {len(STRING)}-byte signing string")
    print("sign")
    base_sign = rate("raw cryptography RSA-2048 sign (baseline)", raw_sign)
    ours_sign = rate("sign_cavage (digest + headers + sign)", full_cavage_sign)
    print("verify")
    base_verify = rate("raw cryptography RSA-2048 verify (baseline)", raw_verify)
    ours_verify = rate("full cavage POST verification", full_cavage_verify)
    rate("  of which parse + policy + digest only", parse_and_policy_only)
    rate("full RFC 9421 POST verification", full_rfc9421_verify)
    pipeline = asyncio.run(pipeline_rate())
    print("summary")
    print(f"  signing keeps {ours_sign / base_sign:.0%} of raw RSA signing speed")
    print(f"  verification keeps {ours_verify / base_verify:.0%} of raw RSA verify speed")
    target = 10_000
    verdict = "meets" if min(ours_verify, pipeline) >= target else "MISSES"
    print(f"  full request verification {verdict} the {target:,}/s target")


if __name__ == "__main__":
    main()
