"""The decision as a value, parsed strictly from whatever an engine returned.

Anything that is not exactly a decision *for this input* is malformed and becomes a denial:
unknown keys, wrong types, a resource or predicate missing, duplicated or invented, an
authorization id the input did not carry, or anything disclosed under ``allow: false``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.catalog.model import DisclosureClass
from gateway.policy.errors import ENGINE_FAILURE_REASONS, PolicyResultMalformed
from gateway.policy.inputs import PolicyInput

OK = "ok"
_REASON = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DECISION_KEYS = frozenset({"allow", "reason", "disclose", "withhold", "evaluate", "refuse"})


@dataclass(frozen=True, slots=True)
class Disclosure:
    dataset: str
    disclosure_class: DisclosureClass
    authorization: str | None  # the authorization relied on; None if none was needed


@dataclass(frozen=True, slots=True)
class Withholding:
    dataset: str
    disclosure_class: DisclosureClass
    reason: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    predicate: str
    authorizations: tuple[str, ...]  # sorted; empty if no authorization was needed


@dataclass(frozen=True, slots=True)
class Refusal:
    predicate: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """One policy decision. Collections are sorted, so equal decisions compare equal."""

    allow: bool
    reason: str
    disclose: tuple[Disclosure, ...]
    withhold: tuple[Withholding, ...]
    evaluate: tuple[Evaluation, ...]
    refuse: tuple[Refusal, ...]
    revision: str  # the policy revision that decided (see ``PolicyFiles.revision``)

    @property
    def failed_closed(self) -> bool:
        """True when this denial stands in for an engine that failed (not a policy verdict)."""
        return self.reason in ENGINE_FAILURE_REASONS

    @property
    def authorizations_used(self) -> frozenset[str]:
        """Ids of the authorizations this decision relies on (to record and to count uses)."""
        used = {d.authorization for d in self.disclose if d.authorization is not None}
        for evaluation in self.evaluate:
            used.update(evaluation.authorizations)
        return frozenset(used)

    def discloses(self, dataset: str, disclosure_class: DisclosureClass | str) -> bool:
        return any(
            d.dataset == dataset and d.disclosure_class == disclosure_class for d in self.disclose
        )

    def evaluates(self, predicate: str) -> bool:
        return any(e.predicate == predicate for e in self.evaluate)

    def to_dict(self) -> dict[str, Any]:
        """The wire form of ``policies/README.md`` (sorted), e.g. for the ledger or the corpus."""
        return {
            "allow": self.allow,
            "reason": self.reason,
            "disclose": [
                {
                    "dataset": d.dataset,
                    "class": d.disclosure_class.value,
                    "authorization": d.authorization,
                }
                for d in self.disclose
            ],
            "withhold": [
                {"dataset": w.dataset, "class": w.disclosure_class.value, "reason": w.reason}
                for w in self.withhold
            ],
            "evaluate": [
                {"predicate": e.predicate, "authorizations": list(e.authorizations)}
                for e in self.evaluate
            ],
            "refuse": [{"predicate": r.predicate, "reason": r.reason} for r in self.refuse],
        }

    @classmethod
    def deny(cls, policy_input: PolicyInput, reason: str, *, revision: str) -> Decision:
        """Withhold every resource and refuse every predicate, all for ``reason``."""
        return cls(
            allow=False,
            reason=reason,
            disclose=(),
            withhold=tuple(
                Withholding(r.dataset, r.disclosure_class, reason) for r in policy_input.resources
            ),
            evaluate=(),
            refuse=tuple(Refusal(p.name, reason) for p in policy_input.predicates),
            revision=revision,
        )

    @classmethod
    def parse(cls, result: object, policy_input: PolicyInput, *, revision: str) -> Decision:
        """The decision an engine returned; ``PolicyResultMalformed`` unless it fits the input."""
        document = _mapping(result, _DECISION_KEYS, "decision")
        allow = document["allow"]
        if not isinstance(allow, bool):
            raise PolicyResultMalformed("decision.allow is not a boolean")
        reason = _reason(document["reason"], "decision.reason")
        known_ids = policy_input.authorization_ids

        disclose = tuple(
            sorted(
                (_disclosure(item, known_ids) for item in _list(document["disclose"], "disclose")),
                key=lambda d: (d.dataset, d.disclosure_class.value),
            )
        )
        withhold = tuple(
            sorted(
                (_withholding(item) for item in _list(document["withhold"], "withhold")),
                key=lambda w: (w.dataset, w.disclosure_class.value),
            )
        )
        evaluate = tuple(
            sorted(
                (_evaluation(item, known_ids) for item in _list(document["evaluate"], "evaluate")),
                key=lambda e: e.predicate,
            )
        )
        refuse = tuple(
            sorted(
                (_refusal(item) for item in _list(document["refuse"], "refuse")),
                key=lambda r: r.predicate,
            )
        )
        if not allow and (disclose or evaluate):
            raise PolicyResultMalformed("a denied request discloses or evaluates something")

        wanted = [r.key for r in policy_input.resources]
        answered = [(d.dataset, d.disclosure_class.value) for d in disclose]
        answered += [(w.dataset, w.disclosure_class.value) for w in withhold]
        _exactly_once(answered, wanted, "resource")
        _exactly_once(
            [e.predicate for e in evaluate] + [r.predicate for r in refuse],
            [p.name for p in policy_input.predicates],
            "predicate",
        )
        return cls(allow, reason, disclose, withhold, evaluate, refuse, revision)


def _mapping(value: object, keys: frozenset[str], what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyResultMalformed(f"{what} is not an object")
    if set(value) != keys:
        raise PolicyResultMalformed(f"{what} has keys {sorted(value)}, expected {sorted(keys)}")
    return value


def _list(value: object, what: str) -> Sequence[Any]:
    # OPA and regopy both serialise Rego sets as JSON arrays.
    if not isinstance(value, list):
        raise PolicyResultMalformed(f"decision.{what} is not an array")
    return value


def _string(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise PolicyResultMalformed(f"{what} is not a non-empty string")
    return value


def _reason(value: object, what: str) -> str:
    if not isinstance(value, str) or not _REASON.fullmatch(value):
        raise PolicyResultMalformed(f"{what} is not a reason code")
    return value


def _class(value: object) -> DisclosureClass:
    try:
        return DisclosureClass(_string(value, "class"))
    except ValueError as exc:
        raise PolicyResultMalformed(f"unknown disclosure class {value!r}") from exc


def _authorization_id(value: object, known_ids: frozenset[str]) -> str:
    if not isinstance(value, str) or value not in known_ids:
        raise PolicyResultMalformed(f"authorization {value!r} is not in the input")
    return value


def _disclosure(item: object, known_ids: frozenset[str]) -> Disclosure:
    fields = _mapping(item, frozenset({"dataset", "class", "authorization"}), "disclose[]")
    authorization = fields["authorization"]
    return Disclosure(
        _string(fields["dataset"], "disclose[].dataset"),
        _class(fields["class"]),
        None if authorization is None else _authorization_id(authorization, known_ids),
    )


def _withholding(item: object) -> Withholding:
    fields = _mapping(item, frozenset({"dataset", "class", "reason"}), "withhold[]")
    return Withholding(
        _string(fields["dataset"], "withhold[].dataset"),
        _class(fields["class"]),
        _reason(fields["reason"], "withhold[].reason"),
    )


def _evaluation(item: object, known_ids: frozenset[str]) -> Evaluation:
    fields = _mapping(item, frozenset({"predicate", "authorizations"}), "evaluate[]")
    ids = [_authorization_id(i, known_ids) for i in _list(fields["authorizations"], "evaluate[]")]
    if len(ids) != len(set(ids)):
        raise PolicyResultMalformed("evaluate[].authorizations has duplicates")
    return Evaluation(_string(fields["predicate"], "evaluate[].predicate"), tuple(sorted(ids)))


def _refusal(item: object) -> Refusal:
    fields = _mapping(item, frozenset({"predicate", "reason"}), "refuse[]")
    return Refusal(
        _string(fields["predicate"], "refuse[].predicate"),
        _reason(fields["reason"], "refuse[].reason"),
    )


def _exactly_once(answered: list[Any], wanted: list[Any], what: str) -> None:
    if len(answered) != len(set(answered)):
        raise PolicyResultMalformed(f"a {what} is answered more than once")
    if set(answered) != set(wanted):
        missing = sorted(set(wanted) - set(answered))
        invented = sorted(set(answered) - set(wanted))
        raise PolicyResultMalformed(f"{what}s missing {missing}, not asked for {invented}")
