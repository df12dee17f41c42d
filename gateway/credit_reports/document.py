"""The credit report as a document: its sections built from a policy-decided report, and the
envelope that carries the platform's signature, the ledger entry and its inclusion proof.

Formats (docs/exchange.md §3): the document is plain JSON; its digest is SHA-256 of its RFC 8785
canonical form; the envelope is served as canonical JSON bytes, so that any changed byte of the
file fails verification (see ``verify.py``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.access.schemas import ReportOut
from gateway.catalog.model import Catalog, DisclosureClass
from gateway.credit_reports.sections import REPAIRS_TITLE_ZH, SECTIONS, section_of
from gateway.subject_rights.models import CreditRepair

DOCUMENT_TYPE = "credgate/credit-report/v1"
ENVELOPE_TYPE = "credgate/credit-report-envelope/v1"
STATEMENT_KIND = "credgate/credit-report/v1"
ISSUED_ENTRY = "credit_report.issued"
# What a report may carry for a government relying party: never authorized or verify_only data.
SHAREABLE = frozenset({DisclosureClass.public, DisclosureClass.institution})


@dataclass(frozen=True, slots=True)
class Requester:
    id: str
    role: str
    name: str


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def build_document(
    catalog: Catalog,
    report_id: str,
    report: ReportOut,
    requester: Requester,
    issued_at: datetime,
    provenance: dict[tuple[str, str], list[str]],
    repairs: list[CreditRepair],
    scope: tuple[str, ...] | None,
) -> dict[str, Any]:
    """The report's document. ``scope`` limits the datasets (the purpose's), and only
    public and institution fields are kept whoever asked (an enterprise's own handover
    report shows what a government would see, not its authorized data)."""
    by_section: dict[str, list[dict[str, Any]]] = {}
    withheld = [w.model_dump() for w in report.withheld]
    for dataset in report.datasets:
        spec = catalog.dataset(dataset.dataset)
        if spec is None or dataset.live:
            continue
        if scope is not None and dataset.dataset not in scope:
            continue
        labels = {f.id: f for f in spec.fields}
        records = []
        for record in dataset.records:
            if record.repaired:
                continue  # a completed credit repair ends display to relying parties
            fields = [
                {"id": name, "label_zh": labels[name].label_zh, "value": value}
                for name, value in sorted(record.fields.items())
                if name in labels and labels[name].disclosure in SHAREABLE
            ]
            records.append(
                {
                    "record_id": record.record_id,
                    "version": record.version,
                    "valid_from": _utc(record.valid_from) if record.valid_from else None,
                    "disputed": record.disputed,
                    "provenance": provenance.get((dataset.dataset, record.record_id), []),
                    "fields": fields,
                }
            )
        by_section.setdefault(section_of(dataset.dataset).id, []).append(
            {"dataset": dataset.dataset, "name_zh": dataset.name_zh, "records": records}
        )
    sections = [
        {"section": s.id, "title_zh": s.title_zh, "datasets": by_section.get(s.id, [])}
        for s in SECTIONS
    ]
    if "other" in by_section:
        sections.append(
            {"section": "other", "title_zh": "其他信息", "datasets": by_section["other"]}
        )
    sections.append(
        {
            "section": "credit_repairs",
            "title_zh": REPAIRS_TITLE_ZH,
            "repairs": [
                {
                    "repair_id": r.id,
                    "dataset": r.dataset,
                    "record_id": r.record_id,
                    "decided_at": _utc(r.decided_at) if r.decided_at else None,
                    "effective_at": _utc(r.effective_at) if r.effective_at else None,
                }
                for r in sorted(repairs, key=lambda r: r.id)
            ],
        }
    )
    return {
        "type": DOCUMENT_TYPE,
        "report_id": report_id,
        "enterprise": {"uscc": report.enterprise, "name": report.enterprise_name},
        "purpose": report.purpose,
        "requested_by": {"id": requester.id, "role": requester.role, "name": requester.name},
        "issued_at": _utc(issued_at),
        "policy": {
            "reason": report.decision.reason,
            "revision": report.decision.policy_revision,
        },
        "access_ledger_index": report.ledger_index,
        "sections": sections,
        "withheld": sorted(withheld, key=lambda w: (w["dataset"], w["field"])),
    }


def issued_entry(document: dict[str, Any], digest: str) -> dict[str, Any]:
    """The ledger entry of an issuance: names and the digest, never the values."""
    return {
        "type": ISSUED_ENTRY,
        "report_id": document["report_id"],
        "enterprise": document["enterprise"]["uscc"],
        "purpose": document["purpose"],
        "caller": document["requested_by"]["id"],
        "caller_role": document["requested_by"]["role"],
        "document_sha256": digest,
        "access_ledger_index": document["access_ledger_index"],
    }


def envelope(
    document: dict[str, Any],
    signature: str,
    index: int,
    leaf: bytes,
    proof: list[bytes],
    checkpoint: str,
) -> dict[str, Any]:
    def b64(value: bytes) -> str:
        return base64.b64encode(value).decode("ascii")

    return {
        "type": ENVELOPE_TYPE,
        "document": document,
        "signature": signature,
        "ledger": {
            "index": index,
            "leaf": b64(leaf),
            "inclusion_proof": [b64(h) for h in proof],
            "checkpoint": checkpoint,
        },
    }
