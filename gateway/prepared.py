"""Hot-path statements: a Core statement compiled once per dialect, run on the driver's cursor.

Every verification and report runs about a dozen small statements. Through SQLAlchemy's
execution pipeline (execution context, events, result wrapping) each costs about 50 µs on the
development machine, against about 4 µs for the driver itself; on a request that is a fifth of
its CPU. :class:`Prepared` keeps SQLAlchemy for everything it does once — compiling, expanding
``IN`` lists, each type's bind and result processors — and does per call only what is left:
order the parameters, apply the processors, call the driver. It runs inside the session's
transaction, on the connection SQLAlchemy holds, and turns driver errors into SQLAlchemy's
(``IntegrityError`` and the rest), so callers catch what they always caught.

Statements whose execution SQLAlchemy would complete in Python (column defaults computed at
insert time, ``RETURNING`` handling) are refused when first compiled: run those the usual way.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Shape:
    """One compiled form: for a dialect, the given parameter names and ``IN`` list lengths."""

    sql: str
    order: tuple[str, ...] | None  # positional paramstyles; None: named (pyformat)
    constants: Mapping[str, Any]  # values the statement carries itself
    expansion: Mapping[str, Sequence[str]]  # an IN list's name -> its expanded names
    binds: Mapping[str, Processor]
    results: tuple[Processor | None, ...] | None  # per column; None: no column is converted
    row: type[tuple[Any, ...]] | None


class Prepared:
    """A statement run on the driver's cursor in ``session``'s transaction (see module doc).

    Parameters are passed as a mapping of bind names (and, for ``insert``/``update`` without
    explicit values, column keys) to values; an expanding ``bindparam`` takes a sequence.
    Rows come back as named tuples whose fields are the selected columns' keys.
    """

    def __init__(self, statement: ClauseElement) -> None:
        if isinstance(statement, Insert):
            statement = statement.inline()  # no implicit RETURNING of the new key
        self._statement = statement
        compiled = statement.compile()  # the default dialect: the names are the same
        assert isinstance(compiled, SQLCompiler)
        self._expanding = tuple(
            sorted(name for bind, name in compiled.bind_names.items() if bind.expanding)
        )

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        """Every row the statement selects."""
        shape, cursor = self._execute(session, params)
        rows = cursor.fetchall()
        results = shape.results
        if results is not None:
            rows = [
                tuple(v if p is None else p(v) for p, v in zip(results, r, strict=True))
                for r in rows
            ]
        if shape.row is None:
            return list(rows)
        make = shape.row._make  # type: ignore[attr-defined]
        return [make(r) for r in rows]

    def first(self, session: Session, params: Mapping[str, Any]) -> Any | None:
        """The first row selected, or None."""
        found = self.rows(session, params)
        return found[0] if found else None

    def run(self, session: Session, params: Mapping[str, Any]) -> int:
        """Execute a statement that returns no rows; the number of rows it changed."""
        _, cursor = self._execute(session, params)
        return int(cursor.rowcount)

    def run_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per parameter set in ``rows`` (which share their keys)."""
        if not rows:
            return
        dialect, driver, shape = self._on_driver(session, rows[0])
        arguments = [self._arguments(shape, r) for r in rows]
        cursor = driver.cursor()
        try:
            cursor.executemany(shape.sql, arguments)
        except dialect.loaded_dbapi.Error as exc:
            raise _translated(shape, arguments, exc, dialect) from exc
        finally:
            cursor.close()

    def _execute(self, session: Session, params: Mapping[str, Any]) -> tuple[_Shape, Any]:
        dialect, driver, shape = self._on_driver(session, params)
        arguments = self._arguments(shape, params)
        try:
            return shape, driver.execute(shape.sql, arguments)
        except dialect.loaded_dbapi.Error as exc:
            raise _translated(shape, arguments, exc, dialect) from exc

    def _on_driver(
        self, session: Session, params: Mapping[str, Any]
    ) -> tuple[Dialect, Any, _Shape]:
        """The dialect and driver connection of ``session``'s transaction, and the compiled
        form for ``params``."""
        connection = session.connection()
        driver = connection.connection.driver_connection
        assert driver is not None
        return connection.dialect, driver, self._shape(connection.dialect, params)

    @staticmethod
    def _arguments(shape: _Shape, params: Mapping[str, Any]) -> Any:
        values = {**shape.constants, **params}
        for name, expanded in shape.expansion.items():
            items = values.pop(name)
            values.update(zip(expanded, items, strict=True))
        for name, process in shape.binds.items():
            values[name] = process(values[name])
        if shape.order is None:
            return values
        return tuple(values[name] for name in shape.order)

    def _shape(self, dialect: Dialect, params: Mapping[str, Any]) -> _Shape:
        key = (self, frozenset(params), *(len(params[n]) for n in self._expanding))
        shapes = _shapes_of(dialect)
        shape = shapes.get(key)
        if shape is None:
            shape = shapes[key] = self._compile(dialect, params)
        return shape

    def _compile(self, dialect: Dialect, params: Mapping[str, Any]) -> _Shape:
        compiled = self._statement.compile(dialect=dialect, column_keys=list(params))
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch or compiled.effective_returning:
            raise TypeError(f"not preparable (Python-side defaults or RETURNING): {compiled}")
        state = compiled.construct_expanded_state(dict(params))
        given = set(params) | {
            expanded for n in self._expanding for expanded in state.parameter_expansion[n]
        }
        constants = {k: v for k, v in state.parameters.items() if k not in given}
        expansion = {n: tuple(state.parameter_expansion[n]) for n in self._expanding}
        columns = list(getattr(self._statement, "selected_columns", ()))
        results = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )
        converted = any(p is not None for p in results)
        row = namedtuple("Row", [c.key for c in columns], rename=True) if columns else None
        return _Shape(
            sql=state.statement,
            order=tuple(state.positiontup) if state.positiontup is not None else None,
            constants=constants,
            expansion=expansion,
            binds=_bind_processors(compiled, dialect, state.processors),
            results=results if converted else None,
            row=row,
        )


_SHAPES = "credgate_prepared_shapes"


def _shapes_of(dialect: Dialect) -> dict[tuple[Any, ...], _Shape]:
    """The compiled forms kept on ``dialect`` itself (an engine's), as SQLAlchemy keeps its
    type memos there: they live and die with the engine, and a new engine never finds another
    one's text (keys by ``id`` could be reused once an engine is gone)."""
    shapes: dict[tuple[Any, ...], _Shape] | None = dialect.__dict__.get(_SHAPES)
    if shapes is None:
        shapes = dialect.__dict__.setdefault(_SHAPES, {})
    return shapes


def _bind_processors(
    compiled: SQLCompiler, dialect: Dialect, expanded: Mapping[str, Processor | None]
) -> dict[str, Processor]:
    """Each parameter's type's bind processor (an ``IN`` list's are those of its items)."""
    processors = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for bind, name in compiled.bind_names.items()
        if not bind.expanding
    }
    processors.update(expanded)
    return {name: p for name, p in processors.items() if p is not None}


def _translated(shape: _Shape, arguments: Any, exc: Exception, dialect: Dialect) -> BaseException:
    return DBAPIError.instance(
        shape.sql, arguments, exc, dialect.loaded_dbapi.Error, dialect=dialect
    )
