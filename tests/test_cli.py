"""The CLI a bank, a source or an operator scripts with: keys, principals, CSV import, calls."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from gateway import uscc
from gateway.cli import app as cli
from gateway.clock import SettableClock
from gateway.principals.keys import write_private_key
from gateway.principals.models import Role
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


LICENCE_HEADER = (
    "enterprise_name,uscc,legal_representative,established_date,registration_status,"
    "registered_capital\n"
)


@pytest.fixture
def source_key(tmp_path: Path, make_actor: Any) -> tuple[str, Path]:
    source = make_actor(Role.source, "src-market-regulator")
    key = tmp_path / "source.pem"
    write_private_key(key, source.key)
    return source.id, key


def _import_args(csv_file: Path, source_key: tuple[str, Path], url: str) -> list[str]:
    principal, _ = source_key
    return ["import", "business_licence", str(csv_file), "--url", url, "--principal", principal]


def test_csv_import_pushes_batches_and_reports_bad_rows_by_line(
    tmp_path: Path, source_key: tuple[str, Path], live_gateway: str
) -> None:
    good, other = uscc.generate(random.Random(1)), uscc.generate(random.Random(2))
    csv_file = tmp_path / "licences.csv"
    csv_file.write_text(
        LICENCE_HEADER + f"本溪市甲公司,{good},张三,2010-01-02,存续,1000000\n"
        "\n"
        f"本溪市乙公司,{other},李四,2011-13-01,存续,200\n"
        f"本溪市丙公司,{other},王五,2011-03-01,存续,200,多余,多余\n",
        encoding="utf-8",
    )
    args = [*_import_args(csv_file, source_key, live_gateway), "--key", str(source_key[1])]
    result = runner.invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["accepted"], body["rejected"]) == (1, 2)
    assert body["problems"] == [
        {"line": 4, "field": "established_date", "problem": body["problems"][0]["problem"]},
        {"line": 5, "problem": "extra columns: 2"},
    ]
    replay = json.loads(runner.invoke(cli, [*args, "--json"]).stdout)
    assert replay == body  # same file, same batch ids: idempotent
    human = runner.invoke(cli, args)
    assert "1 accepted" in human.stdout and "line 5: extra columns: 2" in human.stdout
    assert "null" not in human.stdout
    strict = runner.invoke(cli, [*args, "--all-or-nothing", "--batch-id", "strict-1"])
    assert strict.exit_code == 1  # the malformed row stops the batch before it is sent
    assert "line 5: extra columns: 2" in strict.stdout and "0 batches stored" in strict.stdout
    csv_file.write_text("".join(csv_file.read_text().splitlines(keepends=True)[:4]))
    strict = runner.invoke(cli, [*args, "--all-or-nothing", "--batch-id", "strict-2"])
    assert strict.exit_code == 1  # refused whole by the gateway
    assert "line 4: established_date" in strict.stdout
    assert "batch strict-2-1 (lines 2-4) rejected whole" in strict.stderr


def test_csv_import_streams_in_batches_of_the_given_size(
    tmp_path: Path, source_key: tuple[str, Path], live_gateway: str, services: Any
) -> None:
    rows = [
        f"本溪市企业{i},{uscc.generate(random.Random(100 + i))},张三,2010-01-02,存续,1000"
        for i in range(5)
    ]
    csv_file = tmp_path / "many.csv"
    csv_file.write_text(LICENCE_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    args = [*_import_args(csv_file, source_key, live_gateway), "--key", str(source_key[1])]
    result = runner.invoke(cli, [*args, "--batch-size", "2", "--batch-id", "many", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["batches"] == ["many-1", "many-2", "many-3"] and body["accepted"] == 5
    assert "import many.csv" not in result.output  # no progress bar off a terminal
    bad_id = runner.invoke(cli, [*args, "--batch-id", "bad id!"])
    assert bad_id.exit_code == 1 and isinstance(bad_id.exception, SystemExit)
    assert bad_id.stderr.startswith("error: HTTP 422 invalid_input:"), bad_id.output
    shown = runner.invoke(cli, [*args, "--batch-size", "2", "--batch-id", "many", "--progress"])
    assert shown.exit_code == 0 and "5 accepted" in shown.stdout, shown.output  # a replay


def test_csv_import_of_gb18030_fails_in_one_line_unless_asked(
    tmp_path: Path, source_key: tuple[str, Path], live_gateway: str
) -> None:
    csv_file = tmp_path / "gbk.csv"
    line = f"本溪市甲公司,{uscc.generate(random.Random(1))},张三,2010-01-02,存续,1000000\n"
    csv_file.write_bytes(LICENCE_HEADER.encode() + line.encode("gb18030"))
    args = [*_import_args(csv_file, source_key, live_gateway), "--key", str(source_key[1])]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert result.stderr.strip() == (
        f"error: {csv_file}: line 2, byte offset {len(LICENCE_HEADER.encode())}: byte 0xb1 "
        "is not valid utf-8; if it is GB18030 (GBK), pass --encoding gb18030"
    )
    result = runner.invoke(cli, [*args, "--encoding", "gb18030"])
    assert result.exit_code == 0 and "1 accepted" in result.stdout, result.output


def _one_line_error(result: Any, *words: str) -> None:
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(w in lines[0] for w in words), result.stderr


def _usage_error(result: Any, *words: str) -> None:
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output and all(w in result.output for w in words)


def test_call_names_bad_json_a_missing_key_and_an_unreachable_gateway(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    runner.invoke(cli, ["keygen", str(key)])
    base = ["call", "POST", "/v1/x", "--principal", "p-1"]
    _one_line_error(
        runner.invoke(cli, [*base, "--key", str(key), "--body", "{nope"]), "--body is not JSON"
    )
    _one_line_error(
        runner.invoke(cli, [*base, "--key", str(tmp_path / "missing.pem")]),
        "key file",
        "does not exist",
    )
    (tmp_path / "bad.pem").write_text("not a key")
    _one_line_error(
        runner.invoke(cli, [*base, "--key", str(tmp_path / "bad.pem")]), "bad.pem", "not an"
    )
    _one_line_error(
        runner.invoke(cli, [*base, "--key", str(key), "--url", "http://127.0.0.1:9"]),
        "cannot reach the gateway",
    )


def test_other_user_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _usage_error(
        runner.invoke(cli, ["keygen", str(tmp_path / "file"), "--algorithm", "RS256"]), "RS256"
    )
    (tmp_path / "file").write_text("")
    _one_line_error(runner.invoke(cli, ["keygen", str(tmp_path / "file" / "k.pem")]), "file")
    _one_line_error(
        runner.invoke(
            cli,
            [
                "principals",
                "add",
                "op",
                "--role",
                "operator",
                "--name",
                "n",
                "--public-key",
                str(tmp_path / "missing.pub"),
            ],
        ),
        "missing.pub",
    )
    monkeypatch.setenv("CREDGATE_DATABASE_URL", "nonsense://")
    get_settings.cache_clear()
    try:
        _one_line_error(runner.invoke(cli, ["migrate"]), "database")
    finally:
        get_settings.cache_clear()


def test_serve_refuses_an_uninitialised_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: served.append(a))
    monkeypatch.setenv("CREDGATE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CREDGATE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        _one_line_error(runner.invoke(cli, ["serve"]), "credgate init")
        (tmp_path / "var").mkdir()
        (tmp_path / "var" / "credgate.db").touch()
        _one_line_error(runner.invoke(cli, ["serve"]), "has no schema", "credgate init")
        assert not served
        _one_line_error(runner.invoke(cli, ["retention"]), "no such table", "credgate init")
        assert runner.invoke(cli, ["init"]).exit_code == 0
        result = runner.invoke(cli, ["serve"])
        assert result.exit_code == 0, result.output
        assert served
    finally:
        get_settings.cache_clear()


def test_demo_validates_its_options_before_wiping_anything(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    data_dir.mkdir()
    (data_dir / "keep.txt").write_text("mine")
    result = runner.invoke(
        cli, ["demo", "--no-serve", "--enterprises", "10", "--data-dir", str(data_dir)]
    )
    _usage_error(result, "--enterprises")
    assert (data_dir / "keep.txt").read_text() == "mine"
