"""Validate one raw record against its dataset's catalog entry.

Values are normalised to JSON-friendly canonical forms so that digests are stable: dates as
``YYYY-MM-DD``, money as a decimal string with two places, ratios as a plain decimal string.
CSV gives everything as text, so text forms of numbers and booleans are accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway import uscc
from gateway.catalog.model import DatasetSpec, FieldSpec, FieldType

MAX_STRING = 500
MAX_TEXT = 20_000
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否"}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "problem": self.problem}


class _Invalid(ValueError):
    pass


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _Invalid("must be a number, not a boolean")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise _Invalid(f"{value!r} is not a number") from None
    else:
        raise _Invalid("must be a number")
    if not number.is_finite():
        raise _Invalid("must be a finite number")
    return number


def _money(value: Any) -> str:
    number = _decimal(value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise _Invalid("money has at most 2 decimal places (CNY fen)")
    return str(number.quantize(Decimal("0.01")))


def _ratio(value: Any) -> str:
    number = _decimal(value)
    if not Decimal(0) <= number <= Decimal(1):
        raise _Invalid("a ratio must lie between 0 and 1")
    return format(number.normalize(), "f")


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid("must be an integer, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise _Invalid("must be an integer")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _Invalid("must be true or false")


def _date(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be a date string YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise _Invalid(f"{value!r} is not a date YYYY-MM-DD") from None


def _string(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be a string")
    text = value.strip()
    if len(text) > limit:
        raise _Invalid(f"longer than {limit} characters")
    return text


def _choice(value: Any, spec: FieldSpec) -> str:
    text = _string(value, MAX_STRING)
    if text not in (spec.values or []):
        raise _Invalid(f"{text!r} is not one of {spec.values}")
    return text


def _uscc(value: Any) -> str:
    text = _string(value, 18).upper()
    found = uscc.problem(text)
    if found is not None:
        raise _Invalid(f"not a valid USCC: {found}")
    return text


def normalise_value(spec: FieldSpec, value: Any) -> Any:
    """The canonical form of ``value`` for ``spec``; raises ``ValueError`` naming the problem."""
    match spec.type:
        case FieldType.string:
            return _string(value, MAX_STRING)
        case FieldType.text:
            return _string(value, MAX_TEXT)
        case FieldType.date:
            return _date(value)
        case FieldType.money:
            return _money(value)
        case FieldType.ratio:
            return _ratio(value)
        case FieldType.integer:
            return _integer(value)
        case FieldType.boolean:
            return _boolean(value)
        case FieldType.enum | FieldType.band:
            return _choice(value, spec)
        case FieldType.uscc:
            return _uscc(value)
    raise _Invalid(f"unsupported field type {spec.type}")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_record(
    dataset: DatasetSpec, raw: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Check every field of ``raw``; return its clean form and the problems found.

    Blank optional fields are dropped. The record is usable only if no problem is returned.
    """
    problems: list[FieldProblem] = []
    clean: dict[str, Any] = {}
    known = {f.id: f for f in dataset.fields}
    for name in raw:
        if name not in known:
            problems.append(FieldProblem(name, f"not a field of dataset {dataset.id}"))
    for spec in dataset.fields:
        value = raw.get(spec.id)
        if _is_blank(value):
            if spec.required or spec.id == dataset.subject_field:
                problems.append(FieldProblem(spec.id, "is required"))
            continue
        try:
            clean[spec.id] = normalise_value(spec, value)
        except ValueError as exc:
            problems.append(FieldProblem(spec.id, str(exc)))
    return clean, problems
