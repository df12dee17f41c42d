"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL schema.

PostgreSQL tests run when ``CREDGATE_TEST_POSTGRES_URL`` is set (CI sets it, and there a
connection failure is a test failure, never a skip).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_ENV = "CREDGATE_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _libpq_dsn(sqlalchemy_url: str) -> str:
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@contextmanager
def postgres_schema_url(base_url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = _libpq_dsn(base_url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base_url else "?"
    options = quote(f"-csearch_path={schema}")
    try:
        yield f"{base_url}{separator}options={options}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def database_url_for(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{(tmp_path / 'credgate.db').as_posix()}"
        return
    base = postgres_base_url()
    if base is None:
        import pytest

        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL suite: set {POSTGRES_ENV}")
        pytest.skip(f"PostgreSQL suite disabled: set {POSTGRES_ENV}")
    with postgres_schema_url(base) as url:
        yield url
