"""The ledger's SQL storage (SQLite embedded, PostgreSQL at scale): the only module with SQL.

Tables (all on ``SQLModel.metadata``, so Alembic sees them):

* ``ledger_entries``: one row per leaf; ``leaf`` (the canonical JSON) can be redacted, the
  ``leaf_hash`` stays. Indexed on ``(subject, idx)`` for a subject's history.
* ``ledger_nodes``: the hash of every complete subtree above the leaves, keyed by
  ``(level, idx)``; proofs read O(log n) of them by primary key.
* ``ledger_checkpoints``: the signed checkpoints kept, keyed by tree size (every one issued,
  until ``ledger.thinning`` thins out old ones).
* ``ledger_state``: one row holding the log size. Updating it first in a transaction is the
  sequencer lock on both backends (a row lock on PostgreSQL, the write lock on SQLite), so
  several processes sharing a database produce one gap-free log.
* ``ledger_subject_heads``: each subject's last ``subject_seq`` and index.
* ``ledger_keys``: every verifier key that signed checkpoints.

Hot paths (node reads, batch inserts) use driver-level SQL; the rest SQLAlchemy Core.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    exc,
    select,
)
from sqlmodel import SQLModel

from ledger.entry import MAX_SUBJECT_LENGTH, SequencedEntry
from ledger.errors import LedgerCorrupted, LedgerUnavailable
from ledger.merkle import NodeId
from ledger.storage import CheckpointRecord, EntryRecord

log = logging.getLogger(__name__)

metadata = SQLModel.metadata
# SQLite makes only an INTEGER PRIMARY KEY the row id; PostgreSQL gets 64 bits.
BigId = BigInteger().with_variant(Integer(), "sqlite")

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("idx", BigId, primary_key=True, autoincrement=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("leaf", LargeBinary(), nullable=True),
    Column("subject", String(MAX_SUBJECT_LENGTH), nullable=True),
    Column("subject_seq", BigInteger(), nullable=True),
    Column("prev_index", BigInteger(), nullable=True),
    Index("ix_ledger_entries_subject_idx", "subject", "idx"),
)

ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", SmallInteger(), primary_key=True, autoincrement=False),
    Column("idx", BigInteger(), primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", BigId, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text(), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)

ledger_state = Table(
    "ledger_state",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False),
    Column("size", BigInteger(), nullable=False),
)

ledger_subject_heads = Table(
    "ledger_subject_heads",
    metadata,
    Column("subject", String(MAX_SUBJECT_LENGTH), primary_key=True),
    Column("last_seq", BigInteger(), nullable=False),
    Column("last_index", BigInteger(), nullable=False),
)

ledger_keys = Table(
    "ledger_keys",
    metadata,
    Column("verifier_key", String(400), primary_key=True),
    Column("first_used_at", DateTime(timezone=True), nullable=False),
)

LEDGER_TABLES = (
    ledger_entries,
    ledger_nodes,
    ledger_checkpoints,
    ledger_state,
    ledger_subject_heads,
    ledger_keys,
)
STATE_ROW = 1


def create_tables(engine: Engine) -> None:
    """Create the ledger's tables (and only those) if missing; for tests and tools."""
    metadata.create_all(engine, tables=list(LEDGER_TABLES))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _Sql:
    """Driver-level SQL written with ``?`` placeholders, adapted to the driver's style."""

    def __init__(self, qmark: bool) -> None:
        self._format = not qmark

    def _adapt(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._format else sql

    def _run(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        raise NotImplementedError

    def _run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self._run(self._adapt(sql), params)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self._run(self._adapt(sql), params)

    def write_batch(
        self,
        inserts: Sequence[tuple[str, Sequence[tuple[str, str]], list[tuple[Any, ...]], str]],
        size: int,
    ) -> None:
        """Insert each ``(table, columns, rows, tail)`` and set the log size.

        ``columns`` are (name, PostgreSQL type). SQLite runs one prepared statement per row
        in-process. PostgreSQL gets a single statement: each insert an ``unnest`` of arrays
        in a data-modifying CTE, so a whole batch costs one round trip, and the statement
        text never changes (parsed and prepared once).
        """
        if not self._format:
            for table, columns, rows, tail in inserts:
                if rows:
                    names = ", ".join(name for name, _ in columns)
                    marks = ", ".join("?" * len(columns))
                    self._run_many(f"INSERT INTO {table} ({names}) VALUES ({marks}){tail}", rows)
            self.execute("UPDATE ledger_state SET size = ? WHERE id = ?", (size, STATE_ROW))
            return
        parts: list[str] = []
        params: list[Any] = []
        for position, (table, columns, rows, tail) in enumerate(inserts):
            names = ", ".join(name for name, _ in columns)
            arrays = ", ".join(f"%b::{kind}[]" for _, kind in columns)
            parts.append(
                f"i{position} AS (INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})"
                f"{tail})"
            )
            params += [list(column) for column in zip(*rows, strict=True)] or [[] for _ in columns]
        self._run(
            f"WITH {', '.join(parts)} UPDATE ledger_state SET size = %s WHERE id = %s",
            (*params, size, STATE_ROW),
        )

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        found: dict[int, bytes] = {}
        if self._format:
            rows = self._run(_POSTGRES_NODES, _postgres_node_params(ids))
            found.update((position, bytes(value)) for position, value in rows)
        else:
            for start in range(0, len(ids), 200):  # at most 500 arms per compound SELECT
                sql, params = _sqlite_node_query(ids[start : start + 200], start)
                found.update((position, bytes(value)) for position, value in self._run(sql, params))
        if len(found) != len(ids):
            missing = [ids[p] for p in range(len(ids)) if p not in found]
            raise LedgerCorrupted(f"tree nodes missing from storage: {missing[:5]}")
        return [found[p] for p in range(len(ids))]


def _sqlite_node_query(ids: Sequence[NodeId], offset: int) -> tuple[str, tuple[int, ...]]:
    # SQLite cannot use the primary key for ``(level, idx) IN (VALUES ...)``, but plans each
    # UNION ALL arm as a point lookup.
    arms: list[str] = []
    params: list[int] = []
    for position, (level, index) in enumerate(ids, start=offset):
        if level == 0:
            arms.append(f"SELECT {position}, leaf_hash FROM ledger_entries WHERE idx = ?")
            params.append(index)
        else:
            arms.append(f"SELECT {position}, hash FROM ledger_nodes WHERE level = ? AND idx = ?")
            params += [level, index]
    return " UNION ALL ".join(arms), tuple(params)


# One text for every proof, so psycopg parses it once and PostgreSQL keeps it prepared.
_POSTGRES_NODES = (
    "SELECT k.position, n.hash"
    " FROM unnest(%b::bigint[], %b::smallint[], %b::bigint[]) AS k(position, level, idx)"
    " JOIN ledger_nodes n ON n.level = k.level AND n.idx = k.idx"
    " UNION ALL"
    " SELECT k.position, e.leaf_hash"
    " FROM unnest(%b::bigint[], %b::bigint[]) AS k(position, idx)"
    " JOIN ledger_entries e ON e.idx = k.idx"
)


def _postgres_node_params(ids: Sequence[NodeId]) -> tuple[list[int], ...]:
    inner = [(p, level, index) for p, (level, index) in enumerate(ids) if level > 0]
    leaves = [(p, index) for p, (level, index) in enumerate(ids) if level == 0]
    return (
        [p for p, _, _ in inner],
        [level for _, level, _ in inner],
        [index for _, _, index in inner],
        [p for p, _ in leaves],
        [index for _, index in leaves],
    )


class _ConnectionSql(_Sql):
    """On a SQLAlchemy connection (readers: pooled, transactions as the engine does them)."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn.dialect.paramstyle == "qmark")
        self._conn = conn

    def _run(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        result = self._conn.exec_driver_sql(sql, params)
        return list(result) if result.returns_rows else []

    def _run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._conn.exec_driver_sql(sql, rows)


class _DriverSql(_Sql):
    """On the driver's own connection: the sequencer's hot path, transaction by hand."""

    def __init__(self, raw: Any, qmark: bool) -> None:
        super().__init__(qmark)
        self._cursor = raw.cursor()

    def _run(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        if self._format:
            # psycopg: binary parameters, so bytea arrays need no text escaping.
            self._cursor.execute(sql, params, binary=True)
        else:
            self._cursor.execute(sql, params)
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def _run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._cursor.executemany(sql, rows)


# Entries redacted, or checkpoints deleted, per statement (SQLite allows 32,766 bound
# parameters).
REDACT_CHUNK = 5_000
DELETE_CHUNK = 5_000


def _entry(row: Any) -> EntryRecord:
    return EntryRecord(
        index=row.idx,
        leaf_hash=bytes(row.leaf_hash),
        leaf=None if row.leaf is None else bytes(row.leaf),
        subject=row.subject,
        subject_seq=row.subject_seq,
        prev_index=row.prev_index,
    )


def _checkpoint(row: Any) -> CheckpointRecord:
    return CheckpointRecord(
        size=row.size,
        root_hash=bytes(row.root_hash),
        note=row.note,
        issued_at=_utc(row.issued_at),
    )


_ENTRY_COLUMNS = (
    ledger_entries.c.idx,
    ledger_entries.c.leaf_hash,
    ledger_entries.c.leaf,
    ledger_entries.c.subject,
    ledger_entries.c.subject_seq,
    ledger_entries.c.prev_index,
)


class SqlReader:
    """``LogReader`` over one pooled connection."""

    def __init__(self, conn: Connection) -> None:
        """Reads on ``conn``."""
        self._conn = conn
        self._sql = _ConnectionSql(conn)

    def size(self) -> int:
        """Number of sequenced entries."""
        value = self._conn.scalar(select(ledger_state.c.size).where(ledger_state.c.id == STATE_ROW))
        return int(value or 0)

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Node hashes in order (level 0: leaf hashes)."""
        return self._sql.read_nodes(ids)

    def entry(self, index: int) -> EntryRecord | None:
        """The entry at ``index``, if any."""
        row = self._conn.execute(
            select(*_ENTRY_COLUMNS).where(ledger_entries.c.idx == index)
        ).first()
        return None if row is None else _entry(row)

    def entries_for_subject(
        self, subject: str, limit: int, before_index: int | None
    ) -> list[EntryRecord]:
        """A subject's entries below ``before_index``, newest first."""
        query = select(*_ENTRY_COLUMNS).where(ledger_entries.c.subject == subject)
        if before_index is not None:
            query = query.where(ledger_entries.c.idx < before_index)
        query = query.order_by(ledger_entries.c.idx.desc()).limit(limit)
        return [_entry(row) for row in self._conn.execute(query)]

    def latest_checkpoint(self) -> CheckpointRecord | None:
        """The checkpoint with the largest size."""
        row = self._conn.execute(
            select(ledger_checkpoints).order_by(ledger_checkpoints.c.size.desc()).limit(1)
        ).first()
        return None if row is None else _checkpoint(row)

    def checkpoint(self, size: int) -> CheckpointRecord | None:
        """The checkpoint issued for ``size``, if any."""
        row = self._conn.execute(
            select(ledger_checkpoints).where(ledger_checkpoints.c.size == size)
        ).first()
        return None if row is None else _checkpoint(row)

    def checkpoints(self, after_size: int, limit: int) -> list[CheckpointRecord]:
        """Checkpoints with size above ``after_size``, oldest first."""
        query = (
            select(ledger_checkpoints)
            .where(ledger_checkpoints.c.size > after_size)
            .order_by(ledger_checkpoints.c.size)
            .limit(limit)
        )
        return [_checkpoint(row) for row in self._conn.execute(query)]

    def checkpoint_below(self, size: int) -> CheckpointRecord | None:
        """The kept checkpoint with the largest size below ``size``, if any."""
        row = self._conn.execute(
            select(ledger_checkpoints)
            .where(ledger_checkpoints.c.size < size)
            .order_by(ledger_checkpoints.c.size.desc())
            .limit(1)
        ).first()
        return None if row is None else _checkpoint(row)

    def checkpoints_issued_before(
        self, moment: datetime, after_size: int, below_size: int, limit: int
    ) -> list[CheckpointRecord]:
        """Checkpoints issued before ``moment`` with ``after_size < size < below_size``,
        smallest size first."""
        size = ledger_checkpoints.c.size
        query = (
            select(ledger_checkpoints)
            .where(
                size > after_size,
                size < below_size,
                # Stored as UTC (SQLite keeps the wall time only, so compare in UTC).
                ledger_checkpoints.c.issued_at < _utc(moment),
            )
            .order_by(size)
            .limit(limit)
        )
        return [_checkpoint(row) for row in self._conn.execute(query)]

    def verifier_keys(self) -> list[str]:
        """Every verifier key that ever signed, oldest first."""
        query = select(ledger_keys.c.verifier_key).order_by(
            ledger_keys.c.first_used_at, ledger_keys.c.verifier_key
        )
        return list(self._conn.scalars(query))

    def iter_leaves(self) -> Iterator[tuple[int, bytes, bytes | None]]:
        """``(index, leaf_hash, leaf)`` for every entry in index order."""
        query = select(
            ledger_entries.c.idx, ledger_entries.c.leaf_hash, ledger_entries.c.leaf
        ).order_by(ledger_entries.c.idx)
        for row in self._conn.execution_options(yield_per=10_000).execute(query):
            yield row.idx, bytes(row.leaf_hash), None if row.leaf is None else bytes(row.leaf)

    def iter_nodes(self) -> Iterator[tuple[NodeId, bytes]]:
        """Every stored interior node, ordered by (level, index)."""
        query = select(ledger_nodes).order_by(ledger_nodes.c.level, ledger_nodes.c.idx)
        for row in self._conn.execution_options(yield_per=10_000).execute(query):
            yield (row.level, row.idx), bytes(row.hash)


_ENTRY_INSERT = (
    ("idx", "bigint"),
    ("leaf_hash", "bytea"),
    ("leaf", "bytea"),
    ("subject", "text"),
    ("subject_seq", "bigint"),
    ("prev_index", "bigint"),
)
_NODE_INSERT = (("level", "smallint"), ("idx", "bigint"), ("hash", "bytea"))
_HEAD_INSERT = (("subject", "text"), ("last_seq", "bigint"), ("last_index", "bigint"))


class SqlSequencing:
    """``SequencingTransaction``: buffers one batch and writes it with a few statements."""

    def __init__(self, sql: _Sql, size: int, timestamp: Callable[[datetime], Any]) -> None:
        """A batch on top of ``size`` entries; ``timestamp`` converts datetimes for storage."""
        self._sql = sql
        self._timestamp = timestamp
        self.size = size
        self._entries: list[tuple[Any, ...]] = []
        self._nodes: list[tuple[int, int, bytes]] = []
        self._heads: dict[str, tuple[int, int]] = {}
        self._checkpoint: CheckpointRecord | None = None

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Node hashes in order, inside the transaction."""
        return self._sql.read_nodes(ids)

    def subject_heads(self, subjects: Collection[str]) -> dict[str, tuple[int, int]]:
        """``subject -> (last subject_seq, last index)`` for subjects that have entries."""
        heads: dict[str, tuple[int, int]] = {}
        wanted = sorted(subjects)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._sql.query(
                "SELECT subject, last_seq, last_index FROM ledger_subject_heads "
                f"WHERE subject IN ({marks})",
                tuple(chunk),
            )
            heads.update((subject, (seq, index)) for subject, seq, index in rows)
        return heads

    def store_leaf(
        self,
        index: int,
        entry: SequencedEntry,
        leaf_hash: bytes,
        nodes: list[tuple[NodeId, bytes]],
    ) -> None:
        """Buffer leaf ``index`` and the interior nodes it completes."""
        if index != self.size + len(self._entries):
            raise ValueError(f"leaf {index} out of sequence")
        self._entries.append(
            (index, leaf_hash, entry.leaf, entry.subject, entry.subject_seq, entry.prev_index)
        )
        self._nodes.extend((level, idx, value) for (level, idx), value in nodes)
        if entry.subject is not None and entry.subject_seq is not None:
            self._heads[entry.subject] = (entry.subject_seq, index)

    def latest_signed(self) -> tuple[int, bytes] | None:
        """Size and root hash of the largest checkpoint, inside the transaction."""
        rows = self._sql.query(
            "SELECT size, root_hash FROM ledger_checkpoints ORDER BY size DESC LIMIT 1"
        )
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    def store_checkpoint(self, record: CheckpointRecord) -> None:
        """Record an issued checkpoint at commit."""
        self._checkpoint = record

    def flush(self) -> None:
        """Write everything buffered; the caller commits."""
        sql = self._sql
        if self._entries:
            heads = [(subject, seq, index) for subject, (seq, index) in self._heads.items()]
            sql.write_batch(
                [
                    ("ledger_entries", _ENTRY_INSERT, self._entries, ""),
                    ("ledger_nodes", _NODE_INSERT, self._nodes, ""),
                    (
                        "ledger_subject_heads",
                        _HEAD_INSERT,
                        heads,
                        " ON CONFLICT (subject) DO UPDATE"
                        " SET last_seq = excluded.last_seq, last_index = excluded.last_index",
                    ),
                ],
                self.size + len(self._entries),
            )
        if self._checkpoint is not None:
            record = self._checkpoint
            sql.execute(
                "INSERT INTO ledger_checkpoints (size, root_hash, note, issued_at)"
                " VALUES (?, ?, ?, ?)",
                (record.size, record.root_hash, record.note, self._timestamp(record.issued_at)),
            )


@contextmanager
def _unavailable_on_error(what: str) -> Iterator[None]:
    try:
        yield
    except exc.SQLAlchemyError as error:
        # The driver's first line only: the statement and its parameters stay in the logs.
        reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        raise LedgerUnavailable(f"ledger storage failed to {what}: {reason}") from error


class SqlStore:
    """``LogStore`` on a SQLAlchemy engine; one dedicated connection does the sequencing."""

    def __init__(self, engine: Engine) -> None:
        """Storage of the log in ``engine``'s database (tables must exist)."""
        self.engine = engine
        self._writer: Connection | None = None

    def initialize(self) -> None:
        """Create the state row if missing (safe when several processes race)."""
        # Write-first statements: on SQLite a read before the write could not upgrade its
        # lock while another process writes ("database is locked"); this one just waits.
        with _unavailable_on_error("initialize"), self.engine.connect() as conn:
            _ConnectionSql(conn).execute(
                "INSERT INTO ledger_state (id, size) VALUES (?, 0) ON CONFLICT (id) DO NOTHING",
                (STATE_ROW,),
            )
            conn.commit()

    @contextmanager
    def reader(self) -> Iterator[SqlReader]:
        """A reader on a pooled connection; database errors become ``LedgerUnavailable``."""
        with _unavailable_on_error("read"), self.engine.connect() as conn:
            yield SqlReader(conn)

    def _writer_connection(self) -> Connection:
        if self._writer is None:
            conn = self.engine.connect()
            try:
                self._make_durable(conn)
            except BaseException:
                conn.close()
                raise
            self._writer = conn
        return self._writer

    @staticmethod
    def _make_durable(conn: Connection) -> None:
        """Acknowledged must mean on disk: the WAL (or PostgreSQL's) fsync at every commit."""
        if conn.dialect.name == "sqlite":
            # On the driver connection, outside any transaction, where SQLite allows it.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            try:
                cursor.execute("PRAGMA synchronous=FULL")
                level = cursor.execute("PRAGMA synchronous").fetchone()[0]
            finally:
                cursor.close()
            if level < 2:
                raise LedgerUnavailable("SQLite refused synchronous=FULL for the ledger")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET synchronous_commit TO on")
            conn.commit()

    @contextmanager
    def sequencing(self) -> Iterator[SqlSequencing]:
        """Lock the log in a new transaction on the writer connection; commit on clean exit.

        Must be used from one thread at a time (the sequencer's). Runs on the driver's
        connection with the transaction handled here: the batch is the hot path.
        """
        conn = self._writer_connection()
        raw: Any = conn.connection.driver_connection
        dialect = conn.dialect
        # The storage format SQLAlchemy reads DateTime columns back from, on this backend.
        to_db = ledger_checkpoints.c.issued_at.type.bind_processor(dialect) or (lambda v: v)
        try:
            sql = _DriverSql(raw, dialect.paramstyle == "qmark")
            if dialect.name == "sqlite":
                sql.execute("BEGIN IMMEDIATE")
            # Writing first takes the lock before anything is read: a row lock on
            # PostgreSQL (SQLite's write lock is already held).
            rows = sql.query(
                "UPDATE ledger_state SET size = size WHERE id = ? RETURNING size", (STATE_ROW,)
            )
            if not rows:
                raise LedgerCorrupted("ledger_state has no row: the ledger was not initialized")
            transaction = SqlSequencing(sql, int(rows[0][0]), to_db)
            yield transaction
            transaction.flush()
            raw.commit()
        except BaseException:
            self._drop_writer()
            raise

    def _drop_writer(self) -> None:
        conn, self._writer = self._writer, None
        if conn is None:
            return
        try:
            conn.connection.driver_connection.rollback()  # type: ignore[union-attr]
            conn.close()
        except Exception:
            log.warning("discarding broken ledger writer connection", exc_info=True)
            conn.invalidate()

    def register_keys(self, verifier_keys: Iterable[str], now: datetime) -> None:
        """Remember verifier keys so checkpoints they signed stay verifiable."""
        to_db = ledger_keys.c.first_used_at.type.bind_processor(self.engine.dialect)
        with _unavailable_on_error("register keys"), self.engine.connect() as conn:
            sql = _ConnectionSql(conn)
            for key in verifier_keys:
                sql.execute(
                    "INSERT INTO ledger_keys (verifier_key, first_used_at) VALUES (?, ?)"
                    " ON CONFLICT (verifier_key) DO NOTHING",
                    (key, to_db(now) if to_db else now),
                )
            conn.commit()

    def redact(self, index: int) -> bool:
        """Delete entry ``index``'s content, keeping its hashes; false if there is none."""
        return index in self.redact_many([index])

    def redact_many(self, indexes: Sequence[int]) -> set[int]:
        """Delete the content of every entry in ``indexes`` in one transaction, keeping the
        hashes; returns the indexes that exist."""
        wanted = sorted(set(indexes))
        if not wanted:
            return set()
        found: set[int] = set()
        with _unavailable_on_error("redact"), self.engine.begin() as conn:
            for start in range(0, len(wanted), REDACT_CHUNK):
                chunk = wanted[start : start + REDACT_CHUNK]
                # Writing first (RETURNING what it found): on SQLite a read first could not
                # upgrade its snapshot to a write once the sequencer had committed meanwhile
                # ("database is locked" at once); a first write waits for the lock instead.
                statement = (
                    ledger_entries.update()
                    .where(ledger_entries.c.idx.in_(chunk))
                    .values(leaf=None)
                    .returning(ledger_entries.c.idx)
                )
                found.update(conn.execute(statement).scalars())
        return found

    def delete_checkpoints(self, sizes: Sequence[int], below_size: int) -> int:
        """Delete the checkpoints of ``sizes`` below ``below_size`` in one transaction, at
        most ``DELETE_CHUNK`` per statement; how many there were."""
        wanted = sorted({size for size in sizes if size < below_size})
        deleted = 0
        if not wanted:
            return deleted
        with _unavailable_on_error("delete checkpoints"), self.engine.begin() as conn:
            for start in range(0, len(wanted), DELETE_CHUNK):
                chunk = wanted[start : start + DELETE_CHUNK]
                # The bound again in SQL: whatever the caller computed, the checkpoint the
                # sequencer checks its tree against (the largest) is never the one deleted.
                statement = ledger_checkpoints.delete().where(
                    ledger_checkpoints.c.size.in_(chunk),
                    ledger_checkpoints.c.size < below_size,
                )
                deleted += conn.execute(statement).rowcount
        return deleted

    def close(self) -> None:
        """Release the writer connection."""
        self._drop_writer()
