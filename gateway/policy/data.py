"""Policy data (``policies/data.json``, ``data.credgate.params`` in Rego) for Python callers.

The numbers the policy decides with are the numbers the gateway enforces elsewhere (authorization
lifetime, bisection budget, objection and publication deadlines): one file, two readers.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gateway.policy.errors import PolicyLoadError
from gateway.policy.source import DATA_FILE, default_policy_dir

DATA_PATH = ("credgate", "params")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class PurposeSpec(_Frozen):
    financing: bool
    description: str = ""


class AuthorizationParams(_Frozen):
    max_lifetime_days: int = Field(gt=0)


class VerificationParams(_Frozen):
    # Distinct thresholds per (institution, predicate, enterprise, day).
    bisection_budget_per_day: int = Field(gt=0)


class ObjectionParams(_Frozen):
    reply_deadline_days: int = Field(gt=0)


class PenaltyPublicationParams(_Frozen):
    min_months: int = Field(gt=0)
    max_years: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> PenaltyPublicationParams:
        if self.min_months > self.max_years * 12:
            raise ValueError("penalty publication: min_months exceeds max_years")
        return self


class PolicyData(_Frozen):
    purposes: dict[str, PurposeSpec] = Field(min_length=1)
    query_roles: tuple[str, ...] = Field(min_length=1)
    authorization: AuthorizationParams
    verification: VerificationParams
    objection: ObjectionParams
    penalty_publication: PenaltyPublicationParams

    @property
    def financing_purposes(self) -> frozenset[str]:
        return frozenset(name for name, spec in self.purposes.items() if spec.financing)

    @property
    def max_authorization_lifetime(self) -> timedelta:
        return timedelta(days=self.authorization.max_lifetime_days)

    @property
    def objection_reply_deadline(self) -> timedelta:
        return timedelta(days=self.objection.reply_deadline_days)

    def is_purpose(self, name: str) -> bool:
        return name in self.purposes


def parse_policy_data(document: object) -> PolicyData:
    """The ``credgate.params`` part of a parsed ``data.json`` document, validated."""
    node = document
    for key in DATA_PATH:
        if not isinstance(node, dict) or key not in node:
            raise PolicyLoadError(f"{DATA_FILE} has no {'.'.join(DATA_PATH)}")
        node = node[key]
    try:
        # JSON mode: strict about types, yet arrays become the model's tuples.
        return PolicyData.model_validate_json(json.dumps(node))
    except ValidationError as exc:
        raise PolicyLoadError(f"{DATA_FILE} is invalid: {exc}") from exc


@lru_cache(maxsize=4)
def load_policy_data(policy_dir: Path | None = None) -> PolicyData:
    """Read and validate ``data.json`` from ``policy_dir`` (default: the repository's policies)."""
    path = (policy_dir or default_policy_dir()) / DATA_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicyLoadError(f"cannot read {path}: {exc}") from exc
    return parse_policy_data(document)
