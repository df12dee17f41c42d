"""The input builder: canonical, bounded, and strict about what it lets through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from gateway.catalog.model import DisclosureClass
from gateway.policy.errors import PolicyInputError
from gateway.policy.inputs import (
    MAX_AUTHORIZATIONS,
    MAX_RESOURCES,
    PolicyInput,
    Predicate,
    Resource,
    build_policy_input,
)
from tests.policy.factories import COURT, LICENCE, NOW_NS, SUBJECT, TAX, bank, grant, report_input


def test_builder_accepts_pairs_and_sorts_and_deduplicates() -> None:
    built = build_policy_input(
        now=NOW_NS,
        caller=bank(),
        action="report",
        purpose="loan_underwriting",
        subject=SUBJECT,
        resources=[
            ("tax_payments", "authorized"),
            LICENCE,
            ("tax_payments", DisclosureClass.authorized),
        ],
        authorizations=[
            grant(id="auth-2"),
            grant(id="auth-1", modes=("verify", "report", "verify")),
        ],
    )

    assert built.resources == (LICENCE, TAX)
    assert [g.id for g in built.authorizations] == ["auth-1", "auth-2"]
    assert built.authorizations[0].modes == ("report", "verify")


def test_equal_requests_have_byte_equal_json() -> None:
    a = report_input(resources=(TAX, COURT, LICENCE))
    b = report_input(resources=(LICENCE, TAX, COURT, TAX))

    assert a.canonical_json() == b.canonical_json()
    assert report_input().canonical_json(include_now=False) == report_input(
        now_ns=1
    ).canonical_json(include_now=False)


def test_wire_form_matches_the_documented_schema() -> None:
    document = report_input().to_dict()

    assert set(document) == {
        "now_ns", "caller", "action", "purpose", "subject", "resources", "predicates",
        "authorizations",
    }  # fmt: skip
    assert set(document["caller"]) == {"id", "role", "kind", "status"}
    assert document["resources"][0] == {"dataset": "business_licence", "class": "public"}
    assert set(document["authorizations"][0]) == {
        "id", "institution", "enterprise", "purpose", "datasets", "classes", "modes",
        "not_before_ns", "expires_at_ns", "state", "uses_left",
    }  # fmt: skip
    assert document["predicates"][0]["reads"] == [
        {"dataset": "tax_payments", "class": "authorized"}
    ]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"now_ns": 1.5e18}, "PolicyInput.now_ns"),
        ({"now_ns": True}, "PolicyInput.now_ns"),
        ({"now_ns": -1}, "PolicyInput.now_ns"),
        ({"now_ns": 2**63}, "PolicyInput.now_ns"),
        ({"now_ns": "2025-11-24T16:00:00"}, "PolicyInput.now_ns"),  # no offset: ambiguous
        ({"now_ns": "yesterday"}, "PolicyInput.now_ns"),
        ({"subject": ""}, "PolicyInput.subject"),
        ({"subject": "9121 0502"}, "PolicyInput.subject"),
        ({"purpose": "x" * 129}, "PolicyInput.purpose"),
        ({"in_force": True}, "PolicyInput.in_force"),  # unknown keys are refused, not ignored
        ({"resources": [{"dataset": "tax_payments", "class": "secret"}]}, "Resource.class"),
        ({"resources": [{"dataset": "tax_payments"}]}, "Resource.class"),
    ],
)
def test_malformed_inputs_are_refused(change: dict[str, Any], where: str) -> None:
    raw = {**report_input().to_dict(), **change}

    with pytest.raises(PolicyInputError) as caught:
        PolicyInput.parse(raw)

    assert [p["location"] for p in caught.value.detail] == [where]


@pytest.mark.parametrize(
    "grant_change",
    [
        {"uses_left": -1},
        {"uses_left": True},
        {"uses_left": "3"},
        {"modes": []},
        {"classes": ["everything"]},
        {"expires_at_ns": datetime(2025, 12, 1)},  # naive
    ],
)
def test_malformed_authorizations_are_refused(grant_change: dict[str, Any]) -> None:
    raw = report_input().to_dict()
    raw["authorizations"][0].update(grant_change)

    with pytest.raises(PolicyInputError):
        PolicyInput.parse(raw)


def test_predicates_need_reads_and_unique_names() -> None:
    with pytest.raises(PolicyInputError):
        Predicate(name="p", reads=())
    duplicate = Predicate(name="p", reads=(TAX,))
    with pytest.raises(PolicyInputError, match="invalid policy input"):
        report_input(predicates=(duplicate, duplicate))


def test_authorization_ids_must_be_unique() -> None:
    with pytest.raises(PolicyInputError):
        report_input(authorizations=(grant(), grant()))


def test_inputs_are_bounded() -> None:
    too_many = tuple(
        Resource(dataset=f"d{i:04d}", disclosure_class="public") for i in range(MAX_RESOURCES + 1)
    )
    with pytest.raises(PolicyInputError):
        report_input(resources=too_many)
    with pytest.raises(PolicyInputError):
        report_input(authorizations=tuple(grant(id=f"a{i}") for i in range(MAX_AUTHORIZATIONS + 1)))


def test_coerce_refuses_other_types(embedded_engine: Any) -> None:
    with pytest.raises(PolicyInputError):
        embedded_engine.decide(["not", "a", "mapping"])
