"""What objections and repairs change in a report: marks on records, and which adverse records
institutions no longer see (repaired, or past the publication window). The enterprise's own
view keeps everything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from gateway.policy.data import PenaltyPublicationParams
from gateway.subject_rights import repository, rules


@dataclass(frozen=True, slots=True)
class RecordMarks:
    disputed_records: frozenset[tuple[str, str]]
    # (dataset, record_id) -> when an approved repair ends display to institutions
    repaired_records: Mapping[tuple[str, str], datetime]

    def disputed(self, dataset: str, record_id: str) -> bool:
        return (dataset, record_id) in self.disputed_records

    def repaired(self, dataset: str, record_id: str) -> bool:
        return (dataset, record_id) in self.repaired_records

    def shown_to_institutions(
        self,
        dataset: str,
        record_id: str,
        fields: Mapping[str, Any],
        now: datetime,
        publication: PenaltyPublicationParams,
    ) -> bool:
        repaired_from = self.repaired_records.get((dataset, record_id))
        if repaired_from is not None and now >= repaired_from:
            return False
        return rules.within_window(dataset, fields, now, publication)


def marks_for(session: Session, enterprise: str) -> RecordMarks:
    disputed, repaired = repository.record_marks(session, enterprise)
    return RecordMarks(frozenset(disputed), repaired)
