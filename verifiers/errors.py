"""The verifiers' own exceptions. No HTTP in them: the gateway maps them to status codes."""

from __future__ import annotations


class VerifierError(Exception):
    """Base class of every error the verifiers raise on purpose."""


class UnknownPredicate(VerifierError):
    """No predicate of this name is registered."""

    def __init__(self, predicate: str) -> None:
        self.predicate = predicate
        super().__init__(f"unknown predicate {predicate!r}")


class InvalidArguments(VerifierError):
    """An argument of a predicate is missing, unknown or out of bounds.

    ``problem`` is a short English phrase that never repeats the value given, so it is safe to
    return to the caller and to log even when the argument is personal data.
    """

    def __init__(self, predicate: str, argument: str, problem: str) -> None:
        self.predicate = predicate
        self.argument = argument
        self.problem = problem
        super().__init__(f"{predicate}: argument {argument!r}: {problem}")
