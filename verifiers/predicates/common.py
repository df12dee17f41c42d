"""Rule shapes several predicates share: a threshold on one record, a flag on one record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from verifiers.arguments import Arguments
from verifiers.values import Record, Records, boolean, single
from verifiers.verdict import (
    ABOVE_THRESHOLD,
    BELOW_THRESHOLD,
    Verdict,
    no,
    undecided,
    yes,
)

A = TypeVar("A", bound=Arguments)
Rule = Callable[[Records, A, date], Verdict]
Number = Decimal | int

# Yearly figures (annual reports, tax grades) for year Y appear during Y+1; older than that
# and the newest record no longer describes the enterprise.
MAX_YEARS_BEHIND = 2


def is_stale(year: int, today: date) -> bool:
    """Whether a yearly record for ``year`` is too old to answer for ``today``."""
    return year < today.year - MAX_YEARS_BEHIND


def single_at_least(
    dataset: str,
    field: str,
    read: Callable[[Record, str], Number | None],
    threshold: Callable[[A], Number],
) -> Rule[A]:
    """Holds when the one record's ``field`` is at least the threshold; undecided if absent."""

    def rule(records: Records, args: A, today: date) -> Verdict:
        record = single(records[dataset], dataset)
        value = None if record is None else read(record, field)
        if value is None:
            return undecided()
        return yes() if value >= threshold(args) else no(BELOW_THRESHOLD)

    return rule


def single_at_most(
    dataset: str,
    field: str,
    read: Callable[[Record, str], Number | None],
    threshold: Callable[[A], Number],
) -> Rule[A]:
    """Holds when the one record's ``field`` is at most the threshold; undecided if absent."""

    def rule(records: Records, args: A, today: date) -> Verdict:
        record = single(records[dataset], dataset)
        value = None if record is None else read(record, field)
        if value is None:
            return undecided()
        return yes() if value <= threshold(args) else no(ABOVE_THRESHOLD)

    return rule


def single_flag(dataset: str, field: str, *, wanted: bool, failing: str) -> Rule[A]:
    """Holds when the one record's boolean ``field`` is ``wanted``; undecided if absent."""

    def rule(records: Records, args: A, today: date) -> Verdict:
        record = single(records[dataset], dataset)
        value = None if record is None else boolean(record, field)
        if value is None:
            return undecided()
        return yes() if value is wanted else no(failing)

    return rule
