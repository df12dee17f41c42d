"""``GET /v1/catalog``: the sharing-list catalog, public."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway.deps import CatalogDep

router = APIRouter(tags=["catalog"])


@router.get("/v1/catalog")
def get_catalog(catalog: CatalogDep) -> dict[str, Any]:
    return catalog.model_dump(mode="json")
