"""Ledger benchmark: durable append throughput under concurrency, and proof latency by size.

    .venv/bin/python benchmarks/ledger_bench.py [--postgres URL] [--seconds 4]

Prints, in one run:

1. the baseline: plain pymerkle ``SqliteTree.append_entry`` (one commit per entry) on this
   machine, in appends per second;
2. durable appends per second through ``Ledger.append`` with 1, 16 and 64 appender threads,
   on SQLite (WAL, synchronous=FULL) and PostgreSQL (fsync on, synchronous_commit on), with
   the ratio to the baseline;
3. inclusion and consistency proof latency through ``Ledger`` (latest checkpoint read plus
   one node query, from a fresh process-level cache) at 10^4, 10^5 and 10^6 entries. The big
   trees are bulk-loaded (every leaf and subtree hash computed here, inserted in bulk), not
   appended through the slow path.

PostgreSQL runs when ``--postgres`` or ``CREDGATE_TEST_POSTGRES_URL`` gives a server; each run
uses a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymerkle import SqliteTree
from sqlalchemy import Engine

from gateway.db import make_engine
from ledger import Ledger
from ledger.merkle import fold, leaf_hash, node_hash, subtree_nodes
from ledger.note import Checkpoint, NoteSigner, sign_note
from ledger.sql_store import SqlStore, create_tables
from tests.databases import postgres_schema_url

ORIGIN = "bench.credgate.local/ledger"
PAYLOAD = {
    "event": "access",
    "institution": "bank-0042",
    "dataset": "tax_filings",
    "fields": ["revenue", "tax_paid", "arrears"],
    "purpose": "loan_underwriting",
    "decision": "allow",
    "request_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
}


def baseline(seconds: float, directory: Path) -> float:
    """Durable appends/s of plain pymerkle SqliteTree, one commit per entry."""
    tree = SqliteTree(str(directory / "pymerkle-baseline.db"))
    try:
        count, deadline = 0, time.perf_counter() + seconds
        started = time.perf_counter()
        while time.perf_counter() < deadline:
            tree.append_entry(os.urandom(200))
            count += 1
        return count / (time.perf_counter() - started)
    finally:
        tree.close()


@contextmanager
def database(backend: str, directory: Path, postgres: str | None, name: str) -> Iterator[Engine]:
    if backend == "sqlite":
        path = directory / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        create_tables(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    assert postgres is not None
    with postgres_schema_url(postgres) as url:
        engine = make_engine(url)
        create_tables(engine)
        try:
            yield engine
        finally:
            engine.dispose()


def appends(engine: Engine, threads: int, seconds: float, signer: NoteSigner) -> float:
    """Durable appends/s from ``threads`` threads appending as fast as they can."""
    ledger = Ledger(SqlStore(engine), [signer], checkpoint_interval=0.5)
    stop = threading.Event()
    counts = [0] * threads

    def appender(slot: int) -> None:
        n = 0
        while not stop.is_set():
            ledger.append(PAYLOAD, subject=f"91350100M{(slot * 7919 + n) % 5000:09d}")
            n += 1
        counts[slot] = n

    try:
        workers = [threading.Thread(target=appender, args=(t,)) for t in range(threads)]
        for worker in workers:
            worker.start()
        time.sleep(0.3)  # warm up: thread start, first batches
        before, started = ledger.size(), time.perf_counter()
        time.sleep(seconds)
        after, elapsed = ledger.size(), time.perf_counter() - started
        stop.set()
        for worker in workers:
            worker.join()
        return (after - before) / elapsed
    finally:
        ledger.close()


def bulk_load(engine: Engine, count: int, signer: NoteSigner) -> None:
    """Fill an empty ledger with ``count`` entries and their subtree hashes in bulk."""
    leaves = [b'{"bulk":%d}' % i for i in range(count)]
    levels = [[leaf_hash(leaf) for leaf in leaves]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    root = fold([levels[level][index] for level, index in subtree_nodes(0, count)])
    note = sign_note(Checkpoint(ORIGIN, count, root).body(), [signer])
    entries = ((i, levels[0][i], leaves[i]) for i in range(count))
    nodes = ((level, i, h) for level in range(1, len(levels)) for i, h in enumerate(levels[level]))
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy("COPY ledger_entries (idx, leaf_hash, leaf) FROM STDIN") as copy:
                for row in entries:
                    copy.write_row(row)
            with cursor.copy("COPY ledger_nodes (level, idx, hash) FROM STDIN") as copy:
                for row in nodes:
                    copy.write_row(row)
            mark = "%s"
        else:
            cursor.execute("BEGIN")
            cursor.executemany(
                "INSERT INTO ledger_entries (idx, leaf_hash, leaf) VALUES (?, ?, ?)", entries
            )
            cursor.executemany(
                "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)", nodes
            )
            mark = "?"
        cursor.execute(f"INSERT INTO ledger_state (id, size) VALUES (1, {mark})", (count,))
        cursor.execute(
            "INSERT INTO ledger_checkpoints (size, root_hash, note, issued_at) "
            f"VALUES ({mark}, {mark}, {mark}, CURRENT_TIMESTAMP)",
            (count, root, note),
        )
        raw.commit()
        if engine.dialect.name == "postgresql":
            cursor.execute("ANALYZE")
            raw.commit()


def latency(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 99th percentile in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def proofs(engine: Engine, count: int, signer: NoteSigner, repeat: int) -> dict[str, Any]:
    bulk_load(engine, count, signer)
    ledger = Ledger(SqlStore(engine), [signer], checkpoint_interval=3600)
    rng = random.Random(count)
    try:
        assert ledger.latest_checkpoint().size == count
        inclusion = latency(lambda: ledger.inclusion_proof(rng.randrange(count), count), repeat)
        consistency = latency(
            lambda: ledger.consistency_proof(rng.randint(1, count), count), repeat
        )
    finally:
        ledger.close()
    return {"inclusion": inclusion, "consistency": consistency}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) {five:.1f} (5 min)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("CREDGATE_TEST_POSTGRES_URL"))
    parser.add_argument("--seconds", type=float, default=4.0, help="per throughput run")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=1000, help="proofs per latency figure")
    parser.add_argument("--threads", default="1,16,64")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    signer = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    started = time.perf_counter()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {_load()}")
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        directory = Path(tmp)
        first = baseline(args.seconds, directory)
        rates: list[tuple[str, int, float]] = []
        for backend in backends:
            for threads in (int(t) for t in args.threads.split(",")):
                with database(backend, directory, args.postgres, f"append-{threads}") as engine:
                    rates.append((backend, threads, appends(engine, threads, args.seconds, signer)))
        second = baseline(args.seconds, directory)
        # The baseline is the most sensitive to other load on the disk: measured before and
        # after, and the ratio taken against the better of the two.
        base = max(first, second)
        print(
            f"\nbaseline: pymerkle SqliteTree.append_entry (one commit each), durable: "
            f"{first:,.0f} appends/s before, {second:,.0f} after"
        )
        print("\ndurable appends/s through Ledger.append (group commit)")
        print(f"{'backend':<12}{'appenders':>10}{'appends/s':>12}{'x baseline':>12}")
        for backend, threads, rate in rates:
            print(f"{backend:<12}{threads:>10}{rate:>12,.0f}{rate / base:>12.1f}")
        print(f"\nproof latency through Ledger, ms (median / p99 of {args.repeat})")
        print(f"{'backend':<12}{'entries':>10}{'inclusion':>18}{'consistency':>18}")
        for backend in backends:
            for count in (int(s) for s in args.sizes.split(",")):
                with database(backend, directory, args.postgres, f"proofs-{count}") as engine:
                    result = proofs(engine, count, signer, args.repeat)
                cells = "".join(f"{m:>9.3f} / {p:<6.3f}" for m, p in result.values())
                print(f"{backend:<12}{count:>10,} {cells}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s, {_load()}")


if __name__ == "__main__":
    main()
