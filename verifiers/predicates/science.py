"""Predicates on science and technology data."""

from __future__ import annotations

from verifiers.arguments import NoArguments
from verifiers.predicates.common import single_flag
from verifiers.spec import PredicateSpec
from verifiers.verdict import NO_DATA, NOT_HIGH_TECH

RESEARCH = "research_development"

NATIONAL_HIGH_TECH_ENTERPRISE = PredicateSpec(
    name="national_high_tech_enterprise",
    description="The enterprise holds a current national high-tech enterprise certificate.",
    description_zh="企业属于国家级高新技术企业。",
    args_model=NoArguments,
    reads=((RESEARCH, "is_high_tech"),),
    rule=single_flag(RESEARCH, "is_high_tech", wanted=True, failing=NOT_HIGH_TECH),
    reasons=frozenset({NOT_HIGH_TECH, NO_DATA}),
)

PREDICATES = (NATIONAL_HIGH_TECH_ENTERPRISE,)
