"""Checking pages against a subject head saved earlier: was an entry left out? No SQL, no HTTP.

An earlier signed head and later signed statements of the same log (checkpoints, heads, entries)
must all be true of one history; when they cannot be, the signed statements are the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.errors import VerificationError
from ledger.note import Checkpoint, NoteVerifier
from ledger.pages import JoinedPages
from ledger.subject_head import (
    SubjectHead,
    contradiction,
    entry_contradiction,
    link_contradiction,
    verify_subject_head,
)
from ledger.verify import PageReport, VerifiedEntry

__all__ = ["NonOmission", "Omission", "check_entry_not_omitted", "verify_no_omission"]


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
