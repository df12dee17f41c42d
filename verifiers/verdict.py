"""A predicate's answer: yes, no or undecided, with a reason code from a closed vocabulary.

The reason is always one of the codes below, never text built from a record, so a verdict cannot
carry a value of the enterprise's data whatever a predicate does.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"

# holds is None: the data to decide is missing or unusable.
NO_DATA = "no_data"  # no record, or the record lacks the field
DATA_UNAVAILABLE = "data_unavailable"  # the gateway could not supply a dataset the predicate reads
INVALID_DATA = "invalid_data"  # a value is malformed, or a single-record dataset has several
STALE_DATA = "stale_data"  # the newest record is too old to answer for today
CONFLICTING_DATA = "conflicting_data"  # equally recent records disagree
UNDEFINED_RATIO = "undefined_ratio"  # a ratio's denominator is zero or negative

# holds is False.
BELOW_THRESHOLD = "below_threshold"
ABOVE_THRESHOLD = "above_threshold"
NOT_ACTIVE = "not_active"
TERM_ENDED = "term_ended"
TERM_NOT_STARTED = "term_not_started"
LISTED = "listed"
GRADE_NOT_ACCEPTED = "grade_not_accepted"
ABNORMAL_TAXPAYER = "abnormal_taxpayer"
IN_ARREARS = "in_arrears"
NONE_REGISTERED = "none_registered"
PENALISED = "penalised"
NOT_HIGH_TECH = "not_high_tech"
MISMATCH = "mismatch"

UNDECIDED_REASONS = frozenset(
    {NO_DATA, DATA_UNAVAILABLE, INVALID_DATA, STALE_DATA, CONFLICTING_DATA, UNDEFINED_RATIO}
)
FAILING_REASONS = frozenset(
    {
        BELOW_THRESHOLD,
        ABOVE_THRESHOLD,
        NOT_ACTIVE,
        TERM_ENDED,
        TERM_NOT_STARTED,
        LISTED,
        GRADE_NOT_ACCEPTED,
        ABNORMAL_TAXPAYER,
        IN_ARREARS,
        NONE_REGISTERED,
        PENALISED,
        NOT_HIGH_TECH,
        MISMATCH,
    }
)
REASONS = frozenset({OK}) | UNDECIDED_REASONS | FAILING_REASONS


@dataclass(frozen=True, slots=True)
class Verdict:
    """``holds``: True (yes), False (no) or None (the data to decide is missing or unusable).

    ``reason`` is ``ok`` exactly when ``holds`` is True, one of ``FAILING_REASONS`` when it is
    False and one of ``UNDECIDED_REASONS`` when it is None; anything else is refused.
    """

    holds: bool | None
    reason: str

    def __post_init__(self) -> None:
        allowed: frozenset[str]
        if self.holds is None:
            allowed = UNDECIDED_REASONS
        elif self.holds is True:
            allowed = frozenset({OK})
        elif self.holds is False:
            allowed = FAILING_REASONS
        else:
            raise TypeError("holds must be True, False or None")
        if self.reason not in allowed:
            raise ValueError(f"reason {self.reason!r} does not fit holds={self.holds!r}")


def yes() -> Verdict:
    """The predicate holds."""
    return Verdict(True, OK)


def no(reason: str) -> Verdict:
    """The predicate does not hold, for ``reason`` (one of ``FAILING_REASONS``)."""
    return Verdict(False, reason)


def undecided(reason: str = NO_DATA) -> Verdict:
    """The data cannot decide, for ``reason`` (one of ``UNDECIDED_REASONS``)."""
    return Verdict(None, reason)
