"""The checkpoint signing key on disk: created once, read at start, rotated on demand.

The key file holds an Ed25519 private key (PKCS#8 PEM) readable by its owner only. Rotation
moves the current key to ``<file>.previous``; while that file exists the ledger co-signs every
checkpoint with both keys, so verifiers that trust either key keep accepting checkpoints while
they learn the new one. ``complete_rotation`` deletes the previous key. Checkpoints signed
before a rotation stay verifiable with the old verifier key, which the ledger keeps publishing.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from ledger.errors import SigningKeyError


def previous_key_path(path: Path) -> Path:
    """Where a rotation keeps the key it replaced."""
    return path.with_name(path.name + ".previous")


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    # link() fails if the key appeared meanwhile, so two racing creators keep one key.
    try:
        os.link(temporary, path)
    finally:
        temporary.unlink()
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Read the key at ``path``; refuse one that others may read or that is not Ed25519."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read ledger signing key {path}: {exc}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(f"ledger signing key {path} is accessible to others: chmod 600")
    try:
        key = load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise SigningKeyError(f"ledger signing key {path} is not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"ledger signing key {path} is not an Ed25519 key")
    return key


def ensure_signing_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, created (mode 0600) if there is none yet."""
    if not path.exists():
        # Someone else may create it first; then theirs is the key.
        with contextlib.suppress(FileExistsError):
            _write_private(path, Ed25519PrivateKey.generate())
    return load_signing_key(path)


def rotate_signing_key(path: Path) -> Ed25519PrivateKey:
    """Replace the key at ``path`` with a new one, keeping the old one as ``.previous``."""
    previous = previous_key_path(path)
    if previous.exists():
        raise SigningKeyError(
            f"a rotation is still in progress ({previous} exists): complete it first"
        )
    load_signing_key(path)
    os.replace(path, previous)
    _write_private(path, Ed25519PrivateKey.generate())
    return load_signing_key(path)


def complete_rotation(path: Path) -> bool:
    """Delete the previous key so checkpoints are signed by the current key alone."""
    previous = previous_key_path(path)
    if not previous.exists():
        return False
    previous.unlink()
    _fsync_directory(path.parent)
    return True


def signing_keys(path: Path) -> list[Ed25519PrivateKey]:
    """The keys to sign with: the current key, then the previous one during a rotation."""
    keys = [load_signing_key(path)]
    previous = previous_key_path(path)
    if previous.exists():
        keys.append(load_signing_key(previous))
    return keys
