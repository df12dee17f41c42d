"""Ledger entries: what a leaf contains and its canonical bytes (RFC 8785 JSON).

A leaf is the canonical JSON of::

    {"nonce": <base64 of 16 random bytes>, "payload": {...}, "timestamp": "...Z", "v": 1}

and, for an entry about a subject (an enterprise), additionally ``"subject"``,
``"subject_seq"`` (1 for the subject's first entry, then 2, 3, ... with no gaps) and
``"prev_index"`` (the log index of the subject's previous entry, ``null`` for the first).

The nonce makes every leaf unguessable, so a sibling hash in someone else's proof reveals
nothing about this entry. The subject chain lets a subject see a gap or a reordering in its
own history.

Everything that does not depend on the entry's place in the log (the payload's canonical form,
the nonce) is prepared in the caller's thread; ``seal`` then only splices in the fields the
sequencer decides. The splice produces exactly ``rfc8785.dumps`` of the whole entry because
the envelope's keys are ASCII and emitted in RFC 8785 order.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

from ledger.errors import InvalidEntry, VerificationError

FORMAT_VERSION = 1
NONCE_BYTES = 16
MAX_SUBJECT_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PreparedEntry:
    """An entry before it has a place in the log: canonical payload, subject, nonce.

    ``head`` is the leaf's text up to the fields only the sequencer can fill in.
    """

    payload_json: str
    subject: str | None
    subject_json: str | None
    nonce: str
    head: str


@dataclass(frozen=True, slots=True)
class SequencedEntry:
    """An entry with its place in the log decided; ``leaf`` is what gets hashed."""

    leaf: bytes
    subject: str | None
    subject_seq: int | None
    prev_index: int | None


_SAFE_INTEGER = 2**53 - 1
# For the values ``_plain`` accepts, the standard library's C encoder writes exactly the
# RFC 8785 form (same escapes, ASCII keys sort the same by code point as by UTF-16, integers
# within the IEEE-754 exact range), at a fifth of rfc8785's cost on the append path. Anything
# else goes through rfc8785 itself; tests check both agree on generated JSON.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_SAFE_INTEGER <= value <= _SAFE_INTEGER)
    if kind is dict:
        return all(
            type(key) is str and key.isascii() and _plain(item) for key, item in value.items()
        )
    if kind is list:
        return all(_plain(item) for item in value)
    return False


def _refuse_floats(value: Any) -> None:
    # A float such as 2.0**53 is written as an integer no JSON reader can canonicalize again.
    if isinstance(value, float):
        raise InvalidEntry("ledger entries take no floats: use integers or strings")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def canonical_json(value: Any) -> str:
    """``value`` (no floats) as RFC 8785 canonical JSON text, or ``InvalidEntry``."""
    try:
        if _plain(value):
            text: str = _ENCODER.encode(value)
            text.encode("utf-8")  # rejects unpaired surrogates, as RFC 8785 requires
            return text
        _refuse_floats(value)
        return rfc8785.dumps(value).decode("utf-8")
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
        if isinstance(exc, InvalidEntry):
            raise
        raise InvalidEntry(f"not representable as canonical JSON: {exc}") from exc


def prepare(payload: dict[str, Any], subject: str | None = None) -> PreparedEntry:
    """Canonicalize ``payload`` and draw a nonce; raise ``InvalidEntry`` if it cannot be done."""
    if not isinstance(payload, dict):
        raise InvalidEntry(f"payload must be a dict, not {type(payload).__name__}")
    if subject is not None and (
        not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_LENGTH
    ):
        raise InvalidEntry(f"subject must be a non-empty string of at most {MAX_SUBJECT_LENGTH}")
    payload_json = canonical_json(payload)
    nonce = base64.b64encode(os.urandom(NONCE_BYTES)).decode("ascii")
    return PreparedEntry(
        payload_json=payload_json,
        subject=subject,
        subject_json=None if subject is None else canonical_json(subject),
        nonce=nonce,
        head=f'{{"nonce":"{nonce}","payload":{payload_json}',
    )


def format_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with microseconds and a ``Z``, e.g. ``2026-11-27T09:00:00.000000Z``."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def seal(
    prepared: PreparedEntry,
    timestamp: str,
    subject_seq: int | None = None,
    prev_index: int | None = None,
) -> SequencedEntry:
    """The leaf bytes of ``prepared`` once the sequencer has placed it."""
    tail = f',"timestamp":"{timestamp}","v":{FORMAT_VERSION}}}'
    if prepared.subject_json is None:
        return SequencedEntry((prepared.head + tail).encode("utf-8"), None, None, None)
    if subject_seq is None:
        raise ValueError("an entry with a subject needs its subject_seq")
    chain = (
        f',"prev_index":{"null" if prev_index is None else prev_index}'
        f',"subject":{prepared.subject_json},"subject_seq":{subject_seq}'
    )
    return SequencedEntry(
        (prepared.head + chain + tail).encode("utf-8"),
        prepared.subject,
        subject_seq,
        prev_index,
    )


def decode(leaf: bytes) -> dict[str, Any]:
    """Parse leaf bytes; raise ``VerificationError`` unless they are canonical entry JSON."""
    try:
        entry = json.loads(leaf.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerificationError(f"leaf is not JSON: {exc}") from exc
    if not isinstance(entry, dict) or entry.get("v") != FORMAT_VERSION:
        raise VerificationError("leaf is not a version 1 ledger entry")
    try:
        canonical = rfc8785.dumps(entry)
    except rfc8785.CanonicalizationError as exc:
        raise VerificationError(f"leaf has no canonical form: {exc}") from exc
    if canonical != leaf:
        raise VerificationError("leaf is not in canonical (RFC 8785) form")
    return entry


@dataclass(frozen=True, slots=True)
class ChainLink:
    """The subject-chain fields of one entry."""

    subject: str | None
    subject_seq: int | None
    prev_index: int | None


def chain_link(entry: dict[str, Any]) -> ChainLink:
    """The subject-chain fields of a decoded entry, checked for type."""
    subject = entry.get("subject")
    seq = entry.get("subject_seq")
    prev = entry.get("prev_index")
    if subject is None:
        if seq is not None or prev is not None:
            raise VerificationError("entry without a subject carries chain fields")
        return ChainLink(None, None, None)
    if not isinstance(subject, str) or type(seq) is not int or seq < 1:
        raise VerificationError("entry with a subject needs a positive integer subject_seq")
    if prev is not None and (type(prev) is not int or prev < 0):
        raise VerificationError("prev_index must be null or a non-negative integer")
    if (seq == 1) != (prev is None):
        raise VerificationError("exactly the first entry of a subject has no prev_index")
    return ChainLink(subject, seq, prev)
