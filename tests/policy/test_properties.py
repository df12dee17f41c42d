"""Generated requests: the policy agrees with the reference model and keeps its invariants."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.policy.data import PolicyData
from gateway.policy.decision import Decision
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.inputs import PolicyInput
from tests.policy.factories import DAY_NS, NOW_NS, SUBJECT
from tests.policy.reference import reference_decision

OTHER = "91110000MA0YYYYYYY"
DATASETS = ["business_licence", "court_judgments", "tax_payments", "social_insurance"]
CLASSES = ["public", "institution", "authorized", "verify_only"]
PURPOSES = [
    "loan_underwriting", "post_loan_monitoring", "guarantee_underwriting",
    "supply_chain_finance", "insurance_underwriting", "credit_reporting", "marketing", "self_view",
    "procurement", "qualification", "provincial_sharing",
]  # fmt: skip
CALLER_IDS = ["bank-001", "bank-002", SUBJECT, OTHER]
ROLES = ["institution", "enterprise", "operator", "source", "assessor", "government", "province"]
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

resources = st.builds(
    lambda d, c: {"dataset": d, "class": c}, st.sampled_from(DATASETS), st.sampled_from(CLASSES)
)


def usually(value: Any, *others: Any) -> st.SearchStrategy[Any]:
    """``value`` three times in four, else one of ``others``: relevant, with perturbations."""
    return st.one_of(st.just(value), st.just(value), st.just(value), st.sampled_from(others))


# One way each to make an otherwise usable authorization unusable, or usable just barely.
PERTURBATIONS: dict[str, dict[str, Any]] = {
    "none": {},
    "other_institution": {"institution": "bank-002"},
    "other_enterprise": {"enterprise": OTHER},
    "other_purpose": {"purpose": "credit_reporting"},
    "revoked": {"state": "revoked"},
    "used_up": {"uses_left": 0},
    "one_use_left": {"uses_left": 1},
    "starts_now": {"not_before_ns": NOW_NS},
    "starts_in_1ns": {"not_before_ns": NOW_NS + 1},
    "expires_now": {"expires_at_ns": NOW_NS},
    "expires_in_1ns": {"expires_at_ns": NOW_NS + 1},
    "longest_lifetime": {"not_before_ns": NOW_NS - DAY_NS, "expires_at_ns": NOW_NS + 364 * DAY_NS},
    "too_long": {"not_before_ns": NOW_NS - DAY_NS, "expires_at_ns": NOW_NS + 364 * DAY_NS + 1},
    "report_only": {"modes": ["report"]},
    "verify_only": {"modes": ["verify"]},
    "covers_nothing_asked": {"datasets": ["land_records"], "classes": []},
}


@st.composite
def authorizations(draw: st.DrawFn, index: int, request: dict[str, Any]) -> dict[str, Any]:
    asked = [r["dataset"] for r in request["resources"]]
    asked += [r["dataset"] for p in request["predicates"] for r in p["reads"]]
    grant = {
        "id": draw(st.sampled_from([f"auth-{index}", f"auth-x{index}"])),
        "institution": request["caller"]["id"],
        "enterprise": request["subject"],
        "purpose": request["purpose"],
        "datasets": draw(st.lists(st.sampled_from(asked or DATASETS), max_size=3)),
        "classes": draw(st.lists(st.sampled_from(CLASSES), max_size=2)),
        "modes": ["report", "verify"],
        "not_before_ns": NOW_NS - DAY_NS,
        "expires_at_ns": NOW_NS + 30 * DAY_NS,
        "state": "active",
        "uses_left": None,
    }
    grant.update(PERTURBATIONS[draw(st.sampled_from(sorted(PERTURBATIONS)))])
    return grant


@st.composite
def requests(draw: st.DrawFn) -> PolicyInput:
    subject = draw(usually(SUBJECT, OTHER))
    action = draw(usually("report", "verify", "verify", "self_view", "export"))
    if action == "self_view":
        caller_id, role = draw(usually(subject, OTHER)), draw(usually("enterprise", *ROLES))
    else:
        caller_id, role = (
            draw(usually("bank-001", *CALLER_IDS)),
            draw(usually("institution", *ROLES)),
        )
    predicates = draw(
        st.lists(st.lists(resources, min_size=1, max_size=3), max_size=3).map(
            lambda reads: [{"name": f"p{i}", "reads": r} for i, r in enumerate(reads)]
        )
    )
    raw: dict[str, Any] = {
        "now_ns": NOW_NS,
        "caller": {
            "id": caller_id,
            "role": role,
            "kind": "bank",
            "status": draw(usually("active", "suspended", "pending")),
        },
        "action": action,
        "purpose": draw(st.sampled_from(PURPOSES)),
        "subject": subject,
        "resources": draw(st.lists(resources, max_size=6)),
        "predicates": predicates,
    }
    count = draw(st.integers(0, 3))
    raw["authorizations"] = [draw(authorizations(i, raw)) for i in range(count)]
    return PolicyInput.parse(raw)


def _decide(engine: EmbeddedEngine, policy_input: PolicyInput) -> Decision:
    decision = engine.decide(policy_input)
    assert not decision.failed_closed, decision.reason
    return decision


@SETTINGS
@given(policy_input=requests())
def test_policy_agrees_with_reference_model(
    embedded_engine: EmbeddedEngine, policy_data: PolicyData, policy_input: PolicyInput
) -> None:
    decision = _decide(embedded_engine, policy_input)

    assert decision.to_dict() == reference_decision(policy_input.to_dict(), policy_data)


@SETTINGS
@given(policy_input=requests())
def test_invariants_hold_for_any_request(
    embedded_engine: EmbeddedEngine, policy_data: PolicyData, policy_input: PolicyInput
) -> None:
    decision = _decide(embedded_engine, policy_input)
    caller = policy_input.caller
    is_subject_viewing_itself = (
        policy_input.action == "self_view"
        and caller.role == "enterprise"
        and caller.id == policy_input.subject
        and caller.status == "active"
    )
    disclosed_classes = {d.disclosure_class.value for d in decision.disclose}

    # verify_only data leaves only towards the enterprise itself.
    if not is_subject_viewing_itself:
        assert "verify_only" not in disclosed_classes
    # A suspended caller gets public data only, and predicates over public data only.
    if caller.status != "active":
        assert disclosed_classes <= {"public"}
        evaluated = {e.predicate for e in decision.evaluate}
        for predicate in policy_input.predicates:
            if predicate.name in evaluated:
                assert {r.disclosure_class.value for r in predicate.reads} == {"public"}
    # Operators, sources and assessors get nothing through any action.
    if caller.role in ("operator", "source", "assessor"):
        assert not decision.allow and not decision.disclose and not decision.evaluate
    # Unknown purposes deny report and verify outright.
    if policy_input.action in ("report", "verify") and not policy_data.is_purpose(
        policy_input.purpose
    ):
        assert not decision.allow and not decision.disclose and not decision.evaluate
    # Authorized data is only disclosed under an authorization that is in force for this
    # caller, subject and purpose, in report mode, and covers it.
    by_id = {g.id: g for g in policy_input.authorizations}
    for item in decision.disclose:
        if item.disclosure_class.value == "authorized" and not is_subject_viewing_itself:
            assert item.authorization is not None
        if item.authorization is not None:
            g = by_id[item.authorization]
            assert "report" in g.modes
            assert item.dataset in g.datasets or item.disclosure_class in g.classes
    for g in (by_id[i] for i in decision.authorizations_used):
        assert g.institution == caller.id
        assert g.enterprise == policy_input.subject
        assert g.purpose == policy_input.purpose
        assert g.state == "active"
        assert g.not_before_ns <= policy_input.now_ns < g.expires_at_ns
        assert g.expires_at_ns - g.not_before_ns <= 365 * DAY_NS
        assert g.uses_left is None or g.uses_left > 0
