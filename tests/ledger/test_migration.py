"""Migration 0002 creates exactly the ledger's tables, matching the models, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from gateway.db import make_engine
from gateway.migrate import upgrade
from ledger.sql_store import LEDGER_TABLES


def test_0002_creates_exactly_the_ledger_tables_as_modelled(database_url: str) -> None:
    upgrade(database_url, "0001_foundation")
    engine = make_engine(database_url)
    try:
        before = set(inspect(engine).get_table_names())
        upgrade(database_url, "0002_ledger")
        added = set(inspect(engine).get_table_names()) - before
        assert added == {table.name for table in LEDGER_TABLES}
        ours = MetaData()
        for table in LEDGER_TABLES:
            table.to_metadata(ours)
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), ours)
        ledger_differences = [
            d for d in differences if "ledger_" in repr(d) and d[0] != "remove_table"
        ]
        assert ledger_differences == []
    finally:
        engine.dispose()
