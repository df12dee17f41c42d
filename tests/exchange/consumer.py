"""A test receiver of the provincial feed: applies batches, checks signatures, keeps digests."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from gateway.catalog.loader import load_catalog
from gateway.catalog.model import DisclosureClass
from gateway.exchange.feed import STATEMENT_KIND
from gateway.records.digest import record_digest, set_digest
from ledger.note import NoteVerifier
from ledger.statement import canonical_digest, open_statement

NEVER = {DisclosureClass.authorized, DisclosureClass.verify_only}


def withheld_fields() -> dict[str, set[str]]:
    catalog = load_catalog()
    return {d.id: {f.id for f in d.fields if f.disclosure in NEVER} for d in catalog.datasets}


@dataclass
class Consumer:
    verifiers: list[NoteVerifier]
    cursor: int = 0
    held: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    batches: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, answer: dict[str, Any]) -> bool:
        """Apply one feed answer; False when nothing was new."""
        batch = answer.get("batch")
        if batch is None:
            return False
        assert batch["previous_cursor"] == self.cursor
        signed = open_statement(answer["signature"], self.verifiers, STATEMENT_KIND)
        assert signed == canonical_digest(batch)
        never = withheld_fields()
        for record in batch["records"]:
            key = (record["dataset"], record["record_id"])
            if record["op"] == "delete":
                self.held.pop(key)
                continue
            assert not set(record["fields"]) & never[record["dataset"]], record
            assert record["digest"] == record_digest(key[0], key[1], record["fields"])
            self.held[key] = record["fields"]
        assert batch["batch_digest"] == set_digest(r["digest"] for r in batch["records"])
        for dataset, expected in batch["datasets_after"].items():
            assert self.digests().get(dataset, _empty()) == expected
        self.cursor = batch["cursor"]
        self.batches.append(batch)
        return True

    def digests(self) -> dict[str, dict[str, Any]]:
        by_dataset: dict[str, list[str]] = defaultdict(list)
        for (dataset, record_id), fields in self.held.items():
            by_dataset[dataset].append(record_digest(dataset, record_id, fields))
        return {
            dataset: {"records": len(digests), "digest": set_digest(digests)}
            for dataset, digests in by_dataset.items()
        }


def _empty() -> dict[str, Any]:
    return {"records": 0, "digest": set_digest([])}
