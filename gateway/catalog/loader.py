"""Reads and validates the catalog shipped with the package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from gateway.catalog.model import Catalog


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    text = resources.files("gateway.catalog").joinpath("catalog.yaml").read_text(encoding="utf-8")
    return Catalog.model_validate(yaml.safe_load(text))
