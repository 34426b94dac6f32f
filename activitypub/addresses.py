"""Which IP addresses an outbound request may connect to.

Only global unicast is allowed. Addresses that carry an IPv4 address inside an IPv6 one
(IPv4-mapped, NAT64, 6to4, Teredo) are unwrapped first and the embedded address is judged,
because a packet to ``::ffff:127.0.0.1`` or ``2002:7f00:1::`` ends up at loopback.

``ipaddress.is_global`` alone is not enough: on the Pythons we support it calls multicast,
6to4, NAT64, site-local and several special-purpose blocks "global". The tables below follow
the IANA special-purpose registries; anything they list is refused, and IPv6 must also lie in
``2000::/3``, the only block from which global unicast is allocated.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import TypeAlias

__all__ = ["IPAddress", "address_allowed", "is_public_address", "unwrap_address"]

IPAddress: TypeAlias = IPv4Address | IPv6Address

_V4 = IPv4Network
_V6 = IPv6Network

_IPV4_REFUSED: tuple[IPv4Network, ...] = (
    _V4("0.0.0.0/8"),  # "this network", unspecified
    _V4("10.0.0.0/8"),  # private
    _V4("100.64.0.0/10"),  # carrier-grade NAT
    _V4("127.0.0.0/8"),  # loopback
    _V4("169.254.0.0/16"),  # link-local (cloud metadata lives here)
    _V4("172.16.0.0/12"),  # private
    _V4("192.0.0.0/24"),  # IETF protocol assignments
    _V4("192.0.2.0/24"),  # documentation
    _V4("192.31.196.0/24"),  # AS112
    _V4("192.52.193.0/24"),  # AMT
    _V4("192.88.99.0/24"),  # deprecated 6to4 relay anycast
    _V4("192.168.0.0/16"),  # private
    _V4("192.175.48.0/24"),  # AS112 direct delegation
    _V4("198.18.0.0/15"),  # benchmarking
    _V4("198.51.100.0/24"),  # documentation
    _V4("203.0.113.0/24"),  # documentation
    _V4("224.0.0.0/4"),  # multicast
    _V4("240.0.0.0/4"),  # reserved, and 255.255.255.255 broadcast
)

_IPV6_GLOBAL_UNICAST = _V6("2000::/3")

_IPV6_REFUSED: tuple[IPv6Network, ...] = (
    _V6("2001::/23"),  # IETF protocol assignments (Teredo is unwrapped before this)
    _V6("2001:db8::/32"),  # documentation
    _V6("2002::/16"),  # 6to4 whose embedded address was not judged (never reached)
    _V6("2620:4f:8000::/48"),  # AS112
    _V6("3fff::/20"),  # documentation (RFC 9637)
)

# What the development switch lets through: loopback and the private ranges.
_PRIVATE_PEERS: tuple[IPv4Network | IPv6Network, ...] = (
    _V4("10.0.0.0/8"),
    _V4("100.64.0.0/10"),
    _V4("127.0.0.0/8"),
    _V4("169.254.0.0/16"),
    _V4("172.16.0.0/12"),
    _V4("192.168.0.0/16"),
    _V6("::1/128"),
    _V6("fc00::/7"),
    _V6("fe80::/10"),
)

_NAT64 = _V6("64:ff9b::/96")
_SIX_TO_FOUR = _V6("2002::/16")
_TEREDO = _V6("2001::/32")


def unwrap_address(address: IPAddress) -> tuple[IPAddress, ...]:
    """The addresses a packet to ``address`` really reaches.

    Usually just ``(address,)``. For IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 addresses,
    the embedded IPv4 address; for Teredo, both the server and the client address.
    """
    if isinstance(address, IPv4Address):
        return (address,)
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address in _NAT64:
        return (IPv4Address(int(address) & 0xFFFFFFFF),)
    if address in _SIX_TO_FOUR:
        return (IPv4Address((int(address) >> 80) & 0xFFFFFFFF),)
    if address in _TEREDO:
        # 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC, the client address stored inverted.
        server = IPv4Address((int(address) >> 64) & 0xFFFFFFFF)
        client = IPv4Address(~int(address) & 0xFFFFFFFF)
        return (server, client)
    return (address,)


def _is_public_plain(address: IPAddress) -> bool:
    if isinstance(address, IPv4Address):
        return not any(address in net for net in _IPV4_REFUSED)
    return address in _IPV6_GLOBAL_UNICAST and not any(address in net for net in _IPV6_REFUSED)


def _parse(address: str | IPAddress) -> IPAddress | None:
    if isinstance(address, IPv4Address | IPv6Address):
        return address
    try:
        return ip_address(address)
    except ValueError:
        return None


def is_public_address(address: str | IPAddress) -> bool:
    """True if ``address`` is global unicast once unwrapped; False for anything unparsable.

    A string with an IPv6 zone (``fe80::1%eth0``) is refused: zones only exist on
    link-local addresses.
    """
    parsed = _parse(address)
    if parsed is None:
        return False
    return all(_is_public_plain(inner) for inner in unwrap_address(parsed))


def address_allowed(address: str | IPAddress, *, allow_private: bool = False) -> bool:
    """True if an outbound connection to ``address`` is allowed.

    With ``allow_private`` (development only) loopback, private, CGNAT, link-local and
    ULA peers are allowed too; unspecified, multicast, broadcast and reserved never are.
    """
    if is_public_address(address):
        return True
    if not allow_private:
        return False
    parsed = _parse(address)
    if parsed is None:
        return False
    return all(
        _is_public_plain(one) or any(one in net for net in _PRIVATE_PEERS)
        for one in unwrap_address(parsed)
    )
