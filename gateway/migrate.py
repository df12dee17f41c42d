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
    "gateway.access.events",
    "gateway.verification.models",
    "gateway.subject_rights.models",
    "gateway.oversight.models",
    "gateway.notifications.models",
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
