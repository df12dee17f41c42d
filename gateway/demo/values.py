"""Small value helpers: JSON-friendly forms and calendar arithmetic."""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(amount: Decimal | float | int) -> Decimal:
    """Round to CNY fen."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal | float | int) -> str:
    return str(money(amount))


def round_to(amount: Decimal | float, step: int) -> Decimal:
    """Round to a multiple of ``step`` yuan (registered capital is usually whole 万元)."""
    steps = (Decimal(str(amount)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(steps, Decimal(1)) * step


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def between(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end]; ``start`` if the range is empty."""
    span = (end - start).days
    return start if span <= 0 else start + timedelta(days=rng.randint(0, span))


def months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def wan(amount: Decimal) -> str:
    """An amount in the registration authority's wording, e.g. "500万元人民币"."""
    value = (amount / 10_000).normalize()
    return f"{format(value, 'f')}万元人民币"


def without_none(record: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in record.items() if v is not None}
