"""Hypothesis strategies for the predicate tests: records built from the catalog's field types,
and demo enterprises with mutations.

String values are drawn from CJK characters and digits only, so that a test searching a
verdict's text for record values cannot match by accident ("ok" is not a record value).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st

from gateway.catalog import DatasetSpec, FieldSpec, FieldType, load_catalog
from gateway.demo import DemoData, generate_demo
from verifiers.spec import PredicateSpec

CATALOG = load_catalog()
SUBJECT = "91210504181590XG3U"
DELETE = object()  # a mutation that removes a field

# Identity numbers drawn for every legal_rep_id_no, so that records and questions meet.
ID_NUMBERS = ("210504199201211991", "21050419800101123X", "H12345678", "830000198001010019")
# Whole-count fields the predicates compare against small thresholds.
SMALL_COUNTS = {"failed_checks_3y", "consecutive_normal_months", "avg_monthly_contributors_12m"}
YEAR_FIELDS = {"report_year", "rating_year"}

todays = st.dates(date(2019, 1, 1), date(2027, 12, 31))
cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=8)


def dataset(dataset_id: str) -> DatasetSpec:
    spec = CATALOG.dataset(dataset_id)
    assert spec is not None, dataset_id
    return spec


def money_values() -> st.SearchStrategy[str]:
    """Canonical money: mostly non-negative, round amounts now and then, rarely negative."""
    cents = st.one_of(
        st.integers(0, 300_000_000),
        st.integers(0, 30).map(lambda n: n * 5_000_000),
        st.integers(-100_000, 0),
    )
    return cents.map(lambda c: str(Decimal(c).scaleb(-2)))


def day_near(today: date) -> st.SearchStrategy[date]:
    """Any day from thirty years before ``today`` to ten after, with today and its neighbours."""
    return st.one_of(
        st.sampled_from([today, today - timedelta(days=1), today + timedelta(days=1)]),
        st.dates(today - timedelta(days=30 * 366), today + timedelta(days=10 * 366)),
    )


def id_number_values() -> st.SearchStrategy[str]:
    """An ID number from the pool, sometimes lower-cased or padded as clerks type them."""
    return st.builds(
        lambda number, lower, pad: (" " if pad else "") + (number.lower() if lower else number),
        st.sampled_from(ID_NUMBERS),
        st.booleans(),
        st.booleans(),
    )


def value_for(field: FieldSpec, today: date) -> st.SearchStrategy[Any]:
    """A canonical value of ``field``'s catalog type."""
    if field.id in YEAR_FIELDS:
        return st.integers(today.year - 5, today.year)
    if field.id in SMALL_COUNTS:
        return st.integers(0, 40)
    if field.id.endswith("_id_no"):
        return id_number_values()
    if field.id == "change_item":
        return st.one_of(st.just("法定代表人变更"), st.sampled_from(field.values or []))
    match field.type:
        case FieldType.date:
            return day_near(today).map(date.isoformat)
        case FieldType.money:
            return money_values()
        case FieldType.ratio:
            return st.decimals(0, 1, places=4).map(lambda d: format(d.normalize(), "f"))
        case FieldType.integer:
            return st.integers(0, 1000)
        case FieldType.boolean:
            return st.booleans()
        case FieldType.enum | FieldType.band:
            return st.sampled_from(field.values or [])
        case FieldType.uscc:
            return st.just(SUBJECT)
        case FieldType.string | FieldType.text:
            return cjk
    raise AssertionError(f"no strategy for {field.type}")


@st.composite
def record(draw: st.DrawFn, spec: DatasetSpec, today: date) -> dict[str, Any]:
    """One record of ``spec``: required fields nearly always present, optional ones often."""
    row: dict[str, Any] = {}
    for field in spec.fields:
        present = draw(st.integers(0, 19)) > 0 if field.required else draw(st.booleans())
        if present or field.id == spec.subject_field:
            row[field.id] = draw(value_for(field, today))
    return row


@st.composite
def catalog_records(
    draw: st.DrawFn, predicate: PredicateSpec[Any], today: date
) -> dict[str, list[dict[str, Any]]]:
    """Records of every dataset the predicate reads, every catalog field possibly filled.

    Single-record datasets get none or one record, and now and then two (an ambiguity).
    """
    records: dict[str, list[dict[str, Any]]] = {}
    for dataset_id in predicate.datasets:
        spec = dataset(dataset_id)
        most = 4 if spec.multi_row else draw(st.sampled_from([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
        records[dataset_id] = draw(st.lists(record(spec, today), max_size=most))
    return records


@cache
def demos() -> tuple[DemoData, ...]:
    """Two small demo worlds: mid-year, and early in the year (before annual reports are due)."""
    return (
        generate_demo(51, 40, today=date(2024, 6, 30)),
        generate_demo(52, 40, today=date(2026, 1, 15)),
    )


@st.composite
def demo_records(
    draw: st.DrawFn, predicate: PredicateSpec[Any]
) -> tuple[dict[str, list[dict[str, Any]]], date]:
    """A demo enterprise's records of every dataset (not only those read), and its day.

    Up to three mutations each delete or redraw one field the predicate reads in one record.
    """
    demo = draw(st.sampled_from(demos()))
    uscc = draw(st.sampled_from(demo.enterprises))
    records = {k: [dict(r) for r in v] for k, v in demo.records_of(uscc).items()}
    for _ in range(draw(st.integers(0, 3))):
        dataset_id, field_id = draw(st.sampled_from(predicate.reads))
        rows = records[dataset_id]
        if not rows:
            continue
        row = rows[draw(st.integers(0, len(rows) - 1))]
        field = dataset(dataset_id).field(field_id)
        assert field is not None
        new = draw(st.one_of(st.just(DELETE), value_for(field, demo.today)))
        if new is DELETE:
            row.pop(field_id, None)
        else:
            row[field_id] = new
    return records, demo.today


def values_of(
    records: Mapping[str, list[dict[str, Any]]], dataset_id: str, field: str
) -> list[Any]:
    """Every value of ``field`` in the records of ``dataset_id``."""
    return [row[field] for row in records.get(dataset_id, []) if field in row]
