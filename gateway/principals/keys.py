"""Public keys the gateway accepts (Ed25519 → EdDSA, P-256 → ES256), and key files."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from gateway.principals.models import KeyAlgorithm

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class UnsupportedKey(ValueError):
    """Not an Ed25519 or P-256 key in PEM form."""


@functools.lru_cache(maxsize=4096)  # parsed keys are immutable; authentication reuses them
def load_public_key(pem: str) -> tuple[PublicKey, KeyAlgorithm]:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError) as exc:
        raise UnsupportedKey(f"not a PEM public key: {exc}") from None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key, KeyAlgorithm.EdDSA
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key, KeyAlgorithm.ES256
    raise UnsupportedKey("only Ed25519 and P-256 (secp256r1) public keys are accepted")


def key_id(public_key: PublicKey) -> str:
    """A stable id: the first 16 bytes of SHA-256 over the key's DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:32]


def public_pem(public_key: PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def generate_private_key(algorithm: KeyAlgorithm = KeyAlgorithm.EdDSA) -> PrivateKey:
    if algorithm is KeyAlgorithm.EdDSA:
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def private_pem(private_key: PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_private_key(path: Path, private_key: PrivateKey) -> None:
    """Write a PKCS#8 PEM readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem(private_key))


def private_key_algorithm(key: object) -> KeyAlgorithm:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return KeyAlgorithm.EdDSA
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return KeyAlgorithm.ES256
    raise UnsupportedKey("only Ed25519 and P-256 private keys are supported")


def load_private_key(path: Path) -> tuple[PrivateKey, KeyAlgorithm]:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    algorithm = private_key_algorithm(key)
    assert isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey)
    return key, algorithm
