"""OPA's own Go engine, in-process, as the reference the policy is checked against.

``opa-golib-python-bindings`` wraps a c-shared build of OPA's ``v1/rego`` package (the
evaluator the OPA server runs) with ctypes. It declares Python >= 3.14 but works on 3.11, so
``make install`` installs it with ``pip install --ignore-requires-python``; pip cannot express that
in ``pyproject.toml``. These are tests of the *policy* under OPA's evaluator. The gateway's OPA
*server* path (HTTP, the Data API, failures) is tested separately against the regopy-backed
stand-in in ``opa_standin.py``: no OPA server binary can be installed here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gateway.policy.source import DECISION_PACKAGE, DECISION_RULE, PolicyFiles

INSTALL_HINT = (
    "OPA's engine is missing: pip install --ignore-requires-python "
    "opa-golib-python-bindings (make install does)"
)
DECISION_DOCUMENT = f"{DECISION_PACKAGE}.{DECISION_RULE}"


@dataclass(frozen=True)
class RegoTest:
    """One ``test_`` rule of a ``*_test.rego`` file, as ``opa test`` would run it."""

    file: str
    package: str
    rule: str

    @property
    def document(self) -> str:
        return f"{self.package}.{self.rule}"

    @property
    def id(self) -> str:
        return f"{self.file}::{self.rule}"


def rego_tests(directory: Path) -> list[RegoTest]:
    """Every ``test_`` rule in the ``*_test.rego`` files under ``directory``."""
    found = []
    for path in sorted(directory.rglob("*_test.rego")):
        source = path.read_text(encoding="utf-8")
        package = re.search(r"^package\s+([\w.]+)", source, re.MULTILINE)
        assert package, f"{path} has no package line"
        found += [
            RegoTest(path.relative_to(directory).as_posix(), package.group(1), rule)
            for rule in sorted(set(re.findall(r"^(test_\w+)\b", source, re.MULTILINE)))
        ]
    return found


class OpaReference:
    """The policy loaded into OPA's Go engine, with its ``*_test.rego`` modules."""

    def __init__(self, files: PolicyFiles) -> None:
        try:
            from opa_bindings import OpaEngine
        except ImportError:  # pragma: no cover - a broken install, not a test outcome
            pytest.fail(INSTALL_HINT)
        self._engine = OpaEngine()
        for name, source in files.modules:
            self._engine.add_policy(name, source)
        for path in sorted(files.directory.rglob("*_test.rego")):
            relative = path.relative_to(files.directory).as_posix()
            self._engine.add_policy(relative, path.read_text(encoding="utf-8"))
        self._engine.add_data(json.loads(files.data_json))

    def decide(self, raw_input: dict[str, Any]) -> Any:
        """The decision document for ``raw_input`` exactly as OPA evaluates it (not normalised)."""
        return self._engine.eval_document(DECISION_DOCUMENT, raw_input)

    def passes(self, test: RegoTest) -> bool:
        """Whether a test rule is defined and true, which is what ``opa test`` calls passing."""
        from opa_bindings import OpaUndefinedError

        try:
            return self._engine.eval_document(test.document) is True
        except OpaUndefinedError:
            return False

    def close(self) -> None:
        self._engine.close()
