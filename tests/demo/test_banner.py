"""The commands the demo banner prints work as printed (no venv active)."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from typer.testing import CliRunner

from gateway.bootstrap import build_services
from gateway.cli import app as cli
from gateway.settings import Settings
from gateway.sources.simulator import run_simulator_in_thread

PRINTED_BASE = "http://127.0.0.1:8000"
SUBCOMMANDS = ("grant", "report", "verify", "authorizations", "revoke", "call")


def _commands(banner: str) -> list[list[str]]:
    joined = banner.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        words = shlex.split(line.strip()) if line.startswith("  ") else []
        if len(words) > 1 and words[1] in SUBCOMMANDS and ">" not in line:
            commands.append(words)
    return commands


def test_the_printed_commands_run_as_printed(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    runner = CliRunner()
    seeded = runner.invoke(
        cli, ["demo", "--no-serve", "--enterprises", "20", "--data-dir", str(data_dir)]
    )
    assert seeded.exit_code == 0, seeded.output
    commands = _commands(seeded.output)
    assert {words[1] for words in commands} == set(SUBCOMMANDS)
    executable = commands[0][0]
    # the portal's sign-in lines name a principal and a key file that exists
    portal = seeded.output.split("the portal: ", 1)[1].split("(WebCrypto", 1)[0]
    assert portal.startswith(f"{PRINTED_BASE}/portal")
    sign_ins = [line.split() for line in portal.splitlines() if line.strip().endswith(".pem")]
    assert [words[0] for words in sign_ins] == ["enterprise", "bank", "assessor", "operator"]
    assert all(
        Path(words[2]).is_file() and words[2].endswith(f"{words[1]}.pem") for words in sign_ins
    )
    assert Path(executable).is_absolute() and os.access(executable, os.X_OK)

    from gateway.app import create_app

    services = build_services(Settings(data_dir=data_dir))
    base, stop = run_simulator_in_thread(create_app(services))
    try:
        for words in commands:
            assert words[0] == executable
            args = [base if word == PRINTED_BASE else word for word in words[1:]]
            result = runner.invoke(cli, args)
            assert result.exit_code == 0, f"{shlex.join(words)}\n{result.output}"
    finally:
        stop()
        services.engine.dispose()
