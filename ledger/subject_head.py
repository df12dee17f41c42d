"""Signed subject heads: the log's signed word on which entry is a subject's newest.

A subject page proves that its entries are in a checkpointed tree, but not that nothing newer
was left out. A subject head closes that gap: for one tree (origin, size, root hash) the log
signs which of the subject's entries is the newest below that size, or that there is none. A
head is a C2SP signed note, signed by the checkpoint key(s), whose text is exactly::

    credgate subject head v1
    origin <origin>
    size <decimal tree size>
    root <base64 root hash>
    subject <subject as canonical JSON string>
    subject_seq <decimal; 0 when the subject has no entry below size>
    index <decimal log index of that entry, or "none">

Decimals are canonical (no sign, no leading zeros) and nothing else may follow. The first
line separates the domains: a checkpoint's second line is its size, a head's is ``origin ...``,
so neither parses as the other. Because the subject chain counts without gaps, a head says the
subject had exactly ``subject_seq`` entries in the tree, ending at ``index``; a later page or
entry that contradicts it is evidence (``contradiction``) signed by the log itself.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.entry import MAX_SUBJECT_LENGTH, ChainLink, canonical_json
from ledger.errors import InvalidEntry, VerificationError
from ledger.merkle import HASH_SIZE
from ledger.note import NoteSigner, NoteVerifier, b64decode_canonical, open_note, sign_note

HEADER = "credgate subject head v1"
_FIELDS = ("origin", "size", "root", "subject", "subject_seq", "index")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_MAX = 1 << 63


def _decimal(value: str, what: str) -> int:
    if not _DECIMAL.fullmatch(value) or int(value) >= _MAX:
        raise VerificationError(f"subject head {what} is not a canonical decimal number")
    return int(value)


def _subject_json(subject: str) -> str:
    if not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise VerificationError(
            f"subject head subject must be a non-empty string of at most {MAX_SUBJECT_LENGTH}"
        )
    try:
        return canonical_json(subject)
    except InvalidEntry as exc:
        raise VerificationError(f"subject head subject: {exc.message}") from exc


@dataclass(frozen=True)
class SubjectHead:
    """In the tree of ``size`` entries with ``root_hash`` of log ``origin``, ``subject``'s
    newest entry is ``index`` with ``subject_seq``; ``subject_seq`` 0 and ``index`` ``None``
    when the subject has no entry in that tree."""

    origin: str
    size: int
    root_hash: bytes
    subject: str
    subject_seq: int
    index: int | None

    def __post_init__(self) -> None:
        """Refuse a head no log could sign truthfully (``VerificationError``)."""
        if not self.origin or any(c.isspace() for c in self.origin):
            raise VerificationError("subject head origin must be non-empty without spaces")
        if not 0 <= self.size < _MAX or len(self.root_hash) != HASH_SIZE:
            raise VerificationError("subject head needs a tree size and a SHA-256 root hash")
        _subject_json(self.subject)
        if (self.subject_seq == 0) != (self.index is None) or self.subject_seq < 0:
            raise VerificationError("subject head: subject_seq 0 exactly when index is none")
        # seq entries at distinct indices <= index, all below size
        if self.index is not None and not self.subject_seq <= self.index + 1 <= self.size:
            raise VerificationError(
                f"subject head: entry {self.index} with subject_seq {self.subject_seq} cannot "
                f"be in a tree of size {self.size}"
            )

    @property
    def empty(self) -> bool:
        """Whether the head says the subject has no entry in its tree."""
        return self.index is None

    def body(self) -> str:
        """The note text of this head (see the module docstring)."""
        values = (
            self.origin,
            str(self.size),
            base64.b64encode(self.root_hash).decode("ascii"),
            _subject_json(self.subject),
            str(self.subject_seq),
            "none" if self.index is None else str(self.index),
        )
        lines = [HEADER, *(f"{name} {value}" for name, value in zip(_FIELDS, values, strict=True))]
        return "".join(line + "\n" for line in lines)

    def describe(self) -> str:
        """One line for people: which entry the head names, in which tree."""
        if self.index is None:
            return f"{self.subject} has no entry below size {self.size}"
        return (
            f"{self.subject}'s newest entry below size {self.size} is {self.index} "
            f"(subject_seq {self.subject_seq})"
        )

    @classmethod
    def parse(cls, text: str) -> SubjectHead:
        """Parse head note text; raise ``VerificationError`` unless it is exactly the format."""
        if not text.endswith("\n"):
            raise VerificationError("subject head must end in a newline")
        lines = text[:-1].split("\n")
        if lines[0] != HEADER:
            raise VerificationError(f"not a subject head: the first line is not {HEADER!r}")
        if len(lines) != 1 + len(_FIELDS):
            raise VerificationError(f"subject head needs exactly the lines {', '.join(_FIELDS)}")
        values: dict[str, str] = {}
        for name, line in zip(_FIELDS, lines[1:], strict=True):
            label, _, value = line.partition(" ")
            if label != name or not value:
                raise VerificationError(f"subject head line {line!r} should be '{name} <value>'")
            values[name] = value
        root = values["root"]
        root_hash = b64decode_canonical(root, "subject head root")
        try:
            subject = json.loads(values["subject"])
        except json.JSONDecodeError as exc:
            raise VerificationError("subject head subject is not a JSON string") from exc
        if not isinstance(subject, str) or _subject_json(subject) != values["subject"]:
            raise VerificationError("subject head subject is not a canonical JSON string")
        index = values["index"]
        return cls(
            origin=values["origin"],
            size=_decimal(values["size"], "size"),
            root_hash=root_hash,
            subject=subject,
            subject_seq=_decimal(values["subject_seq"], "subject_seq"),
            index=None if index == "none" else _decimal(index, "index"),
        )


def sign_subject_head(head: SubjectHead, signers: Sequence[NoteSigner]) -> str:
    """The head as a C2SP signed note, signed by every one of ``signers`` (all the
    checkpoint keys, so a key rotation co-signs heads as it co-signs checkpoints)."""
    return sign_note(head.body(), signers)


def verify_subject_head(
    note: str,
    verifiers: Iterable[NoteVerifier],
    *,
    origin: str | None = None,
    subject: str | None = None,
) -> SubjectHead:
    """Open a signed subject head: a good signature by a trusted key, exactly the head
    format, and (if given) the expected origin and subject. Raises ``VerificationError``."""
    head = SubjectHead.parse(open_note(note, verifiers).text)
    if origin is not None and head.origin != origin:
        raise VerificationError(f"subject head origin {head.origin!r} is not {origin!r}")
    if subject is not None and head.subject != subject:
        raise VerificationError(f"subject head is about {head.subject!r}, not {subject!r}")
    return head


def entry_contradiction(head: SubjectHead, index: int, subject_seq: int) -> str | None:
    """Why an entry of ``head.subject`` at ``index`` with ``subject_seq``, proven to be in the
    same log, cannot coexist with ``head``; ``None`` if it can.

    The head says the subject's entries below ``head.size`` are exactly seq 1..S, the last at
    ``head.index``; indices grow along the chain.
    """
    seq, newest = head.subject_seq, head.index
    if subject_seq == seq and index != newest:
        return (
            f"entry {index} has subject_seq {subject_seq}, but the head says entry {newest} has "
            f"it: the subject chain was forked or a subject_seq reused"
        )
    if subject_seq < seq and newest is not None and index >= newest:
        return (
            f"entry {index} has subject_seq {subject_seq}, below the head's {seq}, but does "
            f"not come before the head's entry {newest}"
        )
    if subject_seq > seq and index < head.size:
        return (
            f"entry {index} (subject_seq {subject_seq}) is below tree size {head.size}, where "
            f"the head says the subject's newest entry is "
            + ("none" if newest is None else f"{newest} (subject_seq {seq})")
            + ": the head omitted it"
        )
    return None


def link_contradiction(head: SubjectHead, index: int, link: ChainLink) -> str | None:
    """:func:`entry_contradiction` for a readable entry of ``head.subject``, which also names
    its previous entry: the entry after the head's must point back at it."""
    found = entry_contradiction(head, index, link.subject_seq or 0)
    forked = link.subject_seq == head.subject_seq + 1 and link.prev_index != head.index
    if found is None and forked:
        return (
            f"entry {index} (subject_seq {link.subject_seq}) says the subject's previous "
            f"entry is {link.prev_index}, but the head says it is {head.index}: the subject "
            f"chain was forked"
        )
    return found


def contradiction(first: SubjectHead, second: SubjectHead) -> str | None:
    """Why two heads of one subject and log cannot both be true; ``None`` if they can.

    Only what the heads say is compared; whether two trees of different sizes are consistent
    needs a consistency proof between their roots.
    """
    if first.size == second.size and first.root_hash != second.root_hash:
        return f"two heads of tree size {first.size} with different roots: a forked log"
    for head, other in ((first, second), (second, first)):
        if other.index is not None:
            found = entry_contradiction(head, other.index, other.subject_seq)
            if found is not None:
                return f"the heads of sizes {head.size} and {other.size} disagree: {found}"
    return None
