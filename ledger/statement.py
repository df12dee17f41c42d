"""Signed statements: the platform's signature on a document it issues (a credit report, a
feed batch), made with the ledger's checkpoint key so that one verifier key checks both.

A statement is a C2SP signed note whose text is two lines: ``<kind>`` and the SHA-256 (hex) of
the document's RFC 8785 canonical JSON. It cannot be taken for a checkpoint (a checkpoint has at
least three lines, the second a decimal tree size), nor one kind for another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

import rfc8785

from ledger.errors import VerificationError
from ledger.note import NoteSigner, NoteVerifier, open_note, sign_note

_KIND = re.compile(r"^[a-z0-9][a-z0-9.\-/]{0,127}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def canonical_digest(document: Any) -> str:
    """SHA-256 (lower-case hex) of the RFC 8785 canonical JSON of ``document``."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def statement_text(kind: str, digest: str) -> str:
    """The note text stating that the platform issued the document with ``digest``."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"statement kind {kind!r} is not a lower-case token")
    if not _HEX.fullmatch(digest):
        raise ValueError("a statement names a SHA-256 digest in lower-case hex")
    return f"{kind}\n{digest}\n"


def sign_statement(kind: str, digest: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note of :func:`statement_text`."""
    return sign_note(statement_text(kind, digest), signers)


def open_statement(note: str, verifiers: Iterable[NoteVerifier], kind: str) -> str:
    """Check a statement's signature by a trusted key and its kind; return the digest it
    names. Signature blobs must be canonical base64 (no second spelling of the same bytes).
    Raises ``VerificationError`` otherwise."""
    require_canonical_signatures(note)
    opened = open_note(note, verifiers)
    lines = opened.text.split("\n")
    if len(lines) != 3 or lines[0] != kind or not _HEX.fullmatch(lines[1]):
        raise VerificationError(f"the signed note is not a {kind} statement")
    return lines[1]


def require_canonical_signatures(note: str) -> None:
    """Refuse signature lines whose base64 has another spelling of the same bytes (unused
    padding bits set), so that a changed byte of a signed file never verifies."""
    _, _, block = note.rpartition("\n\n")
    for line in block.splitlines():
        blob = line.rpartition(" ")[2]
        require_canonical_b64(blob, "note signature")


def require_canonical_b64(text: str, what: str) -> bytes:
    """Strict base64 that re-encodes to exactly ``text``; ``VerificationError`` otherwise."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise VerificationError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"{what} is not canonical base64")
    return raw
