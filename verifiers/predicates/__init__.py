"""Every predicate, by topic. The registry (``verifiers.registry``) indexes them by name."""

from __future__ import annotations

from typing import Any

from verifiers.predicates import (
    administrative,
    assets,
    evaluation,
    finance,
    payroll,
    registration,
    science,
    supervision,
    tax,
)
from verifiers.spec import PredicateSpec

ALL: tuple[PredicateSpec[Any], ...] = (
    *registration.PREDICATES,
    *supervision.PREDICATES,
    *tax.PREDICATES,
    *payroll.PREDICATES,
    *assets.PREDICATES,
    *administrative.PREDICATES,
    *science.PREDICATES,
    *finance.PREDICATES,
    *evaluation.PREDICATES,
)
