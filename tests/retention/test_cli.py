"""``credgate retention`` against a live database and ledger (the wall clock decides)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app as cli
from gateway.clock import SettableClock
from gateway.settings import Settings, get_settings
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.support.world import ENTERPRISE, World

runner = CliRunner()


@pytest.fixture
def cli_settings(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("CREDGATE_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("CREDGATE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_retention_command_dry_run_then_for_real(
    world: World, clock: SettableClock, cli_settings: None
) -> None:
    clock.set(datetime.now(UTC) - timedelta(days=6 * 366))
    old = [world.report().json()["ledger_index"] for _ in range(2)]
    clock.set(datetime.now(UTC))
    recent = world.report().json()["ledger_index"]

    dry = runner.invoke(cli, ["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "would delete 2" in dry.output

    real = runner.invoke(cli, ["retention"])
    assert real.exit_code == 0, real.output
    assert "deleted 2" in real.output and "redacted the content of 2 entries" in real.output

    page = world.enterprise.get("/v1/me/access-log").json()
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    report = verify_subject_page(page, parse_verifier_keys([key]), subject=ENTERPRISE)
    assert [(e.index, e.entry is None) for e in report.entries] == [
        (old[0], True), (old[1], True), (recent, False),
    ]  # fmt: skip
    again = runner.invoke(cli, ["retention"])
    assert again.exit_code == 0 and "deleted 0" in again.output
