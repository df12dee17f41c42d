"""Joining verified pages of one subject's access log into one unbroken history. No SQL, no HTTP.

Pages come newest first, each older one fetched with ``before=`` the newer one's oldest index.
Every page is verified on its own by :mod:`ledger.verify`; here they must join (no gap, no
overlap, one chain) and be against one checkpoint or ones proven consistent with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ledger.errors import LedgerError, VerificationError
from ledger.verify import (
    PageReport,
    VerifiedEntry,
    check_subject_chain,
    verify_checkpoint_consistency,
)

__all__ = ["ConsistencyProver", "Inconclusive", "JoinedPages", "join_subject_pages"]


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
        check_subject_chain(newer.subject, older.entries + newer.entries)
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
