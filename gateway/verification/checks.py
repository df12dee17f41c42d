"""Predicate checks as callers write them (``{predicate, args}``), parsed with the verifiers
registry. Verifications and financing products' eligibility criteria share this, so both refuse
the same input the same way: ``InvalidInput`` naming ``<field>[i].predicate`` or
``<field>[i].args.<argument>``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import rfc8785

from gateway.errors import InvalidInput
from gateway.verification.hashing import keyed_hash
from verifiers import InvalidArguments, PredicateSpec, UnknownPredicate, get_predicate, parse_args
from verifiers.arguments import Arguments


class CheckLike(Protocol):
    @property
    def predicate(self) -> str: ...

    @property
    def args(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class ParsedCheck:
    spec: PredicateSpec[Any]
    args: Arguments

    @property
    def threshold(self) -> str | None:
        name = self.spec.threshold_arg
        return None if name is None else str(getattr(self.args, name))

    def probe(self, hash_key: bytes) -> str | None:
        """What the bisection budget counts: the threshold, or for a predicate whose arguments
        can be probed otherwise (a grade set, an ID number) a digest of the arguments."""
        if self.threshold is not None:
            return self.threshold
        if not self.args.model_fields_set and not type(self.args).model_fields:
            return None
        canonical = rfc8785.dumps(self.logged_args(hash_key))
        return "args:" + hashlib.sha256(canonical).hexdigest()[:32]

    def logged_args(self, hash_key: bytes) -> dict[str, Any]:
        logged: dict[str, Any] = self.args.model_dump(mode="json")
        for name in self.spec.personal_args:
            if logged.get(name) is not None:
                logged[name] = {"hmac_sha256": keyed_hash(hash_key, str(logged[name]))}
        return logged


def parse_checks(checks: Sequence[CheckLike], field: str = "checks") -> list[ParsedCheck]:
    """Each check's predicate and arguments validated; the first bad one is refused."""
    parsed = []
    for i, check in enumerate(checks):
        try:
            spec = get_predicate(check.predicate)
            args = parse_args(check.predicate, check.args)
        except UnknownPredicate:
            where = f"{field}[{i}].predicate"
            raise InvalidInput(
                f"{where}: no predicate {check.predicate!r}; see GET /v1/verifiers",
                detail=[{"field": where, "problem": "unknown predicate"}],
            ) from None
        except InvalidArguments as exc:
            where = f"{field}[{i}].args.{exc.argument}" if exc.argument else f"{field}[{i}].args"
            raise InvalidInput(
                f"{where}: {exc.problem}", detail=[{"field": where, "problem": exc.problem}]
            ) from None
        parsed.append(ParsedCheck(spec, args))
    return parsed
