"""WalSync's optional flush callback (the gateway's metrics hang on it)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gateway.db import make_engine, observe_wal_flushes


def test_each_group_flush_is_reported_with_its_duration(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}", group_sync=True)
    flushes: list[float] = []
    assert observe_wal_flushes(engine, flushes.append)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    for n in range(3):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
    engine.dispose()
    assert len(flushes) >= 3
    assert all(seconds >= 0 for seconds in flushes)


def test_engines_without_group_sync_have_nothing_to_observe(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert not observe_wal_flushes(engine, lambda seconds: None)
    engine.dispose()
