"""The CLI a bank, a source or an operator scripts with: keys, principals, CSV import, calls."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from gateway import uscc
from gateway.cli import app as cli
from gateway.clock import SettableClock
from gateway.settings import get_settings
from gateway.sources.simulator import run_simulator_in_thread

runner = CliRunner()


@pytest.fixture
def live_gateway(app: FastAPI, clock: SettableClock) -> Iterator[str]:
    clock.set(datetime.now(UTC))  # the CLI signs with the wall clock
    base, stop = run_simulator_in_thread(app)  # any ASGI app: here the gateway itself
    yield base
    stop()


def test_keygen_principals_add_and_a_signed_call(
    tmp_path: Path,
    settings: object,
    services: object,
    live_gateway: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREDGATE_DATABASE_URL", settings.effective_database_url)  # type: ignore[attr-defined]
    get_settings.cache_clear()
    key = tmp_path / "operator.pem"
    public = tmp_path / "operator.pub"
    result = runner.invoke(cli, ["keygen", str(key)])
    assert result.exit_code == 0 and "BEGIN PUBLIC KEY" in result.output
    public.write_text(result.output)
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    result = runner.invoke(
        cli,
        [
            "principals",
            "add",
            "op-1",
            "--role",
            "operator",
            "--name",
            "ops",
            "--public-key",
            str(public),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli,
        [
            "call",
            "GET",
            "/v1/principals",
            "--principal",
            "op-1",
            "--key",
            str(key),
            "--url",
            live_gateway,
        ],
    )
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in json.loads(result.stdout)] == ["op-1"]
    again = runner.invoke(
        cli,
        [
            "principals",
            "add",
            "op-1",
            "--role",
            "operator",
            "--name",
            "ops",
            "--public-key",
            str(public),
        ],
    )
    assert again.exit_code == 1 and "already exists" in again.output
    get_settings.cache_clear()


def test_csv_import_pushes_one_batch_and_reports_bad_rows(
    tmp_path: Path, make_actor: object, live_gateway: str
) -> None:
    from gateway.principals.keys import write_private_key
    from gateway.principals.models import Role

    source = make_actor(Role.source, "src-market-regulator")  # type: ignore[operator]
    key = tmp_path / "source.pem"
    write_private_key(key, source.key)
    good, other = uscc.generate(random.Random(1)), uscc.generate(random.Random(2))
    csv_file = tmp_path / "licences.csv"
    csv_file.write_text(
        "enterprise_name,uscc,legal_representative,established_date,registration_status,registered_capital\n"
        f"本溪市甲公司,{good},张三,2010-01-02,存续,1000000\n"
        f"本溪市乙公司,{other},李四,2011-13-01,存续,200\n",
        encoding="utf-8",
    )
    args = [
        "import",
        "business_licence",
        str(csv_file),
        "--url",
        live_gateway,
        "--principal",
        source.id,
        "--key",
        str(key),
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["records"][1]["errors"][0]["field"] == "established_date"
    replay = json.loads(runner.invoke(cli, args).stdout)
    assert replay == body  # same file, same batch id: idempotent
    strict = runner.invoke(cli, [*args, "--all-or-nothing", "--batch-id", "strict-1"])
    assert strict.exit_code == 1
