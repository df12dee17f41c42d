"""Offline verification of what a credgate gateway hands out. No SQL, no HTTP.

Everything that can be computed is computed here, never taken from the server: the leaf hash
from the leaf bytes, the root from the proof, the subject chain from the leaves. What must be
trusted comes from the caller: the verifier key(s), obtained out of band.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.entry import ChainLink, chain_link, decode
from ledger.errors import VerificationError
from ledger.merkle import EMPTY_ROOT, leaf_hash, verify_consistency, verify_inclusion
from ledger.note import Checkpoint, NoteVerifier, b64decode_canonical, verify_checkpoint
from ledger.subject_head import SubjectHead, verify_subject_head

__all__ = [
    "Checkpoint",
    "PageReport",
    "SubjectHead",
    "VerifiedEntry",
    "b64decode",
    "check_subject_chain",
    "parse_verifier_keys",
    "verified_entry",
    "verify_checkpoint",
    "verify_checkpoint_consistency",
    "verify_entry",
    "verify_subject_head",
    "verify_subject_page",
]


def b64decode(value: Any, what: str) -> bytes:
    """Canonical base64 (``note.b64decode_canonical``), or ``VerificationError`` naming ``what``."""
    if not isinstance(value, str):
        raise VerificationError(f"{what} must be a base64 string")
    return b64decode_canonical(value, what)


def parse_verifier_keys(keys: Iterable[str]) -> list[NoteVerifier]:
    """Verifier keys (``name+hash+base64key``) to trust; at least one is required."""
    verifiers = [NoteVerifier.parse(key) for key in keys if key.strip()]
    if not verifiers:
        raise VerificationError("no verifier key given: nothing can be trusted")
    return verifiers


def verify_entry(checkpoint: Checkpoint, leaf: bytes, index: int, proof: Sequence[bytes]) -> bytes:
    """Check that ``leaf`` (the entry's bytes) is entry ``index`` of the checkpointed tree.

    Returns the leaf hash, computed here. Raises ``VerificationError`` otherwise.
    """
    computed = leaf_hash(leaf)
    verify_inclusion(computed, index, checkpoint.size, proof, checkpoint.root_hash)
    return computed


def verify_checkpoint_consistency(
    older: Checkpoint, newer: Checkpoint, proof: Sequence[bytes]
) -> None:
    """Check that ``newer`` extends ``older`` (same log, nothing rewritten).

    Two checkpoints of one size must have one root; the empty tree is a prefix of every tree.
    Raises ``VerificationError`` otherwise.
    """
    if older.origin != newer.origin:
        raise VerificationError(f"different logs: {older.origin!r} and {newer.origin!r}")
    if older.size > newer.size:
        older, newer = newer, older
    if older.size == 0:
        if older.root_hash != EMPTY_ROOT:
            raise VerificationError("a checkpoint of size 0 must have the empty root")
        if proof:
            raise VerificationError("a proof from the empty tree must be empty")
        return
    verify_consistency(older.size, newer.size, older.root_hash, newer.root_hash, proof)


@dataclass(frozen=True)
class VerifiedEntry:
    """One entry of a verified page; ``entry`` is ``None`` when the content was redacted."""

    index: int
    leaf_hash: bytes
    entry: dict[str, Any] | None
    link: ChainLink | None
    leaf: bytes | None = None
    inclusion_proof: tuple[bytes, ...] = ()

    def bundle(self) -> dict[str, Any]:
        """The entry as a page item (an entry bundle when not redacted), for evidence."""
        item: dict[str, Any] = {"index": self.index}
        if self.leaf is None:
            item.update(redacted=True, leaf_hash=_b64(self.leaf_hash))
        else:
            item["leaf"] = _b64(self.leaf)
        item["inclusion_proof"] = [_b64(h) for h in self.inclusion_proof]
        return item


@dataclass(frozen=True)
class PageReport:
    """A verified page of a subject's access log, oldest entry first; ``head`` is the
    verified subject head when the page carried one (``head_note`` its signed note)."""

    subject: str
    checkpoint: Checkpoint
    entries: list[VerifiedEntry]
    redacted: int
    checkpoint_note: str
    head: SubjectHead | None = None
    head_note: str | None = None


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def verified_entry(
    checkpoint: Checkpoint, leaf: bytes, index: int, proof: Sequence[bytes]
) -> VerifiedEntry:
    """:func:`verify_entry`, returning the entry decoded with its subject-chain fields."""
    hashed = verify_entry(checkpoint, leaf, index, proof)
    entry = decode(leaf)
    return VerifiedEntry(index, hashed, entry, chain_link(entry), leaf, tuple(proof))


def _item(item: Any, position: int, checkpoint: Checkpoint) -> VerifiedEntry:
    if not isinstance(item, Mapping):
        raise VerificationError(f"page entry {position} is not an object")
    index = item.get("index")
    if type(index) is not int or index < 0:
        raise VerificationError(f"page entry {position} has no valid index")
    proof_json = item.get("inclusion_proof")
    if not isinstance(proof_json, list):
        raise VerificationError(f"entry {index} has no inclusion_proof list")
    proof = [b64decode(h, f"entry {index} proof hash") for h in proof_json]
    if "leaf" in item:
        leaf = b64decode(item["leaf"], f"entry {index} leaf")
        try:
            return verified_entry(checkpoint, leaf, index, proof)
        except VerificationError as exc:
            raise VerificationError(f"entry {index}: {exc.message}") from exc
    if item.get("redacted") is True:
        hashed = b64decode(item.get("leaf_hash"), f"entry {index} leaf_hash")
        try:
            verify_inclusion(hashed, index, checkpoint.size, proof, checkpoint.root_hash)
        except VerificationError as exc:
            raise VerificationError(f"redacted entry {index}: {exc.message}") from exc
        return VerifiedEntry(index, hashed, None, None, None, tuple(proof))
    raise VerificationError(f"entry {index} has neither a leaf nor a redacted leaf_hash")


def check_subject_chain(subject: str, entries: list[VerifiedEntry]) -> None:
    """Check ``subject``'s chain over ``entries`` (oldest first, no gap between them): consecutive
    ``subject_seq`` and each ``prev_index`` naming the entry before it. Redacted entries count in
    the chain but have no readable fields. Raises ``VerificationError`` at the first break."""
    before: VerifiedEntry | None = None
    last_seq: int | None = None
    redacted_since = 0
    for current in entries:
        link = current.link
        if link is None:
            redacted_since += 1
            before = current
            continue
        if link.subject != subject:
            raise VerificationError(
                f"entry {current.index} is about {link.subject!r}, not {subject!r}"
            )
        assert link.subject_seq is not None
        if link.prev_index is not None and link.prev_index >= current.index:
            raise VerificationError(f"entry {current.index} points forward to {link.prev_index}")
        if before is not None and link.prev_index != before.index:
            raise VerificationError(
                f"entry {current.index} says {subject}'s previous entry is "
                f"{link.prev_index}, but the page has {before.index} before it"
            )
        if last_seq is not None and link.subject_seq != last_seq + redacted_since + 1:
            raise VerificationError(
                f"gap or reordering in {subject}'s history: entry {current.index} has "
                f"subject_seq {link.subject_seq}, expected {last_seq + redacted_since + 1}"
            )
        before, last_seq, redacted_since = current, link.subject_seq, 0


def _newest_seq(entries: list[VerifiedEntry]) -> int | None:
    """The newest entry's subject_seq as the page's own chain gives it (redacted entries
    count one each after the last readable one), or ``None`` if nothing is readable."""
    for position in range(len(entries) - 1, -1, -1):
        link = entries[position].link
        if link is not None and link.subject_seq is not None:
            return link.subject_seq + len(entries) - 1 - position
    return None


def _check_head(
    note: Any,
    verifiers: Sequence[NoteVerifier],
    checkpoint: Checkpoint,
    subject: str,
    entries: list[VerifiedEntry],
) -> SubjectHead:
    """The page's head must be signed, about this subject and this very tree, and name the
    page's newest entry (or none for an empty page)."""
    if not isinstance(note, str):
        raise VerificationError("page head is not a signed note")
    head = verify_subject_head(note, verifiers, origin=checkpoint.origin, subject=subject)
    if (head.size, head.root_hash) != (checkpoint.size, checkpoint.root_hash):
        raise VerificationError(
            f"the page's head is for tree size {head.size}, its checkpoint for size "
            f"{checkpoint.size} (or their roots differ)"
        )
    newest = entries[-1].index if entries else None
    if head.index != newest:
        left_out = head.index is not None and (newest is None or head.index > newest)
        raise VerificationError(
            f"the page's head says {head.describe()}, but the page's newest entry is "
            + ("none" if newest is None else str(newest))
            + (": the page leaves out the newest entry" if left_out else "")
        )
    seq = _newest_seq(entries)
    if seq is not None and seq != head.subject_seq:
        raise VerificationError(
            f"the page's head gives entry {newest} subject_seq {head.subject_seq}, the page's "
            f"chain gives it {seq}"
        )
    return head


def verify_subject_page(
    page: Mapping[str, Any],
    verifiers: Sequence[NoteVerifier],
    *,
    origin: str | None = None,
    subject: str | None = None,
) -> PageReport:
    """Verify a page of a subject's access log.

    ``page`` is ``{"checkpoint": <signed note>, "entries": [{"index", "leaf",
    "inclusion_proof"}, ...], "head": <signed subject head, optional>}`` (other keys are
    ignored). Checks the checkpoint's signature, every entry's inclusion in it, that all
    entries are about one subject (``subject`` if given), and the subject chain within the
    page: consecutive ``subject_seq`` and each ``prev_index`` naming the entry before it.
    Redacted entries (``"redacted": true`` with a ``leaf_hash``) are checked for inclusion and
    counted in the chain; their content cannot be. A ``head`` (the newest page carries one)
    must be signed by a trusted key, be about the subject and the checkpoint's tree, and name
    the page's newest entry: then nothing newer in that tree was left out. Raises
    ``VerificationError`` at the first failure.
    """
    note = page.get("checkpoint")
    if not isinstance(note, str):
        raise VerificationError("page has no checkpoint note")
    checkpoint = verify_checkpoint(note, verifiers, origin)
    items = page.get("entries")
    if not isinstance(items, list):
        raise VerificationError("page has no entries list")
    entries = sorted(
        (_item(item, position, checkpoint) for position, item in enumerate(items)),
        key=lambda e: e.index,
    )
    indices = [e.index for e in entries]
    if len(set(indices)) != len(indices):
        raise VerificationError("page lists an entry twice")
    named = {e.link.subject for e in entries if e.link is not None}
    if subject is None:
        if len(named) > 1:
            raise VerificationError(f"page mixes subjects: {sorted(map(str, named))}")
        subject = next(iter(named), None) or page.get("subject")
    if not isinstance(subject, str):
        raise VerificationError("page names no subject")
    check_subject_chain(subject, entries)
    redacted = sum(1 for e in entries if e.entry is None)
    head_note = page.get("head")
    head = None
    if head_note is not None:
        head = _check_head(head_note, verifiers, checkpoint, subject, entries)
    return PageReport(subject, checkpoint, entries, redacted, note, head, head_note)
