"""Actor keys: generation, PEM encoding, and the two signature primitives.

Fediverse actors publish an RSA-2048 key (`publicKeyPem`, SPKI); some newer
servers also use Ed25519. Everything that signs or verifies in this library goes
through `sign_bytes` / `verify_bytes`, so the algorithm rules live in one place:
RSA keys use PKCS#1 v1.5 with SHA-256 (what `rsa-sha256`, Mastodon's `hs2019`
and RFC 9421 `rsa-v1_5-sha256` all mean in practice), Ed25519 keys use Ed25519.

Parsing a PEM costs far more than verifying a signature with the parsed key, so
`load_public_key_pem` and `load_private_key_pem` keep a small LRU cache keyed by
the PEM text; callers may pass the same string again and again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TypeAlias

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from activitypub.errors import InvalidDocument

__all__ = [
    "MIN_RSA_BITS",
    "KeyPair",
    "PrivateKey",
    "PublicKey",
    "generate_ed25519_key",
    "generate_rsa_key",
    "key_type",
    "load_private_key_pem",
    "load_public_key_multibase",
    "load_public_key_pem",
    "private_key_to_pem",
    "public_key_to_multibase",
    "public_key_to_pem",
    "sign_bytes",
    "verify_bytes",
]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey: TypeAlias = rsa.RSAPublicKey | ed25519.Ed25519PublicKey

# Below 2048 bits an RSA key is forgeable with public means; Mastodon has used
# 2048 since its start, so refusing smaller keys costs no real peer.
MIN_RSA_BITS = 2048

_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def generate_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A new RSA private key (public exponent 65537), 2048 bits by default."""
    if bits < MIN_RSA_BITS:
        raise ValueError(f"RSA keys must have at least {MIN_RSA_BITS} bits")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def generate_ed25519_key() -> ed25519.Ed25519PrivateKey:
    """A new Ed25519 private key."""
    return ed25519.Ed25519PrivateKey.generate()


def private_key_to_pem(key: PrivateKey) -> str:
    """The private key as unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_key_to_pem(key: PublicKey | PrivateKey) -> str:
    """The public key as SPKI PEM (`BEGIN PUBLIC KEY`), the `publicKeyPem` format."""
    public = (
        key.public_key() if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) else key
    )
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


@functools.lru_cache(maxsize=4096)
def load_public_key_pem(pem: str) -> PublicKey:
    """Parse a `publicKeyPem` (SPKI, or PKCS#1 `BEGIN RSA PUBLIC KEY`); cached.

    Raises `InvalidDocument` for anything that is not an RSA key of at least
    `MIN_RSA_BITS` bits or an Ed25519 key.
    """
    try:
        # Some servers publish PKCS#1 (`RSA PUBLIC KEY`); cryptography reads both.
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise InvalidDocument("publicKeyPem is not a readable public key") from exc
    return _checked_public(key)


@functools.lru_cache(maxsize=256)
def load_private_key_pem(pem: str) -> PrivateKey:
    """Parse an unencrypted private key PEM (PKCS#8 or PKCS#1); cached."""
    try:
        key = serialization.load_pem_private_key(pem.strip().encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise InvalidDocument("not a readable unencrypted private key") from exc
    if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        _checked_public(key.public_key())
        return key
    raise InvalidDocument("only RSA and Ed25519 private keys are supported")


# FEP-521a `publicKeyMultibase`: "z" (base58btc) + multicodec ed25519-pub (0xed 0x01)
# + the 32 raw key bytes.
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB = b"\xed\x01"


@functools.lru_cache(maxsize=4096)
def load_public_key_multibase(value: str) -> ed25519.Ed25519PublicKey:
    """Parse an Ed25519 `publicKeyMultibase` (FEP-521a, `z6Mk...`); cached.

    Raises `InvalidDocument` for any other encoding or key type.
    """
    if not value.startswith("z") or not 40 <= len(value) <= 60:
        raise InvalidDocument("publicKeyMultibase is not a base58btc Ed25519 key")
    number = 0
    for char in value[1:]:
        digit = _B58.find(char)
        if digit < 0:
            raise InvalidDocument("publicKeyMultibase is not base58btc")
        number = number * 58 + digit
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    if len(raw) != 34 or raw[:2] != _ED25519_PUB:
        raise InvalidDocument("publicKeyMultibase is not an Ed25519 public key")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])


def public_key_to_multibase(key: ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey) -> str:
    """An Ed25519 key as FEP-521a `publicKeyMultibase`."""
    public = key.public_key() if isinstance(key, ed25519.Ed25519PrivateKey) else key
    number = int.from_bytes(_ED25519_PUB + public.public_bytes_raw(), "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(_B58[digit])
    return "z" + "".join(reversed(digits))


def _checked_public(key: object) -> PublicKey:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise InvalidDocument(f"RSA key of {key.key_size} bits is too small")
        return key
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    raise InvalidDocument("only RSA and Ed25519 public keys are supported")


def key_type(key: PublicKey | PrivateKey) -> str:
    """`"rsa"` or `"ed25519"`."""
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "rsa"
    return "ed25519"


def sign_bytes(key: PrivateKey, data: bytes) -> bytes:
    """Sign `data`: RSA PKCS#1 v1.5 SHA-256, or Ed25519."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, _PKCS1V15, _SHA256)
    return key.sign(data)


def verify_bytes(key: PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether `signature` over `data` is valid for `key` (see `sign_bytes`)."""
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, _PKCS1V15, _SHA256)
        else:
            key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A signing identity: the private key and the id peers will resolve it by.

    `key_id` is the actor's `publicKey.id` (e.g. `https://host/actors/1#main-key`).
    """

    key_id: str
    private_key: PrivateKey

    @classmethod
    def from_pem(cls, key_id: str, private_pem: str) -> KeyPair:
        """Build from a stored private key PEM (parsing is cached)."""
        return cls(key_id, load_private_key_pem(private_pem))

    @property
    def public_key(self) -> PublicKey:
        """The public half."""
        return self.private_key.public_key()

    @property
    def public_key_pem(self) -> str:
        """The public half as SPKI PEM, ready for an actor's `publicKeyPem`."""
        return public_key_to_pem(self.private_key)

    def sign(self, data: bytes) -> bytes:
        """Sign `data` with this key (see `sign_bytes`)."""
        return sign_bytes(self.private_key, data)
