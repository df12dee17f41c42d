from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from gateway.db import make_engine
from ledger import Ledger
from ledger.note import NoteSigner, NoteVerifier
from ledger.sql_store import SqlStore, create_tables

ORIGIN = "test.credgate.local/ledger"


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner(ORIGIN, Ed25519PrivateKey.generate())


@pytest.fixture
def verifiers(signer: NoteSigner) -> list[NoteVerifier]:
    return [signer.verifier]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def make_ledger(engine: Engine, signer: NoteSigner) -> Iterator[Callable[..., Ledger]]:
    opened: list[Ledger] = []

    def factory(**options: Any) -> Ledger:
        options.setdefault("checkpoint_interval", 0.05)
        ledger = Ledger(SqlStore(engine), options.pop("signers", [signer]), **options)
        opened.append(ledger)
        return ledger

    yield factory
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(make_ledger: Callable[..., Ledger]) -> Ledger:
    return make_ledger()
