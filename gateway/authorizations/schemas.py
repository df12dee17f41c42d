from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gateway.authorizations.models import Authorization, AuthorizationState


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=16, max_length=16_384, description="compact JWS signed by the enterprise"
    )


class AuthorizationOut(BaseModel):
    id: str
    enterprise: str
    institution: str
    purpose: str
    datasets: list[str]
    classes: list[str]
    modes: list[str]
    not_before: datetime
    expires_at: datetime
    use_limit: int | None
    uses: int
    state: AuthorizationState
    created_at: datetime
    revoked_at: datetime | None
    grant_ledger_index: int | None
    revoke_ledger_index: int | None
    token: str

    @classmethod
    def of(cls, authorization: Authorization, now: datetime) -> AuthorizationOut:
        data = authorization.model_dump()
        return cls(**data, state=authorization.state(now))
