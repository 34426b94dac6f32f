"""Keys: generation, PEM round trips, refusals, and the sign/verify primitives."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from activitypub.errors import InvalidDocument
from activitypub.keys import (
    KeyPair,
    generate_ed25519_key,
    generate_rsa_key,
    key_type,
    load_private_key_pem,
    load_public_key_multibase,
    load_public_key_pem,
    private_key_to_pem,
    public_key_to_multibase,
    public_key_to_pem,
    sign_bytes,
    verify_bytes,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return generate_rsa_key()


def test_rsa_key_is_2048_bits_and_round_trips_through_pem(rsa_key: rsa.RSAPrivateKey) -> None:
    assert rsa_key.key_size == 2048
    private_pem = private_key_to_pem(rsa_key)
    public_pem = public_key_to_pem(rsa_key)
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    loaded = load_private_key_pem(private_pem)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    assert loaded.private_numbers() == rsa_key.private_numbers()
    public = load_public_key_pem(public_pem)
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.public_numbers() == rsa_key.public_key().public_numbers()
    assert public_key_to_pem(public) == public_pem


def test_ed25519_round_trip_and_signatures() -> None:
    key = generate_ed25519_key()
    public = load_public_key_pem(public_key_to_pem(key))
    assert key_type(public) == "ed25519"
    signature = sign_bytes(key, b"hello")
    assert verify_bytes(public, signature, b"hello")
    assert not verify_bytes(public, signature, b"hello!")
    loaded = load_private_key_pem(private_key_to_pem(key))
    assert isinstance(loaded, ed25519.Ed25519PrivateKey)
    assert loaded.private_bytes_raw() == key.private_bytes_raw()


def test_rsa_signatures_verify_only_for_the_same_key_and_data(rsa_key: rsa.RSAPrivateKey) -> None:
    other = generate_rsa_key()
    signature = sign_bytes(rsa_key, b"payload")
    assert verify_bytes(rsa_key.public_key(), signature, b"payload")
    assert not verify_bytes(rsa_key.public_key(), signature, b"payload2")
    assert not verify_bytes(other.public_key(), signature, b"payload")
    assert not verify_bytes(rsa_key.public_key(), b"\x00" * 256, b"payload")
    assert not verify_bytes(rsa_key.public_key(), b"short", b"payload")


def test_mastodon_pkcs1_private_key_loads() -> None:
    key = load_private_key_pem((FIXTURES / "mastodon_spec_key.pem").read_text())
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 2048


def test_pkcs1_public_key_loads(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
    assert pem.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
    public = load_public_key_pem(pem.decode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.public_numbers() == rsa_key.public_key().public_numbers()


def test_public_key_parsing_is_cached(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = public_key_to_pem(rsa_key)
    assert load_public_key_pem(pem) is load_public_key_pem(pem)


@pytest.mark.parametrize(
    "pem",
    [
        "",
        "not a key",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=é",
    ],
)
def test_garbage_public_pem_is_an_invalid_document(pem: str) -> None:
    with pytest.raises(InvalidDocument):
        load_public_key_pem(pem)


def test_small_rsa_and_other_key_types_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    with pytest.raises(InvalidDocument, match="too small"):
        load_public_key_pem(public_key_to_pem(small.public_key()))
    with pytest.raises(InvalidDocument):
        load_private_key_pem(
            small.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
        )
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_public = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(InvalidDocument, match="only RSA and Ed25519"):
        load_public_key_pem(ec_public.decode())
    with pytest.raises(ValueError, match="at least 2048"):
        generate_rsa_key(1024)


def test_encrypted_private_key_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    with pytest.raises(InvalidDocument):
        load_private_key_pem(pem)


def test_key_pair_exposes_public_pem_and_signs(rsa_key: rsa.RSAPrivateKey) -> None:
    pair = KeyPair.from_pem("https://a.example/actors/1#main-key", private_key_to_pem(rsa_key))
    assert pair.public_key_pem == public_key_to_pem(rsa_key)
    assert verify_bytes(pair.public_key, pair.sign(b"x"), b"x")
    assert key_type(pair.private_key) == "rsa"


def test_multibase_known_answer_and_round_trip() -> None:
    # The example key of FEP-521a, as Mitra and others publish it.
    example = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert public_key_to_multibase(load_public_key_multibase(example)) == example
    raw = bytes(31) + b"\x01"
    key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    assert load_public_key_multibase(public_key_to_multibase(key)).public_bytes_raw() == raw
    fresh = generate_ed25519_key()
    decoded = load_public_key_multibase(public_key_to_multibase(fresh))
    assert decoded.public_bytes_raw() == fresh.public_key().public_bytes_raw()


@pytest.mark.parametrize(
    "value",
    ["", "z", "f" + "1" * 47, "z6Mk0OIl" + "1" * 40, "z" + "2" * 47, "z6Mk" + "x" * 100],
)
def test_multibase_garbage_is_an_invalid_document(value: str) -> None:
    with pytest.raises(InvalidDocument):
        load_public_key_multibase(value)
