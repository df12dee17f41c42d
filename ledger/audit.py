"""Following a log's checkpoints over time: every new one must extend the last one seen.

Pure logic over a ``CheckpointSource`` (the CLI gives it an HTTP one). A witness-style
auditor: it remembers the largest verified checkpoint and demands a consistency proof for
every newer one; two checkpoints of one size with different roots, or a proof that fails,
is a split view or a rewrite and is reported with both signed notes as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ledger.errors import LedgerError, VerificationError
from ledger.note import Checkpoint, NoteVerifier, verify_checkpoint
from ledger.verify import verify_checkpoint_consistency


class CheckpointSource(Protocol):
    """Where an auditor gets checkpoints and proofs (e.g. a gateway over HTTP)."""

    def latest_checkpoint(self) -> str:
        """The latest signed checkpoint note."""
        ...

    def checkpoints_after(self, size: int, limit: int) -> list[str]:
        """Signed notes of every checkpoint issued with a size above ``size``, oldest first."""
        ...

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The log's consistency proof between two sizes."""
        ...


class Verdict(StrEnum):
    """How an observed checkpoint relates to the last one trusted."""

    FIRST = "first"
    UNCHANGED = "unchanged"
    EXTENDED = "extended"
    STALE = "stale"


@dataclass(frozen=True)
class Observation:
    """One checkpoint looked at: how it relates to the last one trusted."""

    verdict: Verdict
    checkpoint: Checkpoint
    note: str


class Inconsistent(VerificationError):
    """Two signed checkpoints of one log that cannot both be true."""

    code = "inconsistent_checkpoints"

    def __init__(self, message: str, older_note: str, newer_note: str) -> None:
        """Evidence: both signed notes."""
        super().__init__(message, detail={"older": older_note, "newer": newer_note})
        self.older_note = older_note
        self.newer_note = newer_note


class Auditor:
    """Remembers the largest verified checkpoint and checks each new one against it."""

    def __init__(
        self,
        verifiers: Sequence[NoteVerifier],
        *,
        origin: str | None = None,
        trusted_note: str | None = None,
    ) -> None:
        """An auditor trusting ``verifiers``; ``trusted_note`` resumes from a saved state."""
        self._verifiers = list(verifiers)
        self._origin = origin
        self.note: str | None = None
        self.checkpoint: Checkpoint | None = None
        if trusted_note is not None:
            self.checkpoint = verify_checkpoint(trusted_note, self._verifiers, origin)
            self.note = trusted_note
            self._origin = self._origin or self.checkpoint.origin

    def observe(self, note: str, source: CheckpointSource) -> Observation:
        """Check ``note`` (signature, then consistency with what was seen) and remember it
        if it is newer. Raises ``Inconsistent`` on a split view or rewrite and
        ``VerificationError`` on a bad note."""
        checkpoint = verify_checkpoint(note, self._verifiers, self._origin)
        self._origin = self._origin or checkpoint.origin
        known, known_note = self.checkpoint, self.note
        if known is None or known_note is None:
            self.checkpoint, self.note = checkpoint, note
            return Observation(Verdict.FIRST, checkpoint, note)
        if checkpoint.size == known.size:
            if checkpoint.root_hash != known.root_hash:
                raise Inconsistent(
                    f"two checkpoints of size {known.size} with different roots", known_note, note
                )
            return Observation(Verdict.UNCHANGED, checkpoint, note)
        older, newer = (known, checkpoint) if known.size < checkpoint.size else (checkpoint, known)
        older_note, newer_note = (known_note, note) if older is known else (note, known_note)
        try:
            proof = source.consistency_proof(older.size, newer.size) if older.size else []
        except LedgerError as exc:
            raise Inconsistent(
                f"the log gave no consistency proof from {older.size} to {newer.size}: "
                f"{exc.message}",
                older_note,
                newer_note,
            ) from exc
        try:
            verify_checkpoint_consistency(older, newer, proof)
        except VerificationError as exc:
            raise Inconsistent(
                f"checkpoint {newer.size} does not extend checkpoint {older.size}: {exc.message}",
                older_note,
                newer_note,
            ) from exc
        if newer is checkpoint:
            self.checkpoint, self.note = checkpoint, note
            return Observation(Verdict.EXTENDED, checkpoint, note)
        return Observation(Verdict.STALE, checkpoint, note)

    def poll(self, source: CheckpointSource) -> Observation:
        """Observe the source's latest checkpoint."""
        return self.observe(source.latest_checkpoint(), source)

    def catch_up(self, source: CheckpointSource, page: int = 100) -> list[Observation]:
        """Observe every checkpoint the source issued after the one trusted, in order."""
        seen: list[Observation] = []
        while True:
            after = self.checkpoint.size if self.checkpoint is not None else -1
            notes = source.checkpoints_after(after, page)
            for note in notes:
                seen.append(self.observe(note, source))
            if len(notes) < page:
                return seen
            if self.checkpoint is None or self.checkpoint.size <= after:
                raise VerificationError("the log listed no checkpoint newer than the last one")
