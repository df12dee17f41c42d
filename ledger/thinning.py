"""Checkpoint retention ("thinning"): which signed checkpoints stay in storage once they age.

The sequencer signs a checkpoint whenever entries are unsigned, up to two a second: 172,800 a
day under steady load. Nothing needs them all. Proofs are computed from the tree's stored
hashes, so an inclusion or consistency proof for any size up to the latest works whether or
not a checkpoint of that size is kept, and a client holding a checkpoint whose row was thinned
out can still prove it consistent with the latest. What is kept is what a witness or auditor
may want to fetch again, on a fixed and published schedule.

The rule, for the checkpoints stored at the time of a run (``now``), by age ``now - issued_at``:

* younger than ``keep_all``: every one;
* older, but younger than ``keep_hourly``: the first issued (smallest size) in each UTC hour;
* older than both: the first issued in each UTC day;
* and whatever its age: the latest (the one the sequencer checks its tree against before
  signing the next) and, for each signing key, the first checkpoint that key signed: during a
  rotation that is the first co-signed by the new and the old key, the hand-over between them.

"First in its hour" is among the checkpoints of that hour that are in the hourly tier, and the
same for days, so the rule picks one checkpoint per bucket and running it twice at the same
``now`` deletes nothing the second time. Later co-signed checkpoints are thinned like any
other: a rotation may last days, and keeping every co-signed checkpoint would keep all of them.
Which keys signed a checkpoint is read from its note's signature lines (key name and key hash,
unverified: at worst that keeps one checkpoint too many).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ledger.errors import VerificationError
from ledger.note import signing_key_ids
from ledger.storage import CheckpointRecord, LogStore

# Checkpoints read (and deleted, in one transaction) per round.
PAGE = 5_000

Bucket = tuple[str, datetime]


def _hours(span: timedelta) -> str:
    hours = span / timedelta(hours=1)
    return f"{hours:g} h" if hours < 48 else f"{span / timedelta(days=1):g} days"


@dataclass(frozen=True, slots=True)
class ThinningPolicy:
    """How long checkpoints are all kept (``keep_all``), then one per hour (up to the age
    ``keep_hourly``), then one per day; see the module docstring for the whole rule."""

    keep_all: timedelta = timedelta(hours=24)
    keep_hourly: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        if self.keep_all <= timedelta(0) or self.keep_hourly < timedelta(0):
            raise ValueError("checkpoint retention periods must be positive")

    def bucket(self, issued_at: datetime, now: datetime) -> Bucket | None:
        """The bucket whose first checkpoint is kept, or ``None`` for one kept regardless."""
        age = now - issued_at
        if age < self.keep_all:
            return None
        moment = issued_at.astimezone(UTC)
        if age < self.keep_hourly:
            return ("hour", moment.replace(minute=0, second=0, microsecond=0))
        return ("day", moment.replace(hour=0, minute=0, second=0, microsecond=0))

    def describe(self) -> str:
        """The rule in one line, for reports and error messages."""
        hourly = (
            f"the first of each UTC hour until {_hours(self.keep_hourly)} old, "
            if self.keep_hourly > self.keep_all
            else ""
        )
        return (
            f"every checkpoint of the last {_hours(self.keep_all)}, {hourly}"
            "the first of each UTC day before that, the latest, "
            "and the first signed by each key"
        )


@dataclass
class ThinningReport:
    """What one run saw: checkpoints older than ``keep_all`` (below the latest) it examined,
    how many of them it deleted (or, in a dry run, would have), and the latest's size."""

    policy: ThinningPolicy
    now: datetime
    dry_run: bool
    latest_size: int | None = None
    examined: int = 0
    deleted: int = 0

    @property
    def kept(self) -> int:
        """Examined checkpoints that stay."""
        return self.examined - self.deleted

    def line(self) -> str:
        """One line for a retention report."""
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"ledger checkpoints older than {_hours(self.policy.keep_all)}: {verb} "
            f"{self.deleted} of {self.examined} (kept: {self.policy.describe()})"
        )


@dataclass
class _Selection:
    """Decides, smallest size first, which examined checkpoints stay."""

    policy: ThinningPolicy
    now: datetime
    buckets: set[Bucket] = field(default_factory=set)
    keys: set[tuple[str, bytes]] = field(default_factory=set)

    def keeps(self, record: CheckpointRecord) -> bool:
        try:
            signers = signing_key_ids(record.note)
        except VerificationError:
            return True  # unreadable: not ours to delete; the storage check reports it
        first_of_a_key = not signers <= self.keys
        self.keys |= signers
        bucket = self.policy.bucket(record.issued_at, self.now)
        first_in_bucket = bucket is None or bucket not in self.buckets
        if bucket is not None:
            self.buckets.add(bucket)
        return first_of_a_key or first_in_bucket


def thin_checkpoints(
    store: LogStore,
    policy: ThinningPolicy,
    now: datetime,
    *,
    dry_run: bool = False,
    page: int = PAGE,
) -> ThinningReport:
    """Delete the checkpoints ``policy`` does not keep at ``now`` (see the module docstring).

    Reads the checkpoints older than ``policy.keep_all`` in pages of ``page``, smallest size
    first, and deletes each page's leftovers in one short transaction, so appends wait at most
    that long. Safe while the log is written: only sizes below the latest seen at the start
    are considered, and a checkpoint signed meanwhile is larger still.
    """
    report = ThinningReport(policy, now, dry_run)
    with store.reader() as reader:
        latest = reader.latest_checkpoint()
    if latest is None:
        return report
    report.latest_size = latest.size
    selection = _Selection(policy, now)
    cutoff, after = now - policy.keep_all, -1
    while True:
        with store.reader() as reader:
            records = reader.checkpoints_issued_before(cutoff, after, latest.size, page)
        if not records:
            return report
        doomed = [record.size for record in records if not selection.keeps(record)]
        report.examined += len(records)
        if dry_run:
            report.deleted += len(doomed)
        elif doomed:
            report.deleted += store.delete_checkpoints(doomed, latest.size)
        after = records[-1].size
