"""The key-fetch guard: a negative cache per key and a breaker per site."""

import pytest

from fedimob.federation.keys import BREAKER_FAILURES, NEGATIVE_TTL, KeyFetchGuard, breaker_key


@pytest.mark.parametrize(
    ("key_id", "site"),
    [
        ("https://x1.evil.example/users/a#main-key", "evil.example"),
        ("https://EVIL.example./users/a#main-key", "evil.example"),
        ("https://social.example.co.uk:8443/actor#key", "example.co.uk"),
        ("https://alice.github.io/actor#key", "alice.github.io"),  # a public suffix of its own
        ("http://127.0.0.1:8000/users/a#main-key", "127.0.0.1"),
        ("http://[::1]:8000/users/a#main-key", "::1"),
        ("https://localhost/users/a", "localhost"),
    ],
)
def test_the_breaker_counts_per_registrable_domain(key_id: str, site: str) -> None:
    assert breaker_key(key_id) == site


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_random_subdomains_do_not_dodge_the_breaker() -> None:
    clock = Clock()
    guard = KeyFetchGuard(clock=clock)
    for n in range(BREAKER_FAILURES):
        assert guard.refused(f"https://x{n}.evil.example/users/a#main-key") is None
        guard.failed(f"https://x{n}.evil.example/users/a#main-key")
    assert guard.refused("https://fresh.evil.example/users/b#main-key") == (
        "too many failures from this host"
    )
    assert guard.refused("https://good.example/users/b#main-key") is None
    clock.now += NEGATIVE_TTL + 1
    assert guard.refused("https://fresh.evil.example/users/b#main-key") is None
