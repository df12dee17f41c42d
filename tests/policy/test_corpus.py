"""Every example in policies/testdata/ through every engine, and through the reference model."""

from __future__ import annotations

import pytest

from gateway.policy.data import PolicyData
from gateway.policy.engine import PolicyEngine
from gateway.policy.inputs import PolicyInput
from tests.policy.corpus import CASES, Case
from tests.policy.reference import normalise_decision, reference_decision


def _ids(case: Case) -> str:
    return case.name


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_corpus_case_decided_as_expected(engine: PolicyEngine, case: Case) -> None:
    decision = engine.decide(case.input)

    assert not decision.failed_closed, decision.reason
    assert decision.to_dict() == normalise_decision(case.expected), case.description
    assert decision.revision == engine.revision


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_corpus_case_agrees_with_reference_model(case: Case, policy_data: PolicyData) -> None:
    normalised = PolicyInput.parse(case.input).to_dict()

    assert reference_decision(normalised, policy_data) == normalise_decision(case.expected)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_corpus_input_is_already_normal(case: Case) -> None:
    """Examples show the input exactly as the gateway sends it, lists in the builder's order
    (so they document the schema, and OPA, which keeps input order, decides them as stored)."""
    assert PolicyInput.parse(case.input).to_dict() == case.input


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_corpus_expected_is_in_wire_order(case: Case) -> None:
    """``expected`` is stored sorted as ``Decision.to_dict`` sends it, so it compares exactly."""
    assert normalise_decision(case.expected) == case.expected
