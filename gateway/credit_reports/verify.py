"""Offline verification of a credit report envelope (``credgate ledger verify --report``).

No SQL, no HTTP: what is trusted is the verifier key, obtained out of band. Checked: the file
is the envelope's canonical JSON byte for byte; the platform's signed statement names the
document's digest; the checkpoint is signed by a trusted key; the ledger entry is in the
checkpointed tree at the given index; and that entry is this report's issuance, naming the
same digest, report and enterprise.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785

from gateway.credit_reports.document import ENVELOPE_TYPE, ISSUED_ENTRY, STATEMENT_KIND
from ledger.entry import decode
from ledger.errors import VerificationError
from ledger.note import NoteVerifier
from ledger.statement import (
    canonical_digest,
    open_statement,
    require_canonical_b64,
    require_canonical_signatures,
)
from ledger.verify import Checkpoint, verify_checkpoint, verify_entry


@dataclass(frozen=True)
class VerifiedReport:
    document: dict[str, Any]
    digest: str
    index: int
    checkpoint: Checkpoint


def _field(node: Any, key: str, kind: type, what: str) -> Any:
    if not isinstance(node, dict) or not isinstance(node.get(key), kind):
        raise VerificationError(f"{what}: {key} is missing or not a {kind.__name__}")
    return node[key]


def verify_report_bytes(
    raw: bytes, verifiers: Sequence[NoteVerifier], origin: str | None = None
) -> VerifiedReport:
    """Verify a saved envelope file; raises ``VerificationError`` naming what failed."""
    try:
        envelope = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise VerificationError("the report is not JSON") from exc
    if rfc8785.dumps(envelope) != raw:
        raise VerificationError("the report file is not the canonical JSON the platform issued")
    if _field(envelope, "type", str, "envelope") != ENVELOPE_TYPE:
        raise VerificationError("not a credgate credit report envelope")
    document = _field(envelope, "document", dict, "envelope")
    digest = canonical_digest(document)
    signed = open_statement(
        _field(envelope, "signature", str, "envelope"), verifiers, STATEMENT_KIND
    )
    if signed != digest:
        raise VerificationError("the platform's signature is over another document")
    ledger = _field(envelope, "ledger", dict, "envelope")
    note = _field(ledger, "checkpoint", str, "ledger")
    require_canonical_signatures(note)
    checkpoint = verify_checkpoint(note, verifiers, origin)
    index = ledger.get("index")
    if type(index) is not int or index < 0:
        raise VerificationError("ledger: index is missing or not a non-negative integer")
    leaf = require_canonical_b64(_field(ledger, "leaf", str, "ledger"), "ledger leaf")
    proof_json = _field(ledger, "inclusion_proof", list, "ledger")
    proof = [
        require_canonical_b64(h, "inclusion proof hash") for h in proof_json if isinstance(h, str)
    ]
    if len(proof) != len(proof_json):
        raise VerificationError("ledger: inclusion proof hashes must be base64 strings")
    verify_entry(checkpoint, leaf, index, proof)
    entry = decode(leaf).get("payload")
    if not isinstance(entry, dict):
        raise VerificationError(f"ledger entry {index} has no payload")
    expected = {
        "type": ISSUED_ENTRY,
        "document_sha256": digest,
        "report_id": document.get("report_id"),
        "enterprise": (document.get("enterprise") or {}).get("uscc"),
    }
    for key, value in expected.items():
        if entry.get(key) != value:
            raise VerificationError(f"ledger entry {index} does not record this report ({key})")
    return VerifiedReport(document, digest, index, checkpoint)
