"""``PredicateSpec``: one yes/no question, what it reads and how it is answered."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from verifiers.arguments import Arguments
from verifiers.values import BadRecord, Record, Records
from verifiers.verdict import (
    DATA_UNAVAILABLE,
    INVALID_DATA,
    OK,
    REASONS,
    Verdict,
    undecided,
)

ArgsT = TypeVar("ArgsT", bound=Arguments)

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Types a caller can bisect: money and ratios, counts, dates.
_ORDERED_TYPES: tuple[object, ...] = (Decimal, int, date)
# The reasons evaluate() itself may give, whatever the rule.
FRAMEWORK_REASONS = frozenset({OK, DATA_UNAVAILABLE, INVALID_DATA})


@dataclass(frozen=True, slots=True)
class PredicateSpec(Generic[ArgsT]):
    """A predicate: a yes/no question about one enterprise's records.

    ``reads`` lists every (dataset, field) the predicate looks at; ``evaluate`` shows the rule
    those fields and nothing else, so the list the policy decides on is the truth.
    ``threshold_arg`` names the argument a caller could bisect (money, count, ratio or date);
    ``personal_args`` those that are personal data. ``reasons`` are the codes the rule may give
    besides ``ok``, ``data_unavailable`` and ``invalid_data``.
    """

    name: str
    description: str
    args_model: type[ArgsT]
    reads: tuple[tuple[str, str], ...]
    rule: Callable[[Records, ArgsT, date], Verdict]
    reasons: frozenset[str]
    threshold_arg: str | None = None
    personal_args: frozenset[str] = frozenset()
    description_zh: str | None = None

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError(f"predicate {self.name!r}: " + "; ".join(problems))

    def _problems(self) -> Sequence[str]:
        found: list[str] = []
        if not _NAME.fullmatch(self.name):
            found.append("name must be snake_case ASCII, at most 64 characters")
        text = self.description
        if not (text.isascii() and text.endswith(".") and ". " not in text and text[:1].isupper()):
            found.append("description must be one English sentence")
        if not self.reads or len(set(self.reads)) != len(self.reads):
            found.append("reads must be a non-empty list without repeats")
        if not all(_NAME.fullmatch(d) and _NAME.fullmatch(f) for d, f in self.reads):
            found.append("reads must name datasets and fields by their catalog ids")
        fields = self.args_model.model_fields
        if self.threshold_arg is not None and (
            self.threshold_arg not in fields
            or fields[self.threshold_arg].annotation not in _ORDERED_TYPES
        ):
            found.append(f"threshold_arg {self.threshold_arg!r} is not an ordered argument")
        if not self.personal_args <= fields.keys():
            found.append("personal_args must be arguments")
        if not self.reasons <= REASONS:
            found.append(f"unknown reasons {sorted(self.reasons - REASONS)}")
        return found

    @property
    def possible_reasons(self) -> frozenset[str]:
        """Every reason code a verdict of this predicate may carry."""
        return self.reasons | FRAMEWORK_REASONS

    @property
    def datasets(self) -> tuple[str, ...]:
        """The datasets read, in order of first mention in ``reads``."""
        return tuple(dict.fromkeys(d for d, _ in self.reads))

    def evaluate(
        self, records: Mapping[str, Sequence[Mapping[str, Any]]], args: ArgsT, today: date
    ) -> Verdict:
        """Answer the question for one enterprise on ``today``.

        ``records`` maps each dataset of ``reads`` to the enterprise's current records of it
        (an empty list when it has none). A dataset left out counts as unavailable and the
        verdict is undecided (``data_unavailable``); so is one with a malformed value
        (``invalid_data``). Raises ``TypeError`` for arguments of another model or a
        ``datetime`` for ``today``.
        """
        if type(args) is not self.args_model:
            raise TypeError(f"{self.name} takes {self.args_model.__name__}, parsed by parse_args")
        if isinstance(today, datetime) or not isinstance(today, date):
            raise TypeError("today must be a date")
        view: dict[str, tuple[Record, ...]] = {}
        for dataset in self.datasets:
            rows = records.get(dataset)
            if rows is None:
                return undecided(DATA_UNAVAILABLE)
            try:
                view[dataset] = self._visible(dataset, rows)
            except BadRecord:
                return undecided(INVALID_DATA)
        try:
            verdict = self.rule(view, args, today)
        except BadRecord:
            return undecided(INVALID_DATA)
        if verdict.reason not in self.possible_reasons:
            raise RuntimeError(f"{self.name} gave the undeclared reason {verdict.reason!r}")
        return verdict

    def _visible(self, dataset: str, rows: Sequence[Mapping[str, Any]]) -> tuple[Record, ...]:
        """The rows with only the fields this predicate declares it reads."""
        if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
            raise BadRecord(f"{dataset}: records must be a list")
        fields = [f for d, f in self.reads if d == dataset]
        visible = []
        for row in rows:
            if not isinstance(row, Mapping):
                raise BadRecord(f"{dataset}: a record must be a mapping")
            visible.append({f: row[f] for f in fields if f in row})
        return tuple(visible)
