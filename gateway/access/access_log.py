"""The subject's own access log: its ledger entries with proofs it can check itself."""

from __future__ import annotations

from typing import Any

from gateway.errors import ServiceUnavailable

CHECKPOINT_WAIT_SECONDS = 2.0
# The largest ``limit`` an access-log page accepts (the subject's own and an institution's);
# the ledger itself allows up to ``ledger.log.MAX_PAGE``.
MAX_LIMIT = 500
SIZE_DESCRIPTION = (
    "pin the page to the kept checkpoint of this tree size (e.g. the first page's tree_size), "
    "so that every page of a walk with before= shares one checkpoint and joins offline"
)


def page(
    ledger: Any, subject: str, limit: int, before: int | None, size: int | None = None
) -> dict[str, Any]:
    """Newest first, every entry with its inclusion proof against the page's checkpoint: the
    latest, or the kept one of tree size ``size`` (so every page of a walk shares one).

    The page is the format ``credgate ledger verify`` checks offline; each item also carries
    the decoded ``entry`` for reading (the proof covers ``leaf``, not this convenience copy).
    """
    if ledger is None:
        raise ServiceUnavailable("the ledger is not available")
    if size is None:
        newest = ledger.entries_for_subject(subject, 1, before)
        if newest:  # let the checkpoint catch up with this subject's newest entry
            ledger.wait_for_checkpoint(newest[0].index + 1, CHECKPOINT_WAIT_SECONDS)
    result = ledger.subject_page(subject, limit, before, size)
    document: dict[str, Any] = result.to_json()
    for item, stored in zip(document["entries"], result.entries, strict=True):
        item["entry"] = stored.entry
    document["tree_size"] = result.checkpoint.size
    document["verifier_key"] = ledger.verifier_key()
    return document
