"""The signing key file: created once with mode 0600, refused when others can read it,
rotated with the previous key co-signing until the rotation is completed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ledger.errors import SigningKeyError
from ledger.keys import (
    complete_rotation,
    ensure_signing_key,
    load_signing_key,
    previous_key_path,
    rotate_signing_key,
    signing_keys,
)


def _raw(key: object) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)  # type: ignore[attr-defined]


def test_the_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.pem"
    first = ensure_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _raw(ensure_signing_key(path)) == _raw(first)


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    ensure_signing_key(path)
    path.chmod(0o644)
    with pytest.raises(SigningKeyError, match="chmod 600"):
        load_signing_key(path)


def test_a_file_that_is_not_an_ed25519_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    path.write_text("not a key")
    path.chmod(0o600)
    with pytest.raises(SigningKeyError):
        load_signing_key(path)
    with pytest.raises(SigningKeyError):
        load_signing_key(tmp_path / "missing.pem")


def test_rotation_keeps_the_previous_key_signing_until_completed(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    old = ensure_signing_key(path)
    new = rotate_signing_key(path)
    assert _raw(new) != _raw(old)
    assert [_raw(k) for k in signing_keys(path)] == [_raw(new), _raw(old)]
    assert stat.S_IMODE(previous_key_path(path).stat().st_mode) == 0o600
    with pytest.raises(SigningKeyError, match="in progress"):
        rotate_signing_key(path)
    assert complete_rotation(path)
    assert [_raw(k) for k in signing_keys(path)] == [_raw(new)]
    assert not complete_rotation(path)
