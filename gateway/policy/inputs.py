"""The policy input: built and normalised here, so the engines only ever see safe JSON.

regopy silently mis-decides on some inputs (see ``docs``/notes and ``policies/README.md``), so
the gateway side, not the policy, guarantees that:

- every identifier is printable ASCII without spaces (regopy compares strings in escaped form,
  so a non-ASCII id would never equal its counterpart): non-ASCII raises ``NonAsciiIdentifier``;
- every time is an integer of nanoseconds since the Unix epoch (``time.parse_rfc3339_ns`` is
  undefined on ``...Z`` in regopy): datetimes and ISO 8601 strings, ``Z`` included, are converted
  here, and the policy never parses a timestamp;
- collections are sorted and de-duplicated, so equal requests give byte-equal JSON (the decision
  cache's key) and no decision depends on iteration order;
- sizes are bounded, because regopy's latency grows faster than linearly with the input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from gateway.catalog.model import DisclosureClass
from gateway.policy.errors import NonAsciiIdentifier, PolicyInputError

MAX_RESOURCES = 256
MAX_PREDICATES = 64
MAX_READS = 16
MAX_AUTHORIZATIONS = 64
_NS_LIMIT = 2**63  # int64, what OPA and rego-cpp both hold exactly
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN = re.compile(r"[!-~]{1,128}")  # printable ASCII, no spaces


def _token(value: str) -> str:
    if not value.isascii():
        raise NonAsciiIdentifier(
            f"identifier {value!r} is not ASCII; the policy compares ASCII identifiers only",
            detail={"identifier": value.encode("unicode_escape").decode("ascii")},
        )
    if not _TOKEN.fullmatch(value):
        raise ValueError("must be 1-128 printable ASCII characters without spaces")
    return value


def to_ns(value: object) -> int:
    """Nanoseconds since the epoch from an int, an aware datetime, or an ISO 8601 string."""
    if isinstance(value, bool):
        raise ValueError("a time cannot be a boolean")
    if isinstance(value, int):
        ns = value
    elif isinstance(value, datetime):
        ns = _datetime_ns(value)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)  # accepts "Z" since Python 3.11
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 time: {value!r}") from exc
        ns = _datetime_ns(parsed)
    else:
        raise ValueError("a time must be integer nanoseconds, a datetime or an ISO 8601 string")
    if not 0 <= ns < _NS_LIMIT:
        raise ValueError("time out of range for int64 nanoseconds")
    return ns


def _datetime_ns(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a time needs a UTC offset; naive datetimes are ambiguous")
    # Integer arithmetic only: floats lose nanoseconds above 2**53.
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


Token = Annotated[str, AfterValidator(_token)]
Nanos = Annotated[int, BeforeValidator(to_ns)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def __init__(self, **data: Any) -> None:
        # pydantic runs a custom __init__ for nested models too, so a nested error surfaces
        # here first: its location is relative to this model, hence the model's name in it.
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _input_error(exc, type(self).__name__) from exc


class Caller(_Frozen):
    id: Token
    role: Token  # institution | enterprise | operator | source | assessor
    kind: Token  # bank, insurer, guarantor, credit_bureau... (the role again for non-institutions)
    status: Token  # active | suspended


class Resource(_Frozen):
    """One (dataset, disclosure class) group of the fields in play."""

    dataset: Token
    disclosure_class: DisclosureClass = Field(alias="class")

    @property
    def key(self) -> tuple[str, str]:
        return (self.dataset, self.disclosure_class.value)


class Predicate(_Frozen):
    name: Token
    reads: tuple[Resource, ...] = Field(min_length=1, max_length=MAX_READS)

    @field_validator("reads")
    @classmethod
    def _canonical_reads(cls, reads: tuple[Resource, ...]) -> tuple[Resource, ...]:
        return _sorted_unique(reads)


class AuthorizationGrant(_Frozen):
    """An authorization as the policy sees it: only what the decision needs."""

    id: Token
    institution: Token
    enterprise: Token
    purpose: Token
    datasets: tuple[Token, ...] = ()
    classes: tuple[DisclosureClass, ...] = ()
    modes: tuple[Token, ...] = Field(min_length=1)
    not_before_ns: Nanos
    expires_at_ns: Nanos
    state: Token
    uses_left: int | None = Field(default=None, ge=0, lt=_NS_LIMIT, strict=True)

    @field_validator("datasets", "modes")
    @classmethod
    def _canonical_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(names)))

    @field_validator("classes")
    @classmethod
    def _canonical_classes(
        cls, classes: tuple[DisclosureClass, ...]
    ) -> tuple[DisclosureClass, ...]:
        return tuple(sorted(set(classes)))


class PolicyInput(_Frozen):
    """The normalised input of one decision. Build with ``build_policy_input`` or ``parse``.

    Every model here raises ``PolicyInputError`` (never pydantic's ``ValidationError``) when
    given bad values, and ``NonAsciiIdentifier`` for non-ASCII identifiers.
    """

    now_ns: Nanos
    caller: Caller
    action: Token  # report | verify | self_view
    purpose: Token
    subject: Token  # the enterprise's USCC
    resources: tuple[Resource, ...] = Field(default=(), max_length=MAX_RESOURCES)
    predicates: tuple[Predicate, ...] = Field(default=(), max_length=MAX_PREDICATES)
    authorizations: tuple[AuthorizationGrant, ...] = Field(
        default=(), max_length=MAX_AUTHORIZATIONS
    )

    @field_validator("resources")
    @classmethod
    def _canonical_resources(cls, resources: tuple[Resource, ...]) -> tuple[Resource, ...]:
        return _sorted_unique(resources)

    @field_validator("predicates")
    @classmethod
    def _unique_predicates(cls, predicates: tuple[Predicate, ...]) -> tuple[Predicate, ...]:
        names = [p.name for p in predicates]
        if len(names) != len(set(names)):
            raise ValueError("predicate names must be unique")
        return tuple(sorted(predicates, key=lambda p: p.name))

    @field_validator("authorizations")
    @classmethod
    def _unique_authorizations(
        cls, grants: tuple[AuthorizationGrant, ...]
    ) -> tuple[AuthorizationGrant, ...]:
        ids = [g.id for g in grants]
        if len(ids) != len(set(ids)):
            raise ValueError("authorization ids must be unique")
        return tuple(sorted(grants, key=lambda g: g.id))

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> PolicyInput:
        """Validate and normalise a raw input document; raise ``PolicyInputError`` if bad."""
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise _input_error(exc, cls.__name__) from exc

    def to_dict(self) -> dict[str, Any]:
        """The JSON document the engines receive (the schema in ``policies/README.md``)."""
        return self.model_dump(mode="json", by_alias=True)

    def canonical_json(self, *, include_now: bool = True) -> str:
        """Compact, key-sorted, ASCII JSON; byte-equal for equal inputs."""
        document = self.to_dict()
        if not include_now:
            del document["now_ns"]
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    @property
    def authorization_ids(self) -> frozenset[str]:
        return frozenset(g.id for g in self.authorizations)


def build_policy_input(
    *,
    now: datetime | int | str,
    caller: Caller,
    action: str,
    purpose: str,
    subject: str,
    resources: Iterable[Resource | tuple[str, str | DisclosureClass]] = (),
    predicates: Iterable[Predicate] = (),
    authorizations: Iterable[AuthorizationGrant] = (),
) -> PolicyInput:
    """The policy input for one request; raises ``PolicyInputError`` if anything is unsafe.

    ``resources`` may be given as ``(dataset, class)`` pairs. Pass only the authorizations that
    can apply (granted by ``subject`` to ``caller``): the policy checks them all, but every extra
    one costs regopy time.
    """
    groups = tuple(
        r if isinstance(r, Resource) else Resource(dataset=r[0], disclosure_class=r[1])
        for r in resources
    )
    return PolicyInput(
        now_ns=now,
        caller=caller,
        action=action,
        purpose=purpose,
        subject=subject,
        resources=groups,
        predicates=tuple(predicates),
        authorizations=tuple(authorizations),
    )


def coerce_input(policy_input: PolicyInput | Mapping[str, Any]) -> PolicyInput:
    """Engines accept either a built ``PolicyInput`` or a raw document, which is validated."""
    if isinstance(policy_input, PolicyInput):
        return policy_input
    if isinstance(policy_input, Mapping):
        return PolicyInput.parse(policy_input)
    raise PolicyInputError("policy input must be a PolicyInput or a mapping")


def _sorted_unique(resources: tuple[Resource, ...]) -> tuple[Resource, ...]:
    unique = {r.key: r for r in resources}
    return tuple(unique[key] for key in sorted(unique))


def _input_error(exc: ValidationError, model: str) -> PolicyInputError:
    problems = [
        {"location": ".".join([model, *(str(p) for p in err["loc"])]), "problem": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]
    return PolicyInputError("invalid policy input", detail=problems)
