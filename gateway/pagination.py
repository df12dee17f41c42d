"""One pagination convention for every list endpoint: ``limit`` and ``cursor`` in, a
``Link: <...>; rel="next"`` header out (docs/api.md, "Pagination").

A cursor is opaque to clients: the sort key of the last item served, as base64url JSON. Lists
are ordered by a unique key (ties broken by id), so "the items after this key" is exact even
while items are added: nothing is skipped or repeated, newer items simply land on earlier
pages. The ledger's own pages (``before``/``after``/``size``) keep their parameters; they are
proofs-related and documented beside this convention.

:class:`Window` is all a service or repository sees (no HTTP); :class:`Paging` is the FastAPI
dependency that reads the query and writes the header.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from sqlalchemy import TypeDecorator, and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.sql.expression import SelectOfScalar

from gateway.errors import InvalidInput

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_CURSOR_LENGTH = 512

T = TypeVar("T")
Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Window:
    """Which page: at most ``limit`` items whose sort key comes after ``after`` (None: the
    first page). Fetch ``limit + 1`` to learn whether there is a next page."""

    limit: int = DEFAULT_LIMIT
    after: Key | None = None

    @property
    def fetch(self) -> int:
        return self.limit + 1


def encode_cursor(key: Key) -> str:
    values = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in key]
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> Key:
    """The key in ``cursor``; ``InvalidInput`` naming ``query.cursor`` if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode("utf-8"))
        if not isinstance(values, list) or not values:
            raise ValueError("not a key")
        return tuple(_decode_value(v) for v in values)
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        raise _bad_cursor() from None


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        'invalid cursor: pass the cursor of the Link: rel="next" header unchanged',
        detail=[{"field": "query.cursor", "problem": "not a cursor of this list"}],
    )


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"t"} or not isinstance(value["t"], str):
            raise ValueError("not a key value")
        return datetime.fromisoformat(value["t"])
    if isinstance(value, list):
        return tuple(_decode_value(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("not a key value")


def keyset(
    query: SelectOfScalar[T],
    order: Sequence[tuple[Any, bool]],
    window: Window,
) -> SelectOfScalar[T]:
    """``query`` ordered by ``order`` ((column, descending) pairs, the last one unique),
    starting after ``window.after`` and limited to ``window.fetch`` rows."""
    if window.after is not None:
        if len(window.after) != len(order):
            raise _bad_cursor()  # a cursor of another list
        for (column, _), value in zip(order, window.after, strict=True):
            _check_type(column, value)
        alternatives: list[ColumnElement[bool]] = []
        for i, (column, descending) in enumerate(order):
            equal_before = [c == v for (c, _), v in zip(order[:i], window.after, strict=False)]
            beyond = column < window.after[i] if descending else column > window.after[i]
            alternatives.append(and_(*equal_before, beyond))
        query = query.where(or_(*alternatives))
    ordering = [column.desc() if descending else column.asc() for column, descending in order]
    return query.order_by(*ordering).limit(window.fetch)


def _check_type(column: Any, value: Any) -> None:
    """A forged cursor must not reach the database as a value of the wrong type."""
    sql_type = column.type
    if isinstance(sql_type, TypeDecorator):  # UtcDateTime, SQLModel's AutoString
        sql_type = sql_type.impl_instance
    try:
        expected = sql_type.python_type
    except NotImplementedError:
        return
    naive = isinstance(value, datetime) and value.tzinfo is None
    if not isinstance(value, expected) or naive:
        raise _bad_cursor()


def in_memory(items: Iterable[T], key: Callable[[T], Key], window: Window) -> list[T]:
    """Up to ``window.fetch`` of ``items`` (sorted by ``key``, ascending) after the cursor."""
    out: list[T] = []
    for item in items:
        if window.after is not None:
            this = key(item)
            if len(this) != len(window.after):
                raise _bad_cursor()
            try:
                if _normalised(this) <= _normalised(window.after):
                    continue
            except TypeError:
                raise _bad_cursor() from None
        out.append(item)
        if len(out) == window.fetch:
            break
    return out


def _normalised(key: Key) -> Key:
    # a cursor turns lists into tuples; compare like with like
    return tuple(_normalised(tuple(v)) if isinstance(v, list | tuple) else v for v in key)


def _position(numbered: tuple[int, Any]) -> Key:
    return (numbered[0],)


class Paging:
    """The ``limit``/``cursor`` query parameters of a list endpoint, and its ``Link`` header."""

    def __init__(self, request: Request, response: Response, limit: int, cursor: str | None):
        self._request = request
        self._response = response
        self.window = Window(limit, None if cursor is None else decode_cursor(cursor))

    def page(self, fetched: Sequence[T], key: Callable[[T], Key]) -> list[T]:
        """The first ``limit`` of ``fetched`` (as fetched for :attr:`window`); when there are
        more, a ``Link`` to the next page goes on the response."""
        items = list(fetched[: self.window.limit])
        if len(fetched) > self.window.limit:
            self._response.headers["Link"] = self.next_link(encode_cursor(key(items[-1])))
        return items

    def of_list(self, items: Sequence[T]) -> list[T]:
        """A page of a short list held in memory in a fixed order (the catalog's datasets,
        the verifiers); the cursor is a position in it."""
        numbered = in_memory(enumerate(items), _position, self.window)
        return [item for _, item in self.page(numbered, _position)]

    def next_link(self, cursor: str) -> str:
        url = self._request.url.include_query_params(cursor=cursor, limit=self.window.limit)
        path = f"{self._request.scope.get('root_path', '')}{url.path}?{url.query}"
        return f'<{path}>; rel="next"'


async def _paging(
    request: Request,
    response: Response,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="items per page (1..500, default 50)")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR_LENGTH,
            description='from the previous page\'s Link: rel="next" header; omit for the first',
        ),
    ] = None,
) -> Paging:
    return Paging(request, response, limit, cursor)


PageDep = Annotated[Paging, Depends(_paging)]
