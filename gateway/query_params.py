"""Unknown query parameters are refused (422 naming them), on every route of the app.

A misspelt parameter (``?limt=10``, ``?befor=...``) would otherwise be silently ignored and the
caller would act on an answer to a question it did not ask. Installed as an app-wide
dependency, so it sees the matched route and compares the query with the parameters that
route (and its dependencies) declare; the declared names are worked out once per route.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from gateway.errors import InvalidInput

_DECLARED = "credgate_query_parameters"


def declared_query_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` accepts (its aliases, its dependencies' too)."""
    known: frozenset[str] | None = getattr(route, _DECLARED, None)
    if known is None:
        # kept on the route itself (routes are not hashable; an id could be reused)
        known = frozenset(_names(route.dependant))
        setattr(route, _DECLARED, known)
    return known


def _names(dependant: Dependant) -> set[str]:
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        for field in current.query_params:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                # a model of query parameters: its fields are the parameters
                names.update(f.alias or name for name, f in annotation.model_fields.items())
            else:
                names.add(field.alias)
        pending.extend(current.dependencies)
    return names


async def reject_unknown_query_parameters(request: Request) -> None:
    """App-wide dependency: ``InvalidInput`` (422) listing every unknown parameter."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params.keys()) - declared_query_parameters(route))
    if unknown:
        raise InvalidInput(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            detail=[
                {"field": f"query.{name}", "problem": "unknown query parameter"} for name in unknown
            ],
        )
