"""The image installs a built wheel, not the source tree, and runs as a non-root user.

Static checks of the Dockerfile (no image is built in the test suite)."""

from __future__ import annotations

import re
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


def _stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE.read_text(), flags=re.MULTILINE)[1:]


def test_the_wheel_is_built_in_one_stage_and_installed_in_another() -> None:
    build, runtime = _stages()

    assert "pip wheel" in build
    assert "COPY --from=build" in runtime and ".whl" in runtime
    assert "pip install --no-cache-dir /tmp/*.whl" in runtime
    assert "-e ." not in DOCKERFILE.read_text()
    assert not re.search(r"^COPY (gateway|policies)", runtime, re.MULTILINE)


def test_the_gateway_runs_as_a_non_root_user() -> None:
    runtime = _stages()[-1]
    users = re.findall(r"^USER (\S+)", runtime, re.MULTILINE)

    assert users and users[-1] not in {"root", "0"}
    assert runtime.index("USER") < runtime.index("CMD")
