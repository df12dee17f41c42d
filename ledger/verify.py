"""Offline verification of what a credgate gateway hands out. No SQL, no HTTP.

Everything that can be computed is computed here, never taken from the server: the leaf hash
from the leaf bytes, the root from the proof, the subject chain from the leaves. What must be
trusted comes from the caller: the verifier key(s), obtained out of band.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ledger.entry import ChainLink, chain_link, decode
from ledger.errors import LedgerError, VerificationError
from ledger.merkle import EMPTY_ROOT, leaf_hash, verify_consistency, verify_inclusion
from ledger.note import Checkpoint, NoteVerifier, verify_checkpoint
from ledger.subject_head import (
    SubjectHead,
    contradiction,
    entry_contradiction,
    link_contradiction,
    verify_subject_head,
)

__all__ = [
    "Checkpoint",
    "ConsistencyProver",
    "Inconclusive",
    "JoinedPages",
    "NonOmission",
    "Omission",
    "PageReport",
    "SubjectHead",
    "VerifiedEntry",
    "b64decode",
    "check_entry_not_omitted",
    "join_subject_pages",
    "parse_verifier_keys",
    "verified_entry",
    "verify_checkpoint",
    "verify_checkpoint_consistency",
    "verify_entry",
    "verify_no_omission",
    "verify_subject_head",
    "verify_subject_page",
]


def b64decode(value: Any, what: str) -> bytes:
    """Strict standard base64, or ``VerificationError`` naming ``what``."""
    if not isinstance(value, str):
        raise VerificationError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise VerificationError(f"{what} is not valid base64") from exc


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


def _check_chain(subject: str, entries: list[VerifiedEntry]) -> None:
    """Entries oldest first; redacted ones count in the chain but have no readable fields."""
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
    _check_chain(subject, entries)
    redacted = sum(1 for e in entries if e.entry is None)
    head_note = page.get("head")
    head = None
    if head_note is not None:
        head = _check_head(head_note, verifiers, checkpoint, subject, entries)
    return PageReport(subject, checkpoint, entries, redacted, note, head, head_note)


class Inconclusive(LedgerError):
    """Nothing checked was false, but what was given cannot support a conclusion: pages of
    different trees with nothing to relate the trees, or pages out of order. A verifier
    reports it as "nothing could be concluded", never as a failure of the log."""

    code = "inconclusive"


ConsistencyProver = Callable[[int, int], Sequence[bytes]]
"""Fetches a consistency proof from tree size ``first`` to ``second`` (``first < second``),
e.g. from a gateway; the proof is verified here, so where it comes from does not matter."""


@dataclass(frozen=True)
class JoinedPages:
    """Verified pages of one subject's access log joined into one unbroken history.

    ``pages`` are newest first, as given. Every older page is against the newest page's
    checkpoint or one proven consistent with it, so the newest page's checkpoint and head
    speak for the whole."""

    pages: tuple[PageReport, ...]

    @property
    def newest(self) -> PageReport:
        """The first page: the one that may carry the subject head."""
        return self.pages[0]

    @property
    def subject(self) -> str:
        """The subject every page is about."""
        return self.newest.subject

    @property
    def entries(self) -> list[VerifiedEntry]:
        """Every entry of every page, oldest first."""
        return [entry for page in reversed(self.pages) for entry in page.entries]

    @property
    def redacted(self) -> int:
        """How many of the entries are redacted."""
        return sum(page.redacted for page in self.pages)

    @property
    def next_before_index(self) -> int | None:
        """``before`` for the next older page; ``None`` once the pages reach the subject's
        first entry (or hold none)."""
        entries = self.entries
        if not entries:
            return None
        oldest = entries[0]
        if oldest.link is not None and oldest.link.prev_index is None:
            return None
        return oldest.index


def _span(page: PageReport) -> str:
    entries = page.entries
    if not entries:
        return "no entries"
    if len(entries) == 1:
        return f"entry {entries[0].index}"
    return f"{len(entries)} entries, indices {entries[0].index} to {entries[-1].index}"


def _listed(indices: Sequence[int], most: int = 5) -> str:
    shown = ", ".join(map(str, indices[:most]))
    return shown + (f" and {len(indices) - most} more" if len(indices) > most else "")


def _check_join(number: int, newer: PageReport, older: PageReport) -> None:
    """Page ``number + 1`` (``older``) must hold exactly the subject's entries right before
    page ``number``'s oldest: no entry between them, none on both."""
    pair = f"pages {number} and {number + 1}"
    spans = f"page {number} holds {_span(newer)}; page {number + 1} holds {_span(older)}"
    if older.subject != newer.subject:
        raise VerificationError(
            f"page {number + 1} is about {older.subject!r}, page {number} about {newer.subject!r}"
        )
    if older.checkpoint.origin != newer.checkpoint.origin:
        raise VerificationError(
            f"{pair} are of different logs: {newer.checkpoint.origin!r} and "
            f"{older.checkpoint.origin!r}"
        )
    if not older.entries and not newer.entries:
        return
    if not newer.entries:
        raise VerificationError(
            f"{pair} do not join: page {number} has no entries, so no older entry can follow "
            f"it ({spans})"
        )
    oldest = newer.entries[0]
    first = oldest.link is not None and oldest.link.prev_index is None
    if not older.entries:
        if first:
            return
        raise VerificationError(
            f"a gap between {pair}: page {number}'s oldest entry {oldest.index} is not "
            f"{newer.subject}'s first, but page {number + 1} has no entries ({spans})"
        )
    _check_order(number, newer, older, spans)
    newest_older = older.entries[-1]
    link = oldest.link
    if link is not None and link.prev_index != newest_older.index:
        named = "no entry" if link.prev_index is None else f"entry {link.prev_index}"
        claim = (
            f"page {number}'s oldest entry {oldest.index} (subject_seq {link.subject_seq}) "
            f"names {named} as {newer.subject}'s previous, but page {number + 1}'s newest is "
            f"entry {newest_older.index}"
        )
        if link.prev_index is not None and link.prev_index > newest_older.index:
            raise VerificationError(
                f"a gap between {pair}: {claim}; entry {link.prev_index} is on neither page "
                f"({spans})"
            )
        raise VerificationError(f"{pair} do not join: {claim} ({spans})")
    try:
        _check_chain(newer.subject, older.entries + newer.entries)
    except VerificationError as exc:
        raise VerificationError(f"{pair} do not join: {exc.message} ({spans})") from exc


def _check_order(number: int, newer: PageReport, older: PageReport, spans: str) -> None:
    """Every entry of the older page must come before every entry of the newer one."""
    if older.entries[-1].index < newer.entries[0].index:
        return
    if older.entries[0].index > newer.entries[-1].index:
        raise Inconclusive(
            f"the pages are not newest first: page {number + 1}'s entries are all newer than "
            f"page {number}'s ({spans}); give the newest page first, then each older one"
        )
    shared = sorted({e.index for e in newer.entries} & {e.index for e in older.entries})
    raise VerificationError(
        f"pages {number} and {number + 1} overlap: page {number + 1}'s newest entry "
        f"{older.entries[-1].index} is not older than page {number}'s oldest entry "
        f"{newer.entries[0].index}"
        + (f"; both hold {_listed(shared)}" if shared else "")
        + f" ({spans}); an older page is the one fetched with before=<the newer page's "
        f"oldest index>"
    )


def _check_older_head(number: int, older: PageReport, newer: Sequence[PageReport]) -> None:
    """A head on a later page speaks for its own tree: no newer page may show that tree
    holding entries after the one it names."""
    head = older.head
    if head is None:
        return
    later = [e.index for page in newer for e in page.entries if e.index < head.size]
    if later:
        raise VerificationError(
            f"page {number} carries a subject head ({head.describe()}), but the pages before "
            f"it hold newer entries of that tree ({_listed(later)}): give the newest page "
            f"first, then each older one"
        )


def _relate_checkpoints(
    reports: Sequence[PageReport], consistency_proof: ConsistencyProver | None
) -> None:
    """Every page must be against the first page's tree, or one proven consistent with it."""
    newest = reports[0].checkpoint
    related = {(newest.size, newest.root_hash)}
    for number, page in enumerate(reports[1:], start=2):
        checkpoint = page.checkpoint
        if (checkpoint.size, checkpoint.root_hash) in related:
            continue
        if checkpoint.size == newest.size:
            raise VerificationError(
                f"pages 1 and {number} are against checkpoints of one size {newest.size} with "
                f"different roots: a forked log"
            )
        if consistency_proof is None:
            raise Inconclusive(
                f"page {number} is against the checkpoint of size {checkpoint.size}, page 1 "
                f"against size {newest.size}: an inclusion proof shows an entry in its own "
                f"tree only, and nothing given shows that the two trees are one log's history "
                f"(a consistency proof between them would)"
            )
        older, newer = sorted((checkpoint, newest), key=lambda c: c.size)
        proof = consistency_proof(older.size, newer.size) if older.size else []
        try:
            verify_checkpoint_consistency(older, newer, proof)
        except VerificationError as exc:
            raise VerificationError(
                f"page {number}'s checkpoint (size {checkpoint.size}) and page 1's (size "
                f"{newest.size}) are not consistent: {exc.message}"
            ) from exc
        related.add((checkpoint.size, checkpoint.root_hash))


def join_subject_pages(
    reports: Sequence[PageReport], consistency_proof: ConsistencyProver | None = None
) -> JoinedPages:
    """Join verified pages of one subject's access log into one unbroken history.

    ``reports`` (from :func:`verify_subject_page`) come newest first, each older page being
    the one fetched with ``before`` = the newer page's ``next_before_index`` (its oldest
    index). They join when they are about one subject of one log; every entry of an older
    page comes before every entry of the newer one; the newer page's oldest entry names the
    older page's newest as its ``prev_index``, with consecutive ``subject_seq`` (redacted
    entries count one each); only the first page carries a head of a tree that holds the
    other pages' entries; and every page is against the first page's checkpoint, or one that
    ``consistency_proof`` proves consistent with it (an inclusion proof shows an entry in its
    own tree only). Overlapping pages are refused, not deduplicated.

    Raises ``VerificationError`` when the pages do not join (a gap, an overlap, a broken
    chain, two trees of one size with different roots, a failing consistency proof) and
    ``Inconclusive`` when they may but cannot be shown to (pages out of order, different
    trees and no ``consistency_proof``).
    """
    if not reports:
        raise Inconclusive("no page to join")
    for number, (newer, older) in enumerate(pairwise(reports), start=1):
        _check_join(number, newer, older)
    for number in range(2, len(reports) + 1):
        _check_older_head(number, reports[number - 1], reports[: number - 1])
    _relate_checkpoints(reports, consistency_proof)
    return JoinedPages(tuple(reports))


class Omission(VerificationError):
    """Signed statements of one log that cannot all be true about a subject's history: an
    entry left out of a head, a forked subject chain, or two heads that disagree. ``detail``
    holds the evidence: the signed notes and the entry, each checkable by anyone."""

    code = "omission"

    def __init__(
        self,
        message: str,
        *,
        previous_head: str,
        checkpoint: str | None = None,
        head: str | None = None,
        entry: VerifiedEntry | None = None,
    ) -> None:
        """Evidence: the earlier head and whatever signed statement contradicts it."""
        detail: dict[str, Any] = {"previous_head": previous_head}
        if checkpoint is not None:
            detail["checkpoint"] = checkpoint
        if head is not None:
            detail["head"] = head
        if entry is not None:
            detail["entry"] = entry.bundle()
        super().__init__(message, detail=detail)


@dataclass(frozen=True)
class NonOmission:
    """Pages checked against a head saved earlier, with no contradiction found.

    ``unproven`` is ``None`` when the pages prove that every entry of the subject since that
    head is on them (the newest carries its own head and they reach back to the entry after
    the earlier one); otherwise it says why nothing could be concluded. When the pages only
    fall short, ``missing`` counts the entries they still lack and ``before`` is where the
    next older page starts (fetch it with ``before=``)."""

    previous: SubjectHead
    unproven: str | None
    missing: int = 0
    before: int | None = None


def _proven_positions(entry: VerifiedEntry) -> list[tuple[int, int]]:
    """``(index, subject_seq)`` pairs an entry's own leaf vouches for: itself and the
    previous entry it names (the chain counts without gaps)."""
    link = entry.link
    if link is None or link.subject_seq is None:
        return []
    pairs = [(entry.index, link.subject_seq)]
    if link.prev_index is not None:
        pairs.append((link.prev_index, link.subject_seq - 1))
    return pairs


def _open_previous(note: str, verifiers: Sequence[NoteVerifier], origin: str) -> SubjectHead:
    try:
        return verify_subject_head(note, verifiers, origin=origin)
    except VerificationError as exc:
        raise VerificationError(f"previous head: {exc.message}") from exc


def _entry_omission(previous: SubjectHead, entry: VerifiedEntry) -> str | None:
    if entry.link is None:
        return None
    found = link_contradiction(previous, entry.index, entry.link)
    for index, seq in _proven_positions(entry)[1:]:
        found = found or entry_contradiction(previous, index, seq)
    return found


def verify_no_omission(
    previous_note: str, verifiers: Sequence[NoteVerifier], report: PageReport | JoinedPages
) -> NonOmission:
    """Check a verified page, or pages joined by :func:`join_subject_pages`, against a
    subject head saved earlier (maybe of an older tree).

    Every entry the pages prove must fit the earlier head: the head's ``subject_seq`` at the
    head's index, lower ones before it, higher ones at or beyond the head's tree size, and the
    one right after it pointing back at it; the newest page's own head must agree with the
    earlier one. Raises ``Omission`` (with both signed statements) when they cannot both be
    true, and ``VerificationError`` for a head that is not trusted or is about another log or
    subject. Whether the trees are consistent is a separate check (a consistency proof
    between the head's size and root and the newest page's checkpoint).
    """
    pages = report.pages if isinstance(report, JoinedPages) else (report,)
    newest = pages[0]
    previous = _open_previous(previous_note, verifiers, newest.checkpoint.origin)
    if previous.subject != newest.subject:
        raise VerificationError(
            f"the previous head is about {previous.subject!r}, the page about {newest.subject!r}"
        )
    if newest.head is not None:
        found = contradiction(previous, newest.head)
        if found is not None:
            raise Omission(
                found,
                previous_head=previous_note,
                checkpoint=newest.checkpoint_note,
                head=newest.head_note,
            )
    readable: set[int] = set()
    for page in reversed(pages):  # oldest first: an entry the head hid is its own evidence
        _check_page_against(previous_note, previous, page, readable)
    return _conclusion(previous, pages, readable)


def _check_page_against(
    previous_note: str, previous: SubjectHead, page: PageReport, readable: set[int]
) -> None:
    """Raise ``Omission`` if the page's tree or an entry contradicts ``previous``; collect
    the readable entries' ``subject_seq`` into ``readable``."""
    checkpoint = page.checkpoint
    if previous.size == checkpoint.size and previous.root_hash != checkpoint.root_hash:
        raise Omission(
            f"the previous head and the page's checkpoint are both of tree size {previous.size} "
            f"with different roots: a forked log",
            previous_head=previous_note,
            checkpoint=page.checkpoint_note,
        )
    for entry in page.entries:
        found = _entry_omission(previous, entry)
        if found is not None:
            raise Omission(
                found, previous_head=previous_note, checkpoint=page.checkpoint_note, entry=entry
            )
        if entry.link is not None and entry.link.subject_seq is not None:
            readable.add(entry.link.subject_seq)


def _conclusion(
    previous: SubjectHead, pages: Sequence[PageReport], readable: set[int]
) -> NonOmission:
    """Whether pages without contradictions show every entry since ``previous``, and if not,
    why not."""
    head = pages[0].head
    if head is None:
        return NonOmission(
            previous,
            "the page has no head (only the newest page carries one; give it first): its "
            "entries fit the previous head, but nothing shows that no newer entry was left out",
        )
    if head.size < previous.size:
        return NonOmission(
            previous,
            f"the page's tree (size {head.size}) is older than the previous head's (size "
            f"{previous.size}): it fits, but cannot show anything since",
        )
    seq = previous.subject_seq
    if head.subject_seq == seq or any(s <= seq + 1 for s in readable):
        return NonOmission(previous, None)
    joined = JoinedPages(tuple(pages))
    count = len(joined.entries)
    before = joined.next_before_index
    missing = head.subject_seq - seq - count
    where = f"fetch the next older page with before={before}"
    if missing <= 0:
        # Counted, the pages reach far enough; but only through redacted entries, whose
        # chain fields are the gateway's word.
        why = (
            f"the entry after subject_seq {seq} (the previous head's) is redacted, so nothing "
            f"readable shows it follows the previous head's entry; {where} to reach a readable "
            f"one"
        )
        return NonOmission(previous, why, 0, before)
    if len(pages) == 1:
        why = (
            f"the page does not reach back to the entry after subject_seq {seq} (the previous "
            f"head's): ask for the newest page with a limit of at least "
            f"{head.subject_seq - seq}, or {where} and give it after this one"
        )
    else:
        why = (
            f"the {len(pages)} pages do not reach back to the entry after subject_seq {seq} "
            f"(the previous head's): {missing} more "
            + ("entry of the subject is" if missing == 1 else "entries of the subject are")
            + f" needed; {where} and give it after the others"
        )
    return NonOmission(previous, why, missing, before)


def check_entry_not_omitted(
    previous_note: str,
    verifiers: Sequence[NoteVerifier],
    checkpoint: Checkpoint,
    checkpoint_note: str,
    entry: VerifiedEntry,
) -> bool:
    """Check one verified entry (e.g. from an institution's receipt) against a subject head
    saved earlier. Raises ``Omission`` when the entry is the head's subject's and the head
    left it out (or the chain forked around it); returns whether the entry is about the head's
    subject at all."""
    previous = _open_previous(previous_note, verifiers, checkpoint.origin)
    if entry.link is None or entry.link.subject != previous.subject:
        return False
    found = _entry_omission(previous, entry)
    if found is not None:
        raise Omission(found, previous_head=previous_note, checkpoint=checkpoint_note, entry=entry)
    return True
