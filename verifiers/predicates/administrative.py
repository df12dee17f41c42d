"""Predicates on administrative decisions: penalties, and the legal representative's identity."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from verifiers.arguments import Arguments, IdNumber, IsoDate
from verifiers.spec import PredicateSpec
from verifiers.values import Records, iso_date, text
from verifiers.verdict import (
    CONFLICTING_DATA,
    MISMATCH,
    NO_DATA,
    PENALISED,
    STALE_DATA,
    Verdict,
    no,
    undecided,
    yes,
)

PENALTIES = "administrative_penalties"
CHANGES = "registration_changes"
LEGAL_REP_CHANGE = "法定代表人变更"
# Datasets whose records name the legal representative's ID number, and the date of each record.
ID_SOURCES = (
    ("administrative_licences", "decision_date"),
    (PENALTIES, "decision_date"),
    ("administrative_coercion", "executed_on"),
)


class SinceArgs(Arguments):
    since: IsoDate = Field(description="First day of the period, YYYY-MM-DD.")


def no_administrative_penalty_since(records: Records, args: SinceArgs, today: date) -> Verdict:
    """No penalty decision dated on or after ``since``."""
    dates = [iso_date(penalty, "decision_date") for penalty in records[PENALTIES]]
    if any(decided is not None and decided >= args.since for decided in dates):
        return no(PENALISED)
    return undecided() if None in dates else yes()


NO_ADMINISTRATIVE_PENALTY_SINCE = PredicateSpec(
    name="no_administrative_penalty_since",
    description=(
        "No administrative penalty was decided against the enterprise on or after the date."
    ),
    description_zh="自给定日期（含）起，企业未受到行政处罚。",
    args_model=SinceArgs,
    reads=((PENALTIES, "decision_date"),),
    rule=no_administrative_penalty_since,
    reasons=frozenset({PENALISED, NO_DATA}),
    threshold_arg="since",
)


class LegalRepArgs(Arguments):
    id_no: IdNumber = Field(
        description=(
            "The identity-document number to check; compared without surrounding spaces and "
            "ignoring case. Personal data: logged only as a salted hash."
        )
    )


def _normalised(id_no: str) -> str:
    return id_no.strip().upper()


def legal_representative_id_is(records: Records, args: LegalRepArgs, today: date) -> Verdict:
    """The ID number on the newest dated administrative record equals ``id_no``.

    Undecided when no dated record carries an ID number, when the newest ones disagree, or when
    a change of legal representative was registered after them.
    """
    newest: date | None = None
    numbers: set[str] = set()
    for dataset, date_field in ID_SOURCES:
        for record in records[dataset]:
            id_no = text(record, "legal_rep_id_no")
            on = iso_date(record, date_field)
            if id_no is None or on is None:
                continue
            if newest is None or on > newest:
                newest, numbers = on, {_normalised(id_no)}
            elif on == newest:
                numbers.add(_normalised(id_no))
    if newest is None:
        return undecided()
    for change in records[CHANGES]:
        if text(change, "change_item") == LEGAL_REP_CHANGE:
            changed = iso_date(change, "change_date")
            if changed is None or changed > newest:
                return undecided(STALE_DATA)
    if len(numbers) > 1:
        return undecided(CONFLICTING_DATA)
    return yes() if args.id_no in numbers else no(MISMATCH)


LEGAL_REPRESENTATIVE_ID_IS = PredicateSpec(
    name="legal_representative_id_is",
    description=(
        "The identity-document number of the legal representative, as recorded on the latest "
        "administrative decision, equals the given number."
    ),
    description_zh="最近一次行政许可、处罚或强制记录中的法定代表人证件号码与给定号码一致。",
    args_model=LegalRepArgs,
    reads=(
        ("administrative_licences", "legal_rep_id_no"),
        ("administrative_licences", "decision_date"),
        (PENALTIES, "legal_rep_id_no"),
        (PENALTIES, "decision_date"),
        ("administrative_coercion", "legal_rep_id_no"),
        ("administrative_coercion", "executed_on"),
        (CHANGES, "change_item"),
        (CHANGES, "change_date"),
    ),
    rule=legal_representative_id_is,
    reasons=frozenset({MISMATCH, STALE_DATA, CONFLICTING_DATA, NO_DATA}),
    personal_args=frozenset({"id_no"}),
)

PREDICATES = (NO_ADMINISTRATIVE_PENALTY_SINCE, LEGAL_REPRESENTATIVE_ID_IS)
