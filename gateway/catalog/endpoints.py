"""``GET /v1/catalog``: the sharing-list catalog, public."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gateway.deps import CatalogDep

router = APIRouter(tags=["catalog"])


@router.get("/v1/catalog")
def get_catalog(
    catalog: CatalogDep,
    label: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Only the fields labelled exactly so, by the catalog or by the "
            "sharing list (list_label_zh, for items the catalog splits into several fields)",
        ),
    ] = None,
) -> dict[str, Any]:
    if label is not None:
        catalog = catalog.labelled(label)
    return catalog.model_dump(mode="json")
