"""Argument types shared by the predicates: money, ratios, counts, dates, grades, ID numbers.

Every predicate's arguments are a frozen, strict pydantic model (``Arguments``) that forbids
unknown names. Values are converted to one canonical form here (money to two places, ratios to
four, grades sorted and unique, ID numbers stripped and upper-cased), so that equal questions
are equal arguments: the gateway's bisection budget and its salted hashes of personal arguments
depend on that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_MONEY = Decimal(10) ** 15  # CNY; larger than any enterprise's figures
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2099, 12, 31)
FEN = Decimal("0.01")
RATIO_STEP = Decimal("0.0001")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Arguments(BaseModel):
    """Base of every predicate's arguments: frozen, strict, no unknown names."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class NoArguments(Arguments):
    """The predicate takes no arguments."""


def _decimal(value: Any, kind: str) -> Decimal:
    """A finite Decimal from an int, a float, a Decimal or a plain decimal string."""
    if isinstance(value, bool):
        raise PydanticCustomError(f"{kind}_type", "must be a number, not a boolean")
    try:
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))  # the float's shortest form: 0.1 stays 0.1
        elif isinstance(value, Decimal):
            number = value
        elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            number = Decimal(value.strip())
        else:
            raise PydanticCustomError(
                f"{kind}_type", "must be a non-negative decimal number or decimal string"
            )
    except InvalidOperation:
        raise PydanticCustomError(f"{kind}_type", "must be a decimal number") from None
    if not number.is_finite():
        raise PydanticCustomError(f"{kind}_type", "must be a finite number")
    return number


def _quantized(step: Decimal, places: int, kind: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        number = _decimal(value, kind)
        if not -MAX_MONEY <= number <= MAX_MONEY:
            return number  # the field's bounds report it
        if number != number.quantize(step):
            raise PydanticCustomError(
                f"{kind}_places", f"must have at most {places} decimal places"
            )
        return number.quantize(step)

    return convert


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise PydanticCustomError("date_type", "must be a date YYYY-MM-DD, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("date_value", "is not a calendar date") from None
    raise PydanticCustomError("date_type", "must be a date string YYYY-MM-DD")


def _id_number(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _choices_schema(order: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string", "enum": list(order)},
            "minItems": 1,
            "maxItems": len(order),
            "uniqueItems": True,
        }
    )


def _choices(order: tuple[str, ...]) -> Callable[[Any], Any]:
    """A list of choices as a sorted, duplicate-free tuple (in ``order``), so equal sets match."""

    def convert(value: Any) -> Any:
        if not isinstance(value, list | tuple | set | frozenset):
            raise PydanticCustomError("choices_type", "must be a list")
        items = list(value)
        if not all(isinstance(item, str) and item in order for item in items):
            return tuple(items)  # the item type reports which one is wrong
        return tuple(sorted(set(items), key=order.index))

    return convert


Money = Annotated[
    Decimal,
    BeforeValidator(_quantized(FEN, 2, "money")),
    Field(ge=0, le=MAX_MONEY),
    WithJsonSchema(
        {
            "type": ["string", "number"],
            "format": "decimal",
            "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
            "minimum": 0,
            "maximum": int(MAX_MONEY),
            "x-unit": "CNY",
            "x-decimal-places": 2,
        }
    ),
]
"""An amount of CNY, at least 0, at most two decimal places; strings, integers, Decimals or
floats with at most two places are accepted, and it is held quantized to fen."""

Ratio = Annotated[
    Decimal,
    BeforeValidator(_quantized(RATIO_STEP, 4, "ratio")),
    Field(ge=0, le=1),
    WithJsonSchema(
        {
            "type": ["string", "number"],
            "format": "decimal",
            "pattern": r"^[0-9]+(\.[0-9]{1,4})?$",
            "minimum": 0,
            "maximum": 1,
            "x-decimal-places": 4,
        }
    ),
]
"""A share between 0 and 1 inclusive, at most four decimal places."""

IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    Field(ge=MIN_DATE, le=MAX_DATE),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "formatMinimum": MIN_DATE.isoformat(),
            "formatMaximum": MAX_DATE.isoformat(),
        }
    ),
]
"""A calendar date as ``YYYY-MM-DD`` between 1900-01-01 and 2099-12-31."""

_ID_PATTERN = r"^[0-9A-Za-z()-]+$"
IdNumber = Annotated[
    str,
    BeforeValidator(_id_number),
    Field(min_length=2, max_length=32, pattern=_ID_PATTERN),
    # pydantic drops the pattern from the schema once a validator runs first: say it here.
    WithJsonSchema({"type": "string", "minLength": 2, "maxLength": 32, "pattern": _ID_PATTERN}),
]
"""An identity-document number: letters, digits, parentheses and hyphens; held upper-cased."""

TAX_GRADES = ("A", "B", "M", "C", "D")
TaxGrade = Literal["A", "B", "M", "C", "D"]
TaxGrades = Annotated[
    tuple[TaxGrade, ...],
    BeforeValidator(_choices(TAX_GRADES)),
    Field(min_length=1, max_length=len(TAX_GRADES)),
    _choices_schema(TAX_GRADES),
]
"""A non-empty set of tax credit grades, held in the order A, B, M, C, D."""

PROPERTY_USAGES = ("工业", "仓储", "商业", "办公", "住宅", "其他")
PropertyUsage = Literal["工业", "仓储", "商业", "办公", "住宅", "其他"]
PropertyUsages = Annotated[
    tuple[PropertyUsage, ...],
    BeforeValidator(_choices(PROPERTY_USAGES)),
    Field(min_length=1, max_length=len(PROPERTY_USAGES)),
    _choices_schema(PROPERTY_USAGES),
]
"""A non-empty set of registered property uses, in the catalog's order."""

SME_CREDIT_GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "C")
SmeCreditGrade = Literal["AAA", "AA", "A", "BBB", "BB", "B", "C"]
SmeCreditGrades = Annotated[
    tuple[SmeCreditGrade, ...],
    BeforeValidator(_choices(SME_CREDIT_GRADES)),
    Field(min_length=1, max_length=len(SME_CREDIT_GRADES)),
    _choices_schema(SME_CREDIT_GRADES),
]
"""A non-empty set of SME credit evaluation grades, held in the order AAA to C."""
