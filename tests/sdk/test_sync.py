"""The sync SDK against the app: models back, errors as exceptions by status family."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.access.schemas import AccessLogPageOut, ReportOut
from gateway.authorizations.models import AuthorizationState
from gateway.principals.models import Role
from gateway.sdk import (
    AuthenticationFailed,
    ClientError,
    Credgate,
    InvalidRequest,
    KeyFileError,
    NotFound,
    PermissionDenied,
)
from gateway.verification.schemas import VerificationOut
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World

VAT = {"predicate": "consecutive_normal_tax_months_at_least", "args": {"months": 12}}


def sdk(actor: Actor, http: TestClient, clock: Callable[[], float]) -> Credgate:
    return Credgate(str(http.base_url), actor.id, private_key=actor.key, clock=clock, http=http)


def test_grant_report_verify_and_revoke_return_models(
    world: World, http: TestClient, app_clock: Callable[[], float]
) -> None:
    enterprise = sdk(world.enterprise, http, app_clock)
    bank = sdk(world.bank, http, app_clock)

    granted = enterprise.grant(
        world.bank.id,
        "loan_underwriting",
        datasets=["housing_fund", "tax_payments"],
        modes=["report", "verify"],
    )
    assert granted.state is AuthorizationState.active
    assert granted.grant_ledger_index is not None

    report = bank.report(ENTERPRISE, "loan_underwriting")
    assert isinstance(report, ReportOut)
    assert granted.id in report.authorizations_used
    tax = next(d for d in report.datasets if d.dataset == "tax_payments")
    assert tax.records and tax.records[0].fields

    answer = bank.verify(ENTERPRISE, "loan_underwriting", [VAT])
    assert isinstance(answer, VerificationOut)
    assert [r.holds for r in answer.results] == [True]

    assert [a.id for a in enterprise.authorizations()] == [granted.id]
    assert [a.id for a in bank.authorizations()] == [granted.id]

    revoked = enterprise.revoke(granted.id)
    assert revoked.state is AuthorizationState.revoked
    after = bank.report(ENTERPRISE, "loan_underwriting")
    assert not after.authorizations_used
    assert any(w.dataset == "tax_payments" for w in after.withheld)

    log = enterprise.access_log(limit=10)
    assert isinstance(log, AccessLogPageOut)
    assert log.subject == ENTERPRISE and log.entries
    assert enterprise.my_report().enterprise == ENTERPRISE


def test_errors_carry_status_code_and_detail(
    world: World, http: TestClient, app_clock: Callable[[], float], make_actor: object
) -> None:
    enterprise = sdk(world.enterprise, http, app_clock)
    bank = sdk(world.bank, http, app_clock)

    with pytest.raises(InvalidRequest) as invalid:
        bank.report(ENTERPRISE, "Not A Purpose")
    assert invalid.value.status == 422 and invalid.value.code == "invalid_input"
    assert "purpose" in str(invalid.value.detail)

    with pytest.raises(NotFound) as missing:
        enterprise.revoke("authz-does-not-exist")
    assert missing.value.status == 404 and "authz-does-not-exist" in missing.value.message

    with pytest.raises(PermissionDenied) as denied:
        bank.revoke("authz-whatever-1")
    assert denied.value.status == 403 and isinstance(denied.value, ClientError)

    stranger = make_actor(Role.institution, "bank-stranger")  # type: ignore[operator]
    unregistered = Credgate(
        str(http.base_url), "bank-nobody", private_key=stranger.key, clock=app_clock, http=http
    )
    with pytest.raises(AuthenticationFailed) as refused:
        unregistered.authorizations()
    assert refused.value.status == 401


def test_a_missing_or_bad_key_file_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="does not exist"):
        Credgate("http://127.0.0.1:1", "bank-1", tmp_path / "nope.pem")
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(KeyFileError, match="not an unencrypted"):
        Credgate("http://127.0.0.1:1", "bank-1", bad)


def test_a_bank_screens_several_enterprises_and_reads_its_budget(
    world: World, http: TestClient, app_clock: Callable[[], float], make_actor: object
) -> None:
    enterprise = sdk(world.enterprise, http, app_clock)
    bank = sdk(world.bank, http, app_clock)
    enterprise.grant(
        world.bank.id, "loan_underwriting", datasets=["tax_payments"], modes=["verify"]
    )
    stranger = make_actor(Role.enterprise)  # type: ignore[operator]
    vat = {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1000"}}

    screened = bank.verify_many([ENTERPRISE, stranger.id], "loan_underwriting", [VAT, vat])
    first, second = screened.items
    assert (first.enterprise, first.status) == (ENTERPRISE, 200)
    assert first.result is not None and [r.holds for r in first.result.results] == [True, True]
    assert second.enterprise == stranger.id and second.status != 200  # no grant, no records
    assert second.result is None and second.error

    budget = bank.verification_budget()
    assert budget.budget_per_day >= 1
    used = {(u.enterprise, u.predicate): u.thresholds_asked for u in budget.used}
    assert used[(ENTERPRISE, "vat_paid_last_year_at_least")] == 1
    with pytest.raises(PermissionDenied):
        enterprise.verification_budget()
