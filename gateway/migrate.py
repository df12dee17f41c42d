"""Run the Alembic migrations programmatically (``credgate migrate``, app start, tests)."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config

MODEL_MODULES = (
    "gateway.principals.models",
    "gateway.records.models",
)
OPTIONAL_MODEL_MODULES = (
    "ledger.sql_store",
    "gateway.authorizations.models",
    "gateway.access_index",
    "gateway.verification.models",
    "gateway.subject_rights.models",
    "gateway.oversight.models",
    "gateway.notifications.models",
    "gateway.financing.models",
    "gateway.credit_reports.models",
    "gateway.exchange.models",
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    for name in OPTIONAL_MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def schema_problem(database_url: str) -> str | None:
    """Why the database cannot be served as it is (no schema, an older or unknown revision),
    or None when it is at the migrations' head. Creates nothing: an SQLite file that does not
    exist is reported, not made."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).exists():
        return f"no database at {file}"
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    if not current:
        return f"the database {url.render_as_string(hide_password=True)} has no schema"
    if current != heads:
        return (
            f"the database schema is at revision {', '.join(sorted(current))}, "
            f"this credgate expects {', '.join(sorted(heads))}"
        )
    return None
