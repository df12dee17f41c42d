"""The sharing-list catalog: every dataset and field the platform knows, as data."""

from gateway.catalog.loader import load_catalog
from gateway.catalog.model import (
    Catalog,
    DatasetSpec,
    DisclosureClass,
    FieldSpec,
    FieldType,
    SharingMethod,
    UpdateFrequency,
)

__all__ = [
    "Catalog",
    "DatasetSpec",
    "DisclosureClass",
    "FieldSpec",
    "FieldType",
    "SharingMethod",
    "UpdateFrequency",
    "load_catalog",
]
