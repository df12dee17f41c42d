"""Policy data (``policies/data.json``, ``data.credgate.params`` in Rego) for Python callers.

The numbers the policy decides with are the numbers the gateway enforces elsewhere (authorization
lifetime, bisection budget, objection and publication deadlines): one file, two readers.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gateway.policy.errors import PolicyLoadError
from gateway.policy.source import DATA_FILE, default_policy_dir

DATA_PATH = ("credgate", "params")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class PurposeSpec(_Frozen):
    financing: bool
    description: str = ""
    # Roles that may ask for this purpose (default: institutions only).
    roles: tuple[str, ...] = ("institution",)
    # A purpose served by law rather than by a financing relationship (government use, the
    # provincial platform): `institution` data is disclosed as for a financing purpose.
    statutory: bool = False
    # When set, only these datasets are disclosed for the purpose ("not_for_purpose" otherwise).
    datasets: tuple[str, ...] | None = None


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


class OddHoursParams(_Frozen):
    # Local hours [from_hour, to_hour), wrapping past midnight when from_hour > to_hour.
    from_hour: int = Field(ge=0, le=23)
    to_hour: int = Field(ge=0, le=23)
    # Odd-hour accesses in one local day before the day is flagged.
    min_events: int = Field(gt=0)


class BurstParams(_Frozen):
    window_minutes: int = Field(gt=0, le=1440)
    # The institution's own average per window over this many days before it.
    baseline_days: int = Field(gt=0)
    multiplier: float = Field(gt=1)
    min_events: int = Field(gt=0)


class BreadthParams(_Frozen):
    # Distinct enterprises accessed with no authorization in one local day.
    max_enterprises_per_day: int = Field(gt=0)


class ProbingParams(_Frozen):
    # Denied requests plus refused checks in one local day.
    min_refusals_per_day: int = Field(gt=0)


class BisectionParams(_Frozen):
    # Distinct thresholds for one (enterprise, predicate) within the audited period.
    min_distinct_thresholds: int = Field(gt=1)
    # Refusals for the bisection budget on one (enterprise, predicate) within the period.
    min_budget_hits: int = Field(gt=0)


class OversightParams(_Frozen):
    """Thresholds of the assessors' anomaly detectors."""

    timezone: str
    odd_hours: OddHoursParams
    burst: BurstParams
    unauthorized_breadth: BreadthParams
    probing: ProbingParams
    bisection: BisectionParams

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class AssessmentParams(_Frozen):
    # An institution never assessed is due this many days after it was registered.
    first_due_days: int = Field(gt=0)
    # The next-due date an assessment may set, at most this many days ahead.
    max_interval_days: int = Field(gt=0)
    # Days after the due date before an overdue institution is suspended.
    grace_days: int = Field(ge=0)


class RetentionParams(_Frozen):
    """How long records are kept, in calendar years from when they ended."""

    # Access events, their ledger entries' content and the bisection probes, from the access.
    access_records_years: int = Field(gt=0)
    # Authorizations (and their grant/revoke entries' content), from revocation or expiry.
    ended_authorizations_years: int = Field(gt=0)
    # Record versions replaced or retracted by their source, from when they ceased to hold.
    superseded_records_years: int = Field(gt=0)


class FinancingParams(_Frozen):
    # Working days (Monday to Friday, platform time) an institution has to pick up a demand.
    pickup_deadline_working_days: int = Field(gt=0)


class PolicyData(_Frozen):
    purposes: dict[str, PurposeSpec] = Field(min_length=1)
    query_roles: tuple[str, ...] = Field(min_length=1)
    authorization: AuthorizationParams
    verification: VerificationParams
    objection: ObjectionParams
    penalty_publication: PenaltyPublicationParams
    oversight: OversightParams
    assessment: AssessmentParams
    retention: RetentionParams
    financing: FinancingParams = FinancingParams(pickup_deadline_working_days=3)

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
