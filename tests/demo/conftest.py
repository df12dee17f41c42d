from __future__ import annotations

from datetime import date

import pytest

from gateway.catalog import Catalog, load_catalog
from gateway.demo import DemoData, generate_demo

TODAY = date(2026, 11, 27)
SEED = 20221
# Dates that may lie ahead: expiries, terms and publication deadlines.
FUTURE_DATES = {"operating_term_to", "valid_until", "use_term_end", "publication_deadline"}


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def demo() -> DemoData:
    return generate_demo(SEED, 300, today=TODAY)
