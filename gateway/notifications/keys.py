"""The key that signs webhook deliveries: an Ed25519 key file of its own under the data dir
(not the ledger's checkpoint key, so either can be rotated or revoked alone), created once
like the ledger's (0600, race-free between processes that start together)."""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.keys import ensure_signing_key

_LOADED: dict[Path, Ed25519PrivateKey] = {}
_LOCK = threading.Lock()


def signing_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, created if missing; read once per process."""
    with _LOCK:
        key = _LOADED.get(path)
        if key is None:
            key = _LOADED[path] = ensure_signing_key(path)
        return key
