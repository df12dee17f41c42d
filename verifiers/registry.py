"""The registry of predicates: look-up by name, argument parsing, and the public description."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from verifiers.arguments import Arguments
from verifiers.errors import InvalidArguments, UnknownPredicate
from verifiers.predicates import ALL
from verifiers.spec import PredicateSpec


def _index(specs: tuple[PredicateSpec[Any], ...]) -> Mapping[str, PredicateSpec[Any]]:
    index: dict[str, PredicateSpec[Any]] = {}
    for spec in specs:
        if spec.name in index:
            raise ValueError(f"two predicates named {spec.name!r}")
        index[spec.name] = spec
    return MappingProxyType(dict(sorted(index.items())))


PREDICATES: Mapping[str, PredicateSpec[Any]] = _index(ALL)
"""Every predicate by name, in name order; read-only."""


def get_predicate(name: str) -> PredicateSpec[Any]:
    """The predicate called ``name``; ``UnknownPredicate`` if there is none."""
    spec = PREDICATES.get(name) if isinstance(name, str) else None
    if spec is None:
        raise UnknownPredicate(str(name))
    return spec


def parse_args(name: str, raw: Mapping[str, Any]) -> Arguments:
    """Validate ``raw`` as the arguments of predicate ``name``.

    Raises ``UnknownPredicate``, or ``InvalidArguments`` naming the first bad argument (a
    missing, unknown, mistyped or out-of-bounds one). The problem never quotes the value.
    """
    spec = get_predicate(name)
    if not isinstance(raw, Mapping):
        raise InvalidArguments(name, "", "arguments must be an object")
    for key in raw:
        if not isinstance(key, str):
            raise InvalidArguments(name, "", "argument names must be strings")
    try:
        args: Arguments = spec.args_model.model_validate(dict(raw))
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        location = error["loc"]
        argument = str(location[0]) if location else ""
        problem = "unknown argument" if error["type"] == "extra_forbidden" else error["msg"]
        raise InvalidArguments(name, argument, problem) from None
    return args


def _arguments(spec: PredicateSpec[Any]) -> list[dict[str, Any]]:
    schema = spec.args_model.model_json_schema()
    required = set(schema.get("required", ()))
    described = []
    for argument, prop in schema.get("properties", {}).items():
        constraints = {k: v for k, v in prop.items() if k not in ("title", "description")}
        described.append(
            {
                "name": argument,
                "description": prop.get("description", ""),
                "required": argument in required,
                "personal": argument in spec.personal_args,
                "schema": constraints,
            }
        )
    return described


def describe() -> list[dict[str, Any]]:
    """Every predicate as JSON-ready data for ``GET /v1/verifiers``, in name order.

    Each entry: ``name``, ``description``, ``description_zh`` (or None), ``arguments`` (name,
    description, required, personal, and the JSON schema of its type and bounds), ``reads``
    (dataset and field pairs), ``threshold_arg`` and ``reasons`` (every code a verdict may carry).
    """
    return [
        {
            "name": spec.name,
            "description": spec.description,
            "description_zh": spec.description_zh,
            "arguments": _arguments(spec),
            "reads": [{"dataset": dataset, "field": field} for dataset, field in spec.reads],
            "threshold_arg": spec.threshold_arg,
            "reasons": sorted(spec.possible_reasons),
        }
        for spec in PREDICATES.values()
    ]
