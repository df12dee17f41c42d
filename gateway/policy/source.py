"""The policy as files on disk: the ``.rego`` modules and ``data.json`` both engines serve.

Read once, checked, and fingerprinted: ``revision`` is a SHA-256 over every module and the data,
so a decision (and a cache entry) names exactly the policy that produced it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from gateway.policy.errors import PolicyLoadError
from gateway.settings import get_settings

DECISION_PACKAGE = "credgate.access"
DECISION_RULE = "decision"
DECISION_ENTRYPOINT = "credgate/access/decision"
DATA_FILE = "data.json"


POLICY_PACKAGE = "credgate_policies"


def packaged_policy_dir() -> Path:
    """The policy shipped with credgate: the package ``credgate_policies``.

    ``pyproject.toml`` installs the repository's ``policies/`` directory under that name, so it
    is found the same way in a checkout (editable install) and from a wheel.
    """
    try:
        location = resources.files(POLICY_PACKAGE)
    except ModuleNotFoundError as exc:
        raise PolicyLoadError(
            f"the packaged policy ({POLICY_PACKAGE}) is not installed; reinstall credgate "
            "or set CREDGATE_POLICY_DIR"
        ) from exc
    if not isinstance(location, Path):
        # Only a zipped install would give something else; the policy is read as files.
        raise PolicyLoadError(f"{POLICY_PACKAGE} is not a directory on disk: {location}")
    return location


def default_policy_dir() -> Path:
    """``CREDGATE_POLICY_DIR`` when set, else the packaged policy."""
    return get_settings().policy_dir or packaged_policy_dir()


@dataclass(frozen=True)
class PolicyFiles:
    """The Rego modules (``*_test.rego`` excluded) and the data document of one policy."""

    directory: Path
    modules: tuple[tuple[str, str], ...]  # (path relative to directory, source)
    data_json: str
    revision: str

    @classmethod
    def load(cls, directory: Path | None = None) -> PolicyFiles:
        directory = directory or default_policy_dir()
        if not directory.is_dir():
            raise PolicyLoadError(f"policy directory {directory} does not exist")
        modules = tuple(
            (path.relative_to(directory).as_posix(), _read_ascii(path))
            for path in sorted(directory.rglob("*.rego"))
            if not path.name.endswith("_test.rego")
        )
        if not modules:
            raise PolicyLoadError(f"no .rego modules in {directory}")
        nested = [p for p in directory.rglob(DATA_FILE) if p.parent != directory]
        if nested:
            # OPA would mount these under their directory's path; regopy would not. Refuse the
            # difference rather than let the two engines see different data.
            raise PolicyLoadError(f"nested {DATA_FILE} files are not supported: {nested}")
        data_path = directory / DATA_FILE
        if not data_path.is_file():
            raise PolicyLoadError(f"{data_path} is missing")
        data_json = _read_ascii(data_path)
        try:
            document = json.loads(data_json)
        except ValueError as exc:
            raise PolicyLoadError(f"{data_path} is not JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise PolicyLoadError(f"{data_path} must hold a JSON object")
        return cls(directory, modules, data_json, _revision(modules, data_json))


def _read_ascii(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyLoadError(f"cannot read {path}: {exc}") from exc
    if not text.isascii():
        # regopy compares strings in escaped form, so non-ASCII literals or data never match.
        raise PolicyLoadError(f"{path} contains non-ASCII text")
    return text


def _revision(modules: tuple[tuple[str, str], ...], data_json: str) -> str:
    digest = hashlib.sha256()
    for name, source in modules:
        for part in (name, source):
            digest.update(part.encode())
            digest.update(b"\0")
    digest.update(DATA_FILE.encode() + b"\0" + data_json.encode())
    return digest.hexdigest()
