"""The subject's own access log: its ledger entries with proofs it can check itself."""

from __future__ import annotations

import base64
from typing import Any

from gateway.access.schemas import AccessLogEntryOut, AccessLogPage
from gateway.errors import ServiceUnavailable

CHECKPOINT_WAIT_SECONDS = 2.0


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def page(ledger: Any, subject: str, limit: int, before: int | None) -> AccessLogPage:
    """Newest first; every entry the page's checkpoint covers comes with its inclusion proof."""
    if ledger is None:
        raise ServiceUnavailable("the ledger is not available")
    entries = ledger.entries_for_subject(subject, limit + 1, before)
    more = len(entries) > limit
    entries = entries[:limit]
    if entries:
        ledger.wait_for_checkpoint(entries[0].index + 1, CHECKPOINT_WAIT_SECONDS)
    checkpoint = ledger.latest_checkpoint()
    out = []
    for stored in entries:
        proof = None
        if stored.index < checkpoint.size:
            proof = [_b64(h) for h in ledger.inclusion_proof(stored.index, checkpoint.size)]
        out.append(
            AccessLogEntryOut(
                index=stored.index,
                leaf=_b64(stored.leaf) if stored.leaf is not None else None,
                leaf_hash=_b64(stored.leaf_hash),
                entry=stored.entry,
                inclusion_proof=proof,
            )
        )
    return AccessLogPage(
        subject=subject,
        checkpoint=checkpoint.note_text,
        tree_size=checkpoint.size,
        verifier_key=ledger.verifier_key(),
        entries=out,
        next_before=entries[-1].index if more and entries else None,
    )
