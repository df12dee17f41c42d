"""The embedded (SQLite) database is served by one process at a time."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.bootstrap import Services


def test_one_process_may_serve_it_with_several_apps(services: Services) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL is served by as many processes as wanted")
    with TestClient(create_app(services)) as first, TestClient(create_app(services)) as second:
        assert first.get("/healthz").status_code == second.get("/healthz").status_code == 200


def test_another_process_cannot_serve_it_either(services: Services) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL is served by as many processes as wanted")
    database = services.engine.url.database
    probe = (
        "import sqlalchemy, sys\n"
        "from gateway.db import AlreadyServed, sole_server\n"
        f"engine = sqlalchemy.create_engine('sqlite:///{database}')\n"
        "try:\n"
        "    with sole_server(engine): print('served')\n"
        "except AlreadyServed: print('refused')\n"
    )
    with TestClient(create_app(services)):
        held = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    freed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert (held.stdout.strip(), freed.stdout.strip()) == ("refused", "served")


def test_serve_refuses_several_workers_on_the_embedded_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from gateway.cli import app as cli
    from gateway.settings import get_settings

    monkeypatch.setenv("CREDGATE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CREDGATE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--workers", "2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    message = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())  # unwrap the box
    assert "served by one process" in message and "PostgreSQL" in message
