"""Apply the retention periods of the policy data to the database and the ledger.

What goes, each counted from when it ended (``retention`` in ``policies/data.json``):

* access events (reports, self views, verifications, denials) and the bisection-budget
  probes, from the access; the ledger entries of those events lose their content;
* authorizations, from their revocation or expiry; their grant and revoke entries lose their
  content;
* record versions replaced or retracted by their source, from then; versions an objection or
  a credit-repair application names are kept as its evidence;
* the ledger's old signed checkpoints, thinned to one per hour and then one per day
  (``ledger.thinning``; the periods are settings, not policy data, because checkpoints hold no
  personal data and proofs do not depend on them).

The ledger drops content only through ``Ledger.redact``, which keeps every leaf hash: the tree,
its checkpoints and every proof stay valid, and a redacted entry still holds its place in its
subject's chain. Content is redacted before the database rows go, so a run that stops halfway
is finished by the next one. Every run that changes anything is itself a ledger entry
(``retention.applied``) listing what it redacted. Thinning checkpoints is not: such an entry
would need a checkpoint of its own, for the next run to thin again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from gateway import ledger_port
from gateway.db import unit_of_work
from gateway.errors import ServiceUnavailable
from gateway.policy.data import RetentionParams
from gateway.retention import repository
from ledger.errors import LedgerError
from ledger.thinning import ThinningPolicy, ThinningReport

BATCH = 500


class RedactingLedger(ledger_port.LedgerPort, Protocol):
    def redact_many(self, indexes: Sequence[int]) -> list[int]: ...

    def thin_checkpoints(
        self, policy: ThinningPolicy, now: datetime, *, dry_run: bool = False
    ) -> ThinningReport: ...


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar moment ``years`` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True, slots=True)
class Cutoffs:
    access_records: datetime
    ended_authorizations: datetime
    superseded_records: datetime

    @classmethod
    def at(cls, now: datetime, rules: RetentionParams) -> Cutoffs:
        return cls(
            years_before(now, rules.access_records_years),
            years_before(now, rules.ended_authorizations_years),
            years_before(now, rules.superseded_records_years),
        )


@dataclass
class RetentionReport:
    now: datetime
    cutoffs: Cutoffs
    dry_run: bool
    access_events: int = 0
    threshold_probes: int = 0
    authorizations: int = 0
    superseded_records: int = 0
    records_held: int = 0  # superseded versions kept as a dispute's evidence
    redacted: list[int] = field(default_factory=list)
    missing_in_ledger: int = 0
    ledger_index: int | None = None
    checkpoints: ThinningReport | None = None  # None: not thinned (dry run, or switched off)

    @property
    def changed(self) -> bool:
        return any(
            (self.access_events, self.threshold_probes, self.authorizations,
             self.superseded_records, self.redacted)
        )  # fmt: skip

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        cut = self.cutoffs
        lines = [
            f"retention {'dry run ' if self.dry_run else ''}at {self.now.isoformat()}",
            f"  access events before {cut.access_records.isoformat()}: "
            f"{verb} {self.access_events} (and {self.threshold_probes} bisection probes)",
            f"  authorizations ended before {cut.ended_authorizations.isoformat()}: "
            f"{verb} {self.authorizations}",
            f"  record versions superseded before {cut.superseded_records.isoformat()}: "
            f"{verb} {self.superseded_records}, kept {self.records_held} under dispute",
        ]
        if self.dry_run:
            lines.append("  ledger: nothing redacted (dry run)")
        else:
            lines.append(
                f"  ledger: redacted the content of {len(self.redacted)} entries "
                f"(their hashes stay; {self.missing_in_ledger} not found)"
            )
            if self.ledger_index is not None:
                lines.append(f"  recorded as ledger entry {self.ledger_index}")
        if self.checkpoints is not None:
            lines.append(f"  {self.checkpoints.line()}")
        else:
            why = "dry run" if self.dry_run else "checkpoint thinning is off"
            lines.append(f"  ledger checkpoints: none thinned ({why})")
        return lines


def index_ranges(indexes: Iterable[int]) -> list[list[int]]:
    """Sorted, merged ``[first, last]`` runs of ``indexes``."""
    ranges: list[list[int]] = []
    for index in sorted(set(indexes)):
        if ranges and ranges[-1][1] == index - 1:
            ranges[-1][1] = index
        else:
            ranges.append([index, index])
    return ranges


def _redact(
    ledger: RedactingLedger, indexes: Iterable[int | None], report: RetentionReport
) -> None:
    """Redact the entries of one batch in one ledger transaction."""
    wanted = sorted({index for index in indexes if index is not None})
    try:
        missing = set(ledger.redact_many(wanted))
    except LedgerError as exc:
        raise ServiceUnavailable(
            f"the ledger could not redact entries {wanted[0]}-{wanted[-1]}: {exc.message}"
        ) from None
    report.missing_in_ledger += len(missing)
    report.redacted.extend(index for index in wanted if index not in missing)


def _access_records(engine: Engine, ledger: RedactingLedger, report: RetentionReport) -> None:
    cutoff = report.cutoffs.access_records
    while True:
        with Session(engine) as session:
            batch = repository.old_access_events(session, cutoff, BATCH)
        if not batch:
            break
        _redact(ledger, (index for _, index in batch), report)
        with unit_of_work(engine) as session:
            report.access_events += repository.delete_access_events(session, [i for i, _ in batch])
    with unit_of_work(engine) as session:
        report.threshold_probes = repository.delete_probes(session, cutoff)


def _authorizations(engine: Engine, ledger: RedactingLedger, report: RetentionReport) -> None:
    cutoff = report.cutoffs.ended_authorizations
    while True:
        with Session(engine) as session:
            batch = repository.ended_authorizations(session, cutoff, BATCH)
        if not batch:
            break
        _redact(ledger, (i for _, grant, revoke in batch for i in (grant, revoke)), report)
        with unit_of_work(engine) as session:
            report.authorizations += repository.delete_authorizations(
                session, [a for a, _, _ in batch]
            )


def _superseded_records(engine: Engine, report: RetentionReport) -> None:
    cutoff = report.cutoffs.superseded_records
    after = 0
    with Session(engine) as session:
        held = repository.disputed_versions(session)
    while True:
        with Session(engine) as session:
            batch = repository.superseded_records(session, cutoff, after, BATCH)
        if not batch:
            break
        after = batch[-1][0]
        kept = [row for row in batch if (row[1], row[2], row[3]) in held]
        report.records_held += len(kept)
        gone = [row[0] for row in batch if (row[1], row[2], row[3]) not in held]
        if report.dry_run or not gone:
            report.superseded_records += len(gone)
            continue
        with unit_of_work(engine) as session:
            report.superseded_records += repository.delete_records(session, gone)


def _dry_run(engine: Engine, report: RetentionReport) -> RetentionReport:
    cut = report.cutoffs
    with Session(engine) as session:
        report.access_events = repository.count_access_events(session, cut.access_records)
        report.threshold_probes = repository.count_probes(session, cut.access_records)
        report.authorizations = repository.count_ended_authorizations(
            session, cut.ended_authorizations
        )
    _superseded_records(engine, report)
    return report


def _ledger_entry(report: RetentionReport, rules: RetentionParams) -> dict[str, Any]:
    cut = report.cutoffs
    return {
        "type": "retention.applied",
        "at": report.now.isoformat(),
        "rules": rules.model_dump(),
        "cutoffs": {
            "access_records": cut.access_records.isoformat(),
            "ended_authorizations": cut.ended_authorizations.isoformat(),
            "superseded_records": cut.superseded_records.isoformat(),
        },
        "deleted": {
            "access_events": report.access_events,
            "threshold_probes": report.threshold_probes,
            "authorizations": report.authorizations,
            "superseded_records": report.superseded_records,
        },
        "redacted": index_ranges(report.redacted),
    }


def _thin_checkpoints(
    ledger: RedactingLedger, policy: ThinningPolicy, report: RetentionReport
) -> None:
    try:
        report.checkpoints = ledger.thin_checkpoints(policy, report.now)
    except LedgerError as exc:
        raise ServiceUnavailable(
            f"the ledger could not thin its checkpoints: {exc.message}"
        ) from None


def apply(
    engine: Engine,
    ledger: RedactingLedger | None,
    rules: RetentionParams,
    now: datetime,
    *,
    dry_run: bool = False,
    checkpoints: ThinningPolicy | None = None,
) -> RetentionReport:
    """Delete what has outlived its period (or, with ``dry_run``, count it) and say so.

    With a ``checkpoints`` policy a real run also thins the ledger's old checkpoints, last.
    """
    report = RetentionReport(now, Cutoffs.at(now, rules), dry_run)
    if dry_run:
        return _dry_run(engine, report)
    if ledger is None:
        raise ServiceUnavailable("retention needs the ledger: its entries' content must go too")
    _access_records(engine, ledger, report)
    _authorizations(engine, ledger, report)
    _superseded_records(engine, report)
    if report.changed:
        report.ledger_index = ledger_port.record(ledger, _ledger_entry(report, rules), subject=None)
    if checkpoints is not None:
        _thin_checkpoints(ledger, checkpoints, report)
    return report
