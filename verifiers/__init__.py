"""Yes/no verification predicates (issue 5).

A bank asks "is VAT paid at least 1M CNY?" and learns yes, no or undecided, never the figure.
The gateway looks a predicate up in ``PREDICATES``, validates the caller's arguments with
``parse_args``, lets the policy decide on the predicate's ``reads``, fetches those datasets and
calls ``spec.evaluate(records, args, today)``. Nothing here knows HTTP, SQL or the policy engine.
"""

from verifiers.arguments import Arguments, NoArguments
from verifiers.errors import InvalidArguments, UnknownPredicate, VerifierError
from verifiers.registry import PREDICATES, describe, get_predicate, parse_args
from verifiers.spec import PredicateSpec
from verifiers.verdict import Verdict

__all__ = [
    "PREDICATES",
    "Arguments",
    "InvalidArguments",
    "NoArguments",
    "PredicateSpec",
    "UnknownPredicate",
    "Verdict",
    "VerifierError",
    "describe",
    "get_predicate",
    "parse_args",
]
