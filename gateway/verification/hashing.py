"""Arguments that are personal data (an ID number a bank asks about) are logged only as a keyed
hash: the enterprise and assessors can see that the question was asked, and the platform can
check a candidate value, but the ledger never holds the value and outsiders cannot guess it."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path) -> bytes:
    """The key at ``path``; created (0600) if missing. Processes that start together agree:
    the key is written whole to a temporary file and linked into place only if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_bytes(32).hex())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won; use its key
        finally:
            temporary.unlink()
    return bytes.fromhex(path.read_text().strip())


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
