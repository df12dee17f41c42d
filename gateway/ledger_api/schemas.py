"""Wire formats of the ledger's public endpoints (hashes are standard base64)."""

from __future__ import annotations

from pydantic import BaseModel


class InclusionProofOut(BaseModel):
    index: int
    size: int
    hashes: list[str]


class ConsistencyProofOut(BaseModel):
    first: int
    second: int
    hashes: list[str]


class CheckpointOut(BaseModel):
    size: int
    note: str


class CheckpointsOut(BaseModel):
    checkpoints: list[CheckpointOut]
