"""``credgate grant | revoke | authorizations | report | verify`` against a running gateway."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from gateway.cli import app as cli
from gateway.cli_exchange import parse_check
from gateway.clock import SettableClock
from gateway.principals.keys import write_private_key
from gateway.sources.simulator import run_simulator_in_thread
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World, build_world

runner = CliRunner()
TAX_CHECK = "consecutive_normal_tax_months_at_least months=12"


class WallClock(SettableClock):
    """The CLI signs with the wall clock: the gateway must read the same one."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture
def clock() -> SettableClock:
    return WallClock()


@pytest.fixture
def live(app: FastAPI) -> Iterator[str]:
    base, stop = run_simulator_in_thread(app)
    yield base
    stop()


@pytest.fixture
def world(live: str, make_actor: Callable[..., Actor], services: Any) -> World:
    return build_world(make_actor, services)


def as_(actor: Actor, tmp_path: Path, url: str) -> list[str]:
    key = tmp_path / f"{actor.id}.pem"
    write_private_key(key, actor.key)
    return ["--url", url, "--principal", actor.id, "--key", str(key)]


def test_an_enterprise_grants_a_bank_reads_and_checks_then_the_grant_is_revoked(
    world: World, live: str, tmp_path: Path
) -> None:
    enterprise, bank = as_(world.enterprise, tmp_path, live), as_(world.bank, tmp_path, live)
    granted = runner.invoke(
        cli,
        [
            "grant", world.bank.id, "--purpose", "loan_underwriting",
            "--dataset", "tax_payments", "--mode", "report", "--mode", "verify",
            "--id", "authz-cli-0001", *enterprise,
        ],
    )  # fmt: skip
    assert granted.exit_code == 0, granted.output
    assert "authz-cli-0001  active" in granted.stdout and "credgate revoke" in granted.stdout

    report = runner.invoke(cli, ["report", ENTERPRISE, "--purpose", "loan_underwriting", *bank])
    assert report.exit_code == 0, report.output
    assert "authorizations used: authz-cli-0001" in report.stdout
    assert "tax_payments" in report.stdout and "consecutive_normal_months: 18" in report.stdout

    verified = runner.invoke(
        cli,
        ["verify", ENTERPRISE, "--purpose", "loan_underwriting", "--check", TAX_CHECK, *bank],
    )
    assert verified.exit_code == 0, verified.output
    assert "consecutive_normal_tax_months_at_least: yes (ok)" in verified.stdout

    listed = runner.invoke(cli, ["authorizations", *enterprise, "--json"])
    assert [a["id"] for a in json.loads(listed.stdout)] == ["authz-cli-0001"]

    revoked = runner.invoke(cli, ["revoke", "authz-cli-0001", *enterprise, "--json"])
    assert revoked.exit_code == 0, revoked.output
    assert json.loads(revoked.stdout)["state"] == "revoked"

    after = runner.invoke(
        cli, ["report", ENTERPRISE, "--purpose", "loan_underwriting", *bank, "--json"]
    )
    body = json.loads(after.stdout)
    assert body["authorizations_used"] == []
    assert any(w["dataset"] == "tax_payments" for w in body["withheld"])


def test_key_handling_from_the_environment_and_refusals_in_one_line(
    world: World, live: str, tmp_path: Path
) -> None:
    options = as_(world.bank, tmp_path, live)
    env = {"CREDGATE_GATEWAY_URL": live, "CREDGATE_PRINCIPAL": world.bank.id,
           "CREDGATE_KEY_FILE": options[-1]}  # fmt: skip
    args = ["verify", ENTERPRISE, "--purpose", "loan_underwriting", "--check", TAX_CHECK]
    result = runner.invoke(cli, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["permitted"] is False  # no grant yet

    refused = runner.invoke(cli, ["revoke", "authz-not-mine", *options])
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert refused.stderr.strip().startswith("error: HTTP 403 forbidden:")

    bad_purpose = runner.invoke(cli, ["report", ENTERPRISE, "--purpose", "Nope", *options])
    assert bad_purpose.exit_code == 1
    assert bad_purpose.stderr.startswith("error: HTTP 422 invalid_input: invalid request")

    bad_verify = runner.invoke(cli, ["verify", ENTERPRISE, "--purpose", "Nope", "--check",
                                     "no_such_predicate", *options])  # fmt: skip
    assert bad_verify.exit_code == 1 and isinstance(bad_verify.exception, SystemExit)
    assert bad_verify.stderr.startswith("error: HTTP 422 invalid_input:")

    no_scope = runner.invoke(cli, ["grant", world.bank.id, "--purpose", "loan_underwriting",
                                   *as_(world.enterprise, tmp_path, live)])  # fmt: skip
    assert no_scope.exit_code == 1 and "--dataset" in no_scope.stderr


def test_check_arguments_are_strings_unless_the_predicate_takes_an_integer() -> None:
    types = {("p", "months"): "integer", ("p", "amount"): ["string", "number"]}
    assert parse_check("p months=12 amount=500000 flags:=[1]", types) == {
        "predicate": "p",
        "args": {"months": 12, "amount": "500000", "flags": [1]},
    }
