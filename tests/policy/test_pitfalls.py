"""regopy's silent mis-decisions, and the gateway-side guards that keep them from mattering.

The ``test_regopy_*`` tests pin the hazards themselves (regopy 1.5.2): if one starts failing,
regopy changed and policies/README.md should be revisited. The others show that the gateway
rejects or normalises such inputs before any engine sees them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from regopy import Interpreter

from gateway.policy.embedded import EmbeddedEngine, RegoEvaluator
from gateway.policy.errors import NonAsciiIdentifier, PolicyEngineError, PolicyLoadError
from gateway.policy.inputs import Caller, PolicyInput, build_policy_input
from gateway.policy.opa import OpaEngine
from gateway.policy.source import DECISION_ENTRYPOINT, PolicyFiles
from tests.policy.factories import NOW_NS, SUBJECT, policy_dir_with, report_input
from tests.policy.opa_standin import OpaStandIn

NOW_Z = "2025-11-24T16:00:00Z"


def _query(rego_query: str) -> str:
    return str(Interpreter().query(rego_query))


# --- the hazards -------------------------------------------------------------------------------


def test_regopy_cannot_parse_z_timestamps() -> None:
    assert _query('x := time.parse_rfc3339_ns("2025-11-24T16:00:00Z")') == "undefined"
    assert "1764000000000000000" in _query(
        'x := time.parse_rfc3339_ns("2025-11-24T16:00:00+00:00")'
    )


def test_regopy_compares_non_ascii_strings_in_escaped_form() -> None:
    interpreter = Interpreter()
    interpreter.set_input_term(json.dumps({"name": "本溪"}))  # ensure_ascii: "\u672c\u6eaa"

    assert str(interpreter.query('input.name == "本溪"')) == "undefined"


def test_regopy_keeps_the_previous_input_when_setting_a_new_one_fails() -> None:
    interpreter = Interpreter()
    interpreter.add_module("p.rego", "package p\nimport rego.v1\nwho := input.who\n")
    interpreter.set_input_term('{"who": "bank-001"}')
    with pytest.raises(Exception):  # noqa: B017 - regopy raises its own RegoError
        interpreter.set_input_term('{"who": ')

    assert "bank-001" in str(interpreter.query("x := data.p.who"))


# --- the guards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("subject",), "91210502MA0XXXXXX本"),
        (("caller", "id"), "本溪银行"),
        (("purpose",), "贷款审批"),
        (("resources", 0, "dataset"), "纳税"),
        (("authorizations", 0, "id"), "auth-①"),
        (("authorizations", 0, "datasets", 0), "tax_paymenté"),
        (("predicates", 0, "name"), "vat_paid_ät_least"),
    ],
)
def test_non_ascii_identifiers_are_rejected_before_the_engine(
    opa_engine: OpaEngine, standin: OpaStandIn, path: tuple[str | int, ...], value: str
) -> None:
    raw = report_input().to_dict()
    node = raw
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    asked_before = standin.requests

    with pytest.raises(NonAsciiIdentifier):
        opa_engine.decide(raw)

    assert standin.requests == asked_before  # the engine never saw it


def test_non_ascii_identifier_in_the_builder_is_a_typed_error() -> None:
    with pytest.raises(NonAsciiIdentifier) as caught:
        Caller(id="本溪银行", role="institution", kind="bank", status="active")

    assert caught.value.detail == {"identifier": "\\u672c\\u6eaa\\u94f6\\u884c"}


def test_z_timestamps_are_normalised_to_nanoseconds_before_the_engine(
    opa_engine: OpaEngine, standin: OpaStandIn
) -> None:
    raw = report_input().to_dict()
    raw["now_ns"] = NOW_Z
    raw["authorizations"][0]["not_before_ns"] = "2025-11-23T16:00:00Z"
    raw["authorizations"][0]["expires_at_ns"] = "2025-12-24T16:00:00.000001Z"

    decision = opa_engine.decide(raw)

    sent = standin.last_input
    assert sent["now_ns"] == NOW_NS
    assert sent["authorizations"][0]["not_before_ns"] == NOW_NS - 86_400 * 10**9
    assert sent["authorizations"][0]["expires_at_ns"] == NOW_NS + 30 * 86_400 * 10**9 + 1000
    assert decision.discloses("tax_payments", "authorized")


@pytest.mark.parametrize(
    "moment",
    [
        NOW_Z,
        "2025-11-25T00:00:00+08:00",
        datetime(2025, 11, 24, 16, tzinfo=UTC),
        datetime(2025, 11, 25, 0, tzinfo=timezone(timedelta(hours=8))),
        NOW_NS,
    ],
)
def test_every_spelling_of_a_time_becomes_the_same_integer(moment: object) -> None:
    caller = Caller(id="bank-001", role="institution", kind="bank", status="active")
    built = build_policy_input(
        now=moment,  # type: ignore[arg-type]
        caller=caller,
        action="report",
        purpose="loan_underwriting",
        subject=SUBJECT,
    )

    assert built.now_ns == NOW_NS
    assert isinstance(built.to_dict()["now_ns"], int)


def test_decisions_at_nanosecond_precision_above_2_to_the_53(
    embedded_engine: EmbeddedEngine,
) -> None:
    """1764000000000000000 and ...001 are equal as doubles; the policy must tell them apart."""
    assert float(NOW_NS) == float(NOW_NS + 1)
    grant = report_input().authorizations[0]
    just_valid = grant.model_copy(update={"expires_at_ns": NOW_NS + 1})
    just_expired = grant.model_copy(update={"expires_at_ns": NOW_NS})

    assert embedded_engine.decide(report_input(authorizations=(just_valid,))).discloses(
        "tax_payments", "authorized"
    )
    assert not embedded_engine.decide(report_input(authorizations=(just_expired,))).discloses(
        "tax_payments", "authorized"
    )


def test_evaluator_discards_its_interpreter_after_a_failure(policy_files: PolicyFiles) -> None:
    """Otherwise the stale-input hazard above would answer for the previous request."""
    evaluator = RegoEvaluator(policy_files)
    good = report_input().canonical_json()
    assert evaluator.evaluate(DECISION_ENTRYPOINT, good)["allow"] is True

    with pytest.raises(PolicyEngineError):
        evaluator.evaluate(DECISION_ENTRYPOINT, '{"now_ns": ')
    denied = report_input(purpose="marketing").canonical_json()

    assert evaluator.evaluate(DECISION_ENTRYPOINT, denied)["allow"] is False


def test_inputs_are_sent_as_ascii_json(opa_engine: OpaEngine, standin: OpaStandIn) -> None:
    policy_input = report_input()

    assert policy_input.canonical_json().isascii()
    opa_engine.decide(policy_input)
    assert standin.last_input == policy_input.to_dict()


def test_policy_files_must_be_ascii(tmp_path: Path) -> None:
    data = json.loads(Path(policy_dir_with(tmp_path) / "data.json").read_text())
    data["credgate"]["params"]["purposes"]["loan_underwriting"]["description"] = "贷款"
    directory = policy_dir_with(tmp_path / "other", data_json=json.dumps(data, ensure_ascii=False))

    with pytest.raises(PolicyLoadError, match="non-ASCII"):
        PolicyFiles.load(directory)


def test_the_policy_avoids_constructs_regopy_gets_wrong(policy_files: PolicyFiles) -> None:
    source = dict(policy_files.modules)["access.rego"]
    code = "\n".join(line.split("#")[0] for line in source.splitlines())

    assert "import rego.v1" in code
    assert "parse_rfc3339" not in code  # times arrive as integers
    assert "every " not in code  # brace-less every does not parse in rego-cpp
    assert "some k, v in" not in code and "object.union" not in code
    assert "opa.runtime" not in code  # it exposes the process environment


def test_raw_mapping_and_built_input_decide_alike(embedded_engine: EmbeddedEngine) -> None:
    built = report_input()
    shuffled = built.to_dict()
    shuffled["resources"].reverse()
    shuffled["authorizations"][0]["modes"].reverse()

    assert PolicyInput.parse(shuffled) == built
    assert embedded_engine.decide(shuffled) == embedded_engine.decide(built)
