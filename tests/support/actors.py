"""Principals for tests: registered straight in the database, calling through the app."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from gateway import uscc
from gateway.bootstrap import Services
from gateway.client import sign_token
from gateway.clock import SettableClock
from gateway.db import unit_of_work
from gateway.principals import service
from gateway.principals.keys import PrivateKey, generate_private_key, public_pem
from gateway.principals.models import InstitutionKind, KeyAlgorithm, Role

_counter = itertools.count(1)


@dataclass
class Actor:
    id: str
    role: Role
    key: PrivateKey
    algorithm: KeyAlgorithm
    http: TestClient
    clock: SettableClock
    audience: str = "credgate"

    def token(self, **overrides: Any) -> str:
        return sign_token(
            self.id,
            self.key,
            self.algorithm,
            self.audience,
            now=self.clock.now().timestamp(),
            **overrides,
        )

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}", **(extra or {})}

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.http.get(url, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.http.post(url, headers=self.headers(kwargs.pop("headers", None)), **kwargs)


def register_actor(
    services: Services,
    http: TestClient,
    clock: SettableClock,
    role: Role,
    principal_id: str | None = None,
    kind: InstitutionKind | None = None,
    algorithm: KeyAlgorithm = KeyAlgorithm.EdDSA,
) -> Actor:
    if principal_id is None:
        if role is Role.enterprise:
            principal_id = uscc.generate(random.Random(next(_counter)))
        else:
            principal_id = f"{role.value}-{next(_counter):03d}"
    if role is Role.institution and kind is None:
        kind = InstitutionKind.bank
    key = generate_private_key(algorithm)
    # the write lock first, as the gateway's own writes take it: a read transaction upgraded to
    # a write is refused at once (no busy wait) when a background worker wrote meanwhile
    with unit_of_work(services.engine, write=True) as session:
        service.register(session, principal_id, role, f"test {principal_id}", clock.now(), kind)
        service.add_key(session, principal_id, public_pem(key.public_key()), clock.now())
    return Actor(principal_id, role, key, algorithm, http, clock, services.settings.audience)
