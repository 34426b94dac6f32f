"""Address classes: only global unicast is allowed, wrapped forms judged by what they wrap."""

# ruff: noqa: S104 - the addresses are data here, nothing binds to them

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, ip_address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activitypub.addresses import address_allowed, is_public_address, unwrap_address

REFUSED = [
    # IPv4 special-purpose blocks
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "100.64.0.1",  # CGNAT
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",  # cloud metadata
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.9",
    "192.0.2.1",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",  # benchmarking
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",  # broadcast
    # IPv6
    "::",
    "::1",
    "::127.0.0.1",  # IPv4-compatible, deprecated
    "100::1",  # discard
    "2001:db8::1",  # documentation
    "2001:10::1",  # ORCHID
    "2001:20::1",
    "3fff::1",  # documentation (RFC 9637)
    "fc00::1",  # ULA
    "fd12:3456::1",
    "fe80::1",  # link-local
    "fec0::1",  # site-local
    "ff02::1",  # multicast
    "ff0e::1",
    "5f00::1",  # SRv6 SIDs (outside 2000::/3)
    "64:ff9b:1::1",  # local-use NAT64
    # wrapped IPv4
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::127.0.0.1",
    "64:ff9b::a00:1",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1:1::1",  # 6to4 of 10.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "2001:0:a00:1:8000:63bf:f7f7:f7f7",  # Teredo, server 10.0.0.1
    # not addresses at all
    "",
    "localhost",
    "fe80::1%eth0",
    "1.2.3",
    "01.02.03.04",
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "100.63.255.255",  # just below CGNAT
    "100.128.0.0",  # just above
    "172.32.0.1",
    "198.20.0.1",
    "2606:4700:4700::1111",
    "2a01:4f8::1",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo: server 65.54.227.120, client 8.8.8.8
]

# Where ipaddress.is_global alone would let the address through on this Python.
IS_GLOBAL_IS_WRONG = ["224.0.0.1", "ff0e::1", "fec0::1", "2002:7f00:1::", "64:ff9b::7f00:1"]


@pytest.mark.parametrize("address", REFUSED)
def test_refused(address: str) -> None:
    assert not is_public_address(address)
    assert not address_allowed(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_allowed(address: str) -> None:
    assert is_public_address(address)
    assert address_allowed(address)
    assert address_allowed(address, allow_private=True)


@pytest.mark.parametrize("address", IS_GLOBAL_IS_WRONG)
def test_stricter_than_is_global(address: str) -> None:
    assert ip_address(address).is_global
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.10", "100.64.1.1", "::1", "fd00::5", "::ffff:127.0.0.1"],
)
def test_allow_private_lets_development_peers_through(address: str) -> None:
    assert not address_allowed(address)
    assert address_allowed(address, allow_private=True)


@pytest.mark.parametrize(
    "address", ["0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "ff02::1", "240.0.0.1", "x"]
)
def test_allow_private_still_refuses_non_peers(address: str) -> None:
    assert not address_allowed(address, allow_private=True)


def test_unwrap_teredo_gives_server_and_client() -> None:
    server, client = unwrap_address(IPv6Address("2001:0:4136:e378:8000:63bf:3fff:fdd2"))
    assert server == IPv4Address("65.54.227.120")
    assert client == IPv4Address("192.0.2.45")


ipv4 = st.integers(min_value=0, max_value=2**32 - 1).map(IPv4Address)


@given(ipv4, st.integers(min_value=0, max_value=2**80 - 1))
def test_wrapped_forms_judged_like_the_embedded_address(v4: IPv4Address, suffix: int) -> None:
    expected = is_public_address(v4)
    mapped = IPv6Address(0xFFFF << 32 | int(v4))
    nat64 = IPv6Address(0x64FF9B << 96 | int(v4))
    six_to_four = IPv6Address(0x2002 << 112 | int(v4) << 80 | suffix)
    assert is_public_address(mapped) is expected
    assert is_public_address(nat64) is expected
    assert is_public_address(six_to_four) is expected
    assert is_public_address(str(mapped)) is expected


@given(ipv4, ipv4, st.integers(min_value=0, max_value=2**32 - 1))
def test_teredo_needs_both_ends_public(
    server: IPv4Address, client: IPv4Address, flags_port: int
) -> None:
    teredo = IPv6Address(
        0x20010000 << 96 | int(server) << 64 | flags_port << 32 | (~int(client) & 0xFFFFFFFF)
    )
    assert unwrap_address(teredo) == (server, client)
    assert is_public_address(teredo) is (is_public_address(server) and is_public_address(client))


@given(st.integers(min_value=0, max_value=2**128 - 1).map(IPv6Address))
def test_public_ipv6_is_global_unicast(address: IPv6Address) -> None:
    if is_public_address(address) and len(unwrap_address(address)) == 1:
        inner = unwrap_address(address)[0]
        assert inner.is_global
        assert not inner.is_multicast
        if inner.version == 6:
            assert int(inner) >> 125 == 0b001  # in 2000::/3


@given(ipv4)
def test_public_ipv4_is_global_and_not_multicast(address: IPv4Address) -> None:
    if is_public_address(address):
        assert address.is_global
        assert not address.is_multicast
        assert not address.is_reserved


@given(
    st.sampled_from(
        [
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "224.0.0.0/4",
            "240.0.0.0/4",
        ]
    ),
    st.integers(min_value=0),
)
def test_every_address_of_a_refused_block_is_refused(block: str, offset: int) -> None:
    network = IPv4Network(block)
    address = network[offset % network.num_addresses]
    assert not is_public_address(address)
    assert not is_public_address(IPv6Address(0xFFFF << 32 | int(address)))


@given(st.text(max_size=40))
def test_garbage_is_never_allowed(text: str) -> None:
    try:
        ip_address(text)
    except ValueError:
        assert not address_allowed(text, allow_private=True)
