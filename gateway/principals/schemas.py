from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gateway.principals.models import InstitutionKind, KeyAlgorithm, PrincipalStatus, Role

PRINCIPAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"


class PrincipalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=PRINCIPAL_ID_PATTERN)
    role: Role
    name: str = Field(min_length=1, max_length=200)
    kind: InstitutionKind | None = None
    public_key_pem: str | None = None


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_key_pem: str


class KeyOut(BaseModel):
    kid: str
    algorithm: KeyAlgorithm
    created_at: datetime
    revoked_at: datetime | None


class PrincipalOut(BaseModel):
    id: str
    role: Role
    kind: InstitutionKind | None
    name: str
    status: PrincipalStatus
    created_at: datetime
