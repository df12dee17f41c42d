"""Reading values out of records, in the catalog's canonical forms.

Records arrive as the gateway stores them (dates ``YYYY-MM-DD``, money as decimal strings,
integers, booleans, enum strings). A reader returns ``None`` for an absent value and raises
``BadRecord`` for a malformed one; ``PredicateSpec.evaluate`` turns that into an undecided
verdict, so a predicate never answers from data it cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Record = Mapping[str, Any]
Records = Mapping[str, Sequence[Record]]

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadRecord(Exception):
    """A record value cannot be read; the message names the field, never the value."""


def _raw(record: Record, field: str) -> Any:
    value = record.get(field)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def money(record: Record, field: str) -> Decimal | None:
    """A money (or other decimal) field as a ``Decimal``, or ``None`` if absent."""
    value = _raw(record, field)
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadRecord(f"{field}: a boolean where a number belongs")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise BadRecord(f"{field}: not a decimal number")


def integer(record: Record, field: str) -> int | None:
    """An integer field, or ``None`` if absent."""
    value = _raw(record, field)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadRecord(f"{field}: not an integer")


def boolean(record: Record, field: str) -> bool | None:
    """A boolean field, or ``None`` if absent."""
    value = _raw(record, field)
    if value is None or isinstance(value, bool):
        return value
    raise BadRecord(f"{field}: not a boolean")


def iso_date(record: Record, field: str) -> date | None:
    """A date field (``YYYY-MM-DD``), or ``None`` if absent."""
    value = _raw(record, field)
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadRecord(f"{field}: not a date YYYY-MM-DD")


def text(record: Record, field: str) -> str | None:
    """A string, text or enum field, stripped, or ``None`` if absent or blank."""
    value = _raw(record, field)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    raise BadRecord(f"{field}: not a string")


def single(rows: Sequence[Record], dataset: str) -> Record | None:
    """The one record of a single-record dataset, ``None`` if there is none.

    Several records where the catalog allows one cannot be told apart: ``BadRecord``.
    """
    if len(rows) > 1:
        raise BadRecord(f"{dataset}: several records in a single-record dataset")
    return rows[0] if rows else None


def latest(rows: Sequence[Record], dataset: str, year_field: str) -> Record | None:
    """The record with the greatest ``year_field``, ``None`` if there is none.

    A record without a year, or two records for the newest year, make the answer
    ambiguous: ``BadRecord``.
    """
    newest: Record | None = None
    newest_year: int | None = None
    tied = False
    for row in rows:
        year = integer(row, year_field)
        if year is None:
            raise BadRecord(f"{dataset}: a record without {year_field}")
        if newest_year is None or year > newest_year:
            newest, newest_year, tied = row, year, False
        elif year == newest_year:
            tied = True
    if tied:
        raise BadRecord(f"{dataset}: two records for the same {year_field}")
    return newest
