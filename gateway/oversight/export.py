"""One institution's accesses in a period, as CSV or as JSON with each entry's ledger proof.

The JSON export is checkable without the gateway: every entry carries its leaf (the exact
bytes the ledger hashed), its index and an RFC 9162 inclusion proof against the signed
checkpoint included in the export; ``ledger.verify.verify_checkpoint`` and ``verify_entry``
check them with a verifier key obtained out of band (the export names the key it was signed
with, for convenience only). The ``event`` beside each leaf is the gateway's index row; a
checker compares it with the leaf's payload.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from gateway.access_index import AccessEvent
from gateway.errors import InvalidInput, ServiceUnavailable
from ledger.errors import EntryNotFound, LedgerError

FORMAT = "credgate.oversight-export/1"
MAX_ENTRIES = 20_000
CHECKPOINT_WAIT_SECONDS = 5.0
CSV_COLUMNS = (
    "ledger_index",
    "at",
    "local_time",
    "subject",
    "action",
    "purpose",
    "allowed",
    "reason",
    "authorizations",
    "datasets",
    "checks",
    "budget_exceeded",
    "leaf_hash",
)


class ProvingLedger(Protocol):
    def entry(self, index: int) -> Any: ...
    def inclusion_proof(self, index: int, size: int) -> list[bytes]: ...
    def wait_for_checkpoint(self, size: int, timeout: float = ...) -> Any: ...
    def latest_checkpoint(self) -> Any: ...
    def verifier_key(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Export:
    media_type: str
    body: bytes
    entries: int


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _require(ledger: ProvingLedger | None) -> ProvingLedger:
    if ledger is None:
        raise ServiceUnavailable("the ledger is not available; no export can be proven")
    return ledger


def _check_size(events: Sequence[AccessEvent]) -> None:
    if len(events) > MAX_ENTRIES:
        raise InvalidInput(
            f"{len(events)} accesses in the period; an export holds at most {MAX_ENTRIES}: "
            "ask for a shorter period",
            detail=[{"field": "since", "problem": "period too long for one export"}],
        )


def event_json(event: AccessEvent) -> dict[str, Any]:
    return {
        "ledger_index": event.ledger_index,
        "at": event.at.isoformat(),
        "caller": event.caller,
        "subject": event.subject,
        "action": event.action,
        "purpose": event.purpose,
        "allowed": event.allowed,
        "reason": event.reason,
        "authorizations": list(event.authorizations),
        "detail": event.detail,
    }


def _proven(ledger: ProvingLedger, event: AccessEvent, size: int) -> dict[str, Any]:
    item: dict[str, Any] = {"index": event.ledger_index}
    try:
        stored = ledger.entry(event.ledger_index)
        proof = ledger.inclusion_proof(event.ledger_index, size)
    except EntryNotFound:
        # An index row without its ledger entry: show it, so the check fails visibly.
        return {**item, "missing": True, "event": event_json(event)}
    if stored.leaf is None:
        item.update(redacted=True, leaf_hash=_b64(stored.leaf_hash))
    else:
        item["leaf"] = _b64(stored.leaf)
    item["inclusion_proof"] = [_b64(h) for h in proof]
    item["event"] = event_json(event)
    return item


def as_json(
    ledger: ProvingLedger | None,
    institution: str,
    since: datetime,
    until: datetime,
    events: Sequence[AccessEvent],
    now: datetime,
) -> Export:
    ledger = _require(ledger)
    _check_size(events)
    try:
        if events:
            newest = max(e.ledger_index for e in events)
            checkpoint = ledger.wait_for_checkpoint(newest + 1, CHECKPOINT_WAIT_SECONDS)
        else:
            checkpoint = ledger.latest_checkpoint()
        entries = [_proven(ledger, e, checkpoint.size) for e in events]
        key = ledger.verifier_key()
    except LedgerError as exc:
        raise ServiceUnavailable(f"the ledger could not prove the export: {exc.message}") from None
    document = {
        "format": FORMAT,
        "institution": institution,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "generated_at": now.isoformat(),
        "checkpoint": checkpoint.note_text,
        "tree_size": checkpoint.size,
        "verifier_key": key,
        "entries": entries,
    }
    body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return Export("application/json", body, len(entries))


def _csv_row(event: AccessEvent, leaf_hash: str, zone: ZoneInfo) -> list[str]:
    detail = event.detail
    checks = detail.get("checks")
    return [
        str(event.ledger_index),
        event.at.isoformat(),
        event.at.astimezone(zone).isoformat(),
        event.subject,
        event.action,
        event.purpose or "",
        "true" if event.allowed else "false",
        event.reason,
        ";".join(event.authorizations),
        ";".join(detail.get("datasets", [])),
        json.dumps(checks, ensure_ascii=False, sort_keys=True) if checks is not None else "",
        "true" if detail.get("budget_exceeded") else "false",
        leaf_hash,
    ]


def as_csv(ledger: ProvingLedger | None, events: Sequence[AccessEvent], zone: ZoneInfo) -> Export:
    """One row per access; ``leaf_hash`` (base64) ties each row to its ledger entry."""
    ledger = _require(ledger)
    _check_size(events)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    try:
        for event in events:
            try:
                leaf_hash = _b64(ledger.entry(event.ledger_index).leaf_hash)
            except EntryNotFound:
                leaf_hash = "missing"
            writer.writerow(_csv_row(event, leaf_hash, zone))
    except LedgerError as exc:
        raise ServiceUnavailable(f"the ledger could not be read: {exc.message}") from None
    return Export("text/csv; charset=utf-8", out.getvalue().encode("utf-8"), len(events))
