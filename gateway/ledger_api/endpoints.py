"""Public, unauthenticated ledger endpoints: checkpoints, verifier keys, proofs.

Thin: every rule lives in ``ledger``. Entry contents are not served here (they are not
public). Handlers are sync so the blocking ledger runs in the threadpool.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from gateway.http.params import BoundedInt
from gateway.ledger_api.schemas import (
    CheckpointOut,
    CheckpointsOut,
    ConsistencyProofOut,
    InclusionProofOut,
)
from ledger import Ledger, LedgerUnavailable

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])

NOTE_MEDIA_TYPE = "text/plain; charset=utf-8"


async def get_ledger(request: Request) -> Ledger:
    """The process's ledger (``services.ledger``); unavailable means fail closed."""
    services = getattr(request.app.state, "services", None)
    ledger = getattr(services, "ledger", None)
    if ledger is None:
        raise LedgerUnavailable("the ledger is not available")
    return ledger  # type: ignore[no-any-return]


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in hashes]


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(
    ledger: LedgerDep,
    size: Annotated[
        BoundedInt | None, Query(ge=0, description="an earlier checkpoint's tree size")
    ] = None,
) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note), or the one kept for ``size``.

    Old checkpoints are thinned out (``ledger.thinning``): for a size the tree has but no kept
    checkpoint does, 404 ``checkpoint_not_kept`` names the nearest kept sizes.
    """
    if size is None:
        note = ledger.latest_checkpoint().note_text
        cache = "no-cache"
    else:
        note = ledger.checkpoint_for_size(size).note_text
        cache = "public, max-age=31536000, immutable"
    return PlainTextResponse(note, media_type=NOTE_MEDIA_TYPE, headers={"Cache-Control": cache})


@router.get("/checkpoints", response_model=CheckpointsOut)
def checkpoints(
    ledger: LedgerDep,
    after: Annotated[BoundedInt, Query(ge=-1, description="list sizes above this")] = -1,
    limit: Annotated[BoundedInt, Query(ge=1, le=1000)] = 100,
) -> CheckpointsOut:
    """The checkpoints kept (all recent ones, older ones thinned), oldest first."""
    return CheckpointsOut(
        checkpoints=[
            CheckpointOut(size=c.size, note=c.note_text) for c in ledger.checkpoints(after, limit)
        ]
    )


@router.get("/key", response_class=PlainTextResponse)
def key(ledger: LedgerDep) -> PlainTextResponse:
    """The current checkpoint verifier key, ``name+hash+base64key``."""
    return PlainTextResponse(ledger.verifier_key() + "\n", media_type=NOTE_MEDIA_TYPE)


@router.get("/keys", response_class=PlainTextResponse)
def keys(ledger: LedgerDep) -> PlainTextResponse:
    """Every verifier key that ever signed a checkpoint of this log, oldest first."""
    body = "".join(k + "\n" for k in ledger.verifier_keys())
    return PlainTextResponse(body, media_type=NOTE_MEDIA_TYPE)


@router.get("/proof/inclusion", response_model=InclusionProofOut)
def inclusion_proof(
    ledger: LedgerDep,
    index: Annotated[BoundedInt, Query(ge=0, description="the entry's index")],
    size: Annotated[
        BoundedInt | None, Query(ge=1, description="tree size; default: the latest checkpoint's")
    ] = None,
) -> InclusionProofOut:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
    if size is None:
        size = ledger.latest_checkpoint().size
    return InclusionProofOut(
        index=index, size=size, hashes=_b64(ledger.inclusion_proof(index, size))
    )


@router.get("/proof/consistency", response_model=ConsistencyProofOut)
def consistency_proof(
    ledger: LedgerDep,
    first: Annotated[BoundedInt, Query(ge=1, description="the older tree size")],
    second: Annotated[
        BoundedInt | None,
        Query(ge=1, description="the newer size; default: the latest checkpoint's"),
    ] = None,
) -> ConsistencyProofOut:
    """RFC 9162 consistency proof between tree sizes ``first`` <= ``second``."""
    if second is None:
        second = ledger.latest_checkpoint().size
    return ConsistencyProofOut(
        first=first, second=second, hashes=_b64(ledger.consistency_proof(first, second))
    )
