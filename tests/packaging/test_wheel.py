"""A wheel built with ``pip wheel .`` installs into a fresh venv and the gateway starts from it.

The venv is fresh but borrows the dependencies of the running environment (a ``.pth`` line naming
its site-packages, which does not activate that environment's editable install of credgate),
so only credgate itself comes from the wheel. Everything runs from a directory outside the
repository, so nothing can be found through the checkout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(bin directory of a fresh venv holding the credgate wheel, environment to run it in)."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGATE_")}
    env.pop("PYTHONPATH", None)
    _run(sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "-w", root / "dist",
         cwd=root, env=env)  # fmt: skip
    wheel = next((root / "dist").glob("credgate-*.whl"))
    venv.create(root / "venv", with_pip=False)
    bin_dir = root / "venv" / "bin"
    python = bin_dir / "python"
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                cwd=root, env=env).strip()  # fmt: skip
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", wheel,
         cwd=root, env=env)  # fmt: skip
    return bin_dir, env


def test_the_wheel_carries_the_policy_catalog_and_migrations(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    probe = (
        "import gateway, gateway.migrate as m, pathlib\n"
        "from gateway.policy.source import PolicyFiles, packaged_policy_dir\n"
        "from gateway.catalog.loader import load_catalog\n"
        "print(gateway.__file__)\n"
        "print(packaged_policy_dir())\n"
        "print(len(PolicyFiles.load().modules), len(load_catalog().datasets))\n"
        "cfg = m.alembic_config('sqlite://')\n"
        "print(len(list(pathlib.Path(cfg.get_main_option('script_location'), 'versions')"
        ".glob('0*.py'))))\n"
    )
    lines = _run(bin_dir / "python", "-c", probe, cwd=tmp_path, env=env).splitlines()

    venv_dir = str(bin_dir.parent)
    assert lines[0].startswith(venv_dir), "gateway imported from outside the wheel's venv"
    assert lines[1].startswith(venv_dir) and lines[1].endswith("credgate_policies")
    modules, datasets = map(int, lines[2].split())
    assert modules >= 1 and datasets > 0
    assert int(lines[3]) >= 7


def test_the_gateway_from_the_wheel_seeds_the_demo_and_serves_healthz(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    data_dir = tmp_path / "data"
    _run(bin_dir / "credgate", "demo", "--enterprises", "20", "--no-serve", "--data-dir", data_dir,
         cwd=tmp_path, env=env)  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [bin_dir / "credgate", "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**env, "CREDGATE_DATA_DIR": str(data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "the gateway did not start in 30 s"
                time.sleep(0.1)
        assert answer.status_code == 200, answer.text
    finally:
        server.terminate()
        server.wait(timeout=10)
