"""`credgate demo` seeds a fresh embedded gateway that answers like the README says."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gateway.bootstrap import build_services
from gateway.cli import app as cli
from gateway.client import sign_token
from gateway.principals.keys import load_private_key
from gateway.settings import Settings


def test_demo_seeds_principals_data_and_a_grant(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    result = CliRunner().invoke(
        cli, ["demo", "--no-serve", "--enterprises", "20", "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "seeded 20 enterprises" in result.output
    keys = sorted(p.name for p in (data_dir / "keys").glob("*.pem"))
    assert "bank-icbc-benxi.pem" in keys and "operator-benxi.pem" in keys

    # serve what was seeded and ask as the README suggests
    from gateway.app import create_app

    services = build_services(Settings(data_dir=data_dir))
    with TestClient(create_app(services)) as http:
        bank_key, algorithm = load_private_key(data_dir / "keys" / "bank-icbc-benxi.pem")
        grants = [line for line in result.output.splitlines() if "/report?purpose=" in line]
        granted_path = grants[0].split('"')[1]
        token = sign_token("bank-icbc-benxi", bank_key, algorithm)
        response = http.get(granted_path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["authorizations_used"]
        tax = next(d for d in report["datasets"] if d["dataset"] == "tax_payments")
        assert tax["live"] is True
        catalog = http.get("/v1/catalog").json()
        assert len(catalog["datasets"]) == 29
    services.engine.dispose()


def test_demo_starts_fresh_each_time(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    data_dir.mkdir()
    (data_dir / "stale.txt").write_text("old")
    args = ["demo", "--no-serve", "--enterprises", "20", "--data-dir", str(data_dir)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert not (data_dir / "stale.txt").exists()
