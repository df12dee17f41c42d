"""Migrations create, from empty, exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from gateway.db import make_engine
from gateway.migrate import import_all_models, upgrade


def test_upgrade_from_empty_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    import_all_models()
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert {
        "principal",
        "principal_key",
        "seen_token",
        "enterprise",
        "dataset_record",
        "ingest_batch",
    } <= tables


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
