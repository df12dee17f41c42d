"""The example inputs and expected decisions in ``policies/testdata/``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.policy.source import default_policy_dir

CORPUS_DIR = default_policy_dir() / "testdata"


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    input: dict[str, Any]
    expected: dict[str, Any]


def load_corpus(directory: Path = CORPUS_DIR) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        assert set(body) == {"description", "input", "expected"}, path
        cases.append(Case(path.stem, body["description"], body["input"], body["expected"]))
    return cases


CASES = load_corpus()
