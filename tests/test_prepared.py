"""gateway.prepared: statements run on the driver's cursor give what SQLAlchemy gives."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from gateway.db import UtcDateTime, make_engine, string_enum
from gateway.prepared import Prepared


class Colour(StrEnum):
    red = "red"
    green = "green"
    blue = "blue"


metadata = MetaData()
things = Table(
    "prepared_thing",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(32), nullable=False),
    Column("colour", string_enum(Colour, length=8), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("day", Date, nullable=True),
    Column("payload", JSON, nullable=False),
    UniqueConstraint("name"),
)
with_default = Table(
    "prepared_defaulted",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stamp", String(8), default=lambda: "computed"),
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ROWS = [
    {
        "id": i,
        "name": f"thing-{i}",
        "colour": list(Colour)[i % 3],
        "at": T0 + timedelta(minutes=i),
        "day": None if i % 4 == 0 else date(2026, 1, 1) + timedelta(days=i),
        "payload": {"n": i, "名称": "企业", "list": [i, None]},
    }
    for i in range(1, 13)
]

BY_COLOURS = select(things).where(things.c.colour.in_(bindparam("colours", expanding=True)))
SINCE = select(things.c.name, things.c.at, things.c.payload).where(
    things.c.at >= bindparam("since"), things.c.colour == Colour.green
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    metadata.create_all(engine)
    with Session(engine) as session:
        session.connection().execute(insert(things), ROWS)
        session.commit()
    yield engine
    engine.dispose()


def _sqlalchemy_rows(session: Session, statement: object, params: dict[str, object]) -> list:
    return [tuple(r) for r in session.connection().execute(statement, params)]  # type: ignore[call-overload]


@pytest.mark.parametrize("colours", [[Colour.red], [Colour.red, Colour.blue], list(Colour)])
def test_rows_equal_sqlalchemys_for_every_in_list_length(
    engine: Engine, colours: list[Colour]
) -> None:
    prepared = Prepared(BY_COLOURS)
    with Session(engine) as session:
        got = prepared.rows(session, {"colours": colours})
        assert [tuple(r) for r in got] == _sqlalchemy_rows(
            session, BY_COLOURS, {"colours": colours}
        )
    assert {r.colour for r in got} == set(colours)
    assert all(isinstance(r.colour, Colour) for r in got)
    assert all(r.at.tzinfo is not None for r in got)
    assert got[0].payload["名称"] == "企业"


def test_bound_values_go_through_their_types_and_constants_are_kept(engine: Engine) -> None:
    prepared = Prepared(SINCE)
    since = (T0 + timedelta(minutes=5)).astimezone(timezone_plus_8())
    with Session(engine) as session:
        got = prepared.rows(session, {"since": since})
        assert [tuple(r) for r in got] == _sqlalchemy_rows(session, SINCE, {"since": since})
    assert [r.name for r in got] == ["thing-7", "thing-10"]  # green: id % 3 == 1
    assert got[0].at == T0 + timedelta(minutes=7)


def timezone_plus_8():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_first_is_none_when_nothing_matches(engine: Engine) -> None:
    with Session(engine) as session:
        assert Prepared(BY_COLOURS).first(session, {"colours": ["purple"]}) is None


def test_writes_belong_to_the_sessions_transaction(engine: Engine) -> None:
    renamed = Prepared(
        update(things).where(things.c.id == bindparam("ident")).values(name=bindparam("new"))
    )
    with Session(engine) as session:
        assert renamed.run(session, {"ident": 3, "new": "renamed"}) == 1
        session.rollback()
    with Session(engine) as session:
        assert renamed.run(session, {"ident": 4, "new": "kept"}) == 1
        session.commit()
    with Session(engine) as session:
        names = dict(session.connection().execute(select(things.c.id, things.c.name)).all())
    assert names[3] == "thing-3"
    assert names[4] == "kept"


def test_run_many_inserts_each_row_and_a_delete_takes_them_back(engine: Engine) -> None:
    add = Prepared(insert(things))
    remove = Prepared(delete(things).where(things.c.name == bindparam("gone")))
    new = [{**ROWS[0], "id": 100 + i, "name": f"new-{i}"} for i in range(3)]
    with Session(engine) as session:
        add.run_many(session, new)
        add.run_many(session, [])
        session.commit()
        count = len(session.connection().execute(select(things.c.id)).all())
        assert count == len(ROWS) + 3
        remove.run_many(session, [{"gone": "new-0"}, {"gone": "new-2"}])
        session.commit()
        left = {r.name for r in session.connection().execute(select(things.c.name))}
    assert "new-1" in left
    assert "new-0" not in left
    assert "new-2" not in left


def test_driver_errors_are_sqlalchemys(engine: Engine) -> None:
    add = Prepared(insert(things))
    with Session(engine) as session, pytest.raises(IntegrityError):
        add.run(session, {**ROWS[0], "id": 200})  # the same name again


def test_statements_sqlalchemy_would_complete_in_python_are_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(TypeError, match="not preparable"):
        Prepared(insert(with_default)).run(session, {"id": 1})


def test_each_engine_gets_its_own_compiled_text(engine: Engine, tmp_path: Path) -> None:
    """Shapes are kept per dialect object: another engine (here SQLite beside the fixture's
    backend) never runs text compiled for the first, whatever its paramstyle."""
    prepared = Prepared(BY_COLOURS)
    with Session(engine) as session:
        assert len(prepared.rows(session, {"colours": [Colour.red]})) == 4
    other = make_engine(f"sqlite:///{(tmp_path / 'other.db').as_posix()}")
    metadata.create_all(other)
    with Session(other) as session:
        assert prepared.rows(session, {"colours": [Colour.red]}) == []
    other.dispose()


def test_a_disposed_engines_dialect_is_not_kept_alive(tmp_path: Path) -> None:
    """Compiled text is held per dialect weakly: once an engine is gone, nothing of it stays
    (with ids as keys a later engine could have found a dead one's text)."""
    prepared = Prepared(BY_COLOURS)
    engine = make_engine(f"sqlite:///{(tmp_path / 'gone.db').as_posix()}")
    metadata.create_all(engine)
    with Session(engine) as session:
        prepared.rows(session, {"colours": [Colour.red]})
    dialect = weakref.ref(engine.dialect)
    engine.dispose()
    del engine, session
    gc.collect()
    assert dialect() is None
