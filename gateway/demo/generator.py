"""Synthetic, internally consistent records for a few hundred Benxi enterprises."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from gateway.catalog import Catalog, load_catalog
from gateway.demo import (
    administrative,
    finance,
    lists,
    property,
    registration,
    science,
    supervision,
    utilities,
)
from gateway.demo.context import Builder, Context, Record
from gateway.demo.profiles import assign_traits, settle, skeleton
from gateway.demo.values import without_none

MIN_ENTERPRISES = 20  # below this the quotas of adverse records cannot all be met
_BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("registration", registration.build),
    ("supervision", supervision.build),
    ("finance", finance.build),
    ("property", property.build),
    ("administrative", administrative.build),
    ("science", science.build),
    ("utilities", utilities.build),
    ("lists", lists.build),
)


@dataclass(frozen=True)
class DemoData:
    """Records per catalog dataset, keyed by the catalog's field ids, JSON-friendly values."""

    seed: int
    today: date
    enterprises: list[str]  # USCCs, in generation order
    profiles: dict[str, dict[str, Any]]  # USCC -> size, industry, traits... (the ground truth)
    records: dict[str, list[Record]]  # every catalog dataset, possibly empty
    live_datasets: frozenset[str]  # served by their source at request time, never stored

    def stored_records(self) -> dict[str, list[Record]]:
        """What the platform ingests: every dataset that is not live."""
        return {k: v for k, v in self.records.items() if k not in self.live_datasets}

    def live_records(self) -> dict[str, list[Record]]:
        """What the source simulator serves."""
        return {k: v for k, v in self.records.items() if k in self.live_datasets}

    def records_of(self, uscc: str) -> dict[str, list[Record]]:
        return {k: [r for r in v if r["uscc"] == uscc] for k, v in self.records.items()}

    def with_trait(self, trait: str) -> list[str]:
        return [u for u in self.enterprises if trait in self.profiles[u]["traits"]]


def generate_demo(
    seed: int, enterprises: int = 300, *, today: date, catalog: Catalog | None = None
) -> DemoData:
    """The same seed, count and day always give the same data."""
    if enterprises < MIN_ENTERPRISES:
        raise ValueError(f"generate at least {MIN_ENTERPRISES} enterprises, not {enterprises}")
    catalog = catalog or load_catalog()
    rng = random.Random(seed)
    used_codes: set[str] = set()
    used_names: set[str] = set()
    profiles = [skeleton(rng, index, used_codes) for index in range(enterprises)]
    assign_traits(rng, profiles)
    for p in profiles:
        settle(random.Random(f"{seed}/{p.index}/profile"), p, today, used_names)

    ctx = Context(today)
    records: dict[str, list[Record]] = {d.id: [] for d in catalog.datasets}
    for p in profiles:
        for topic, build in _BUILDERS:
            for dataset_id, rows in build(
                p, random.Random(f"{seed}/{p.index}/{topic}"), ctx
            ).items():
                if dataset_id not in records:
                    raise KeyError(f"demo builder {topic} made records for unknown {dataset_id}")
                records[dataset_id].extend(without_none(row) for row in rows)
    return DemoData(
        seed=seed,
        today=today,
        enterprises=[p.uscc for p in profiles],
        profiles={p.uscc: p.summary() for p in profiles},
        records=records,
        live_datasets=frozenset(d.id for d in catalog.datasets if d.sharing_method.is_live),
    )
