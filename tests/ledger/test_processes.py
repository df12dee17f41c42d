"""Real processes on one database: two sequencers produce one gap-free log, and a process
killed with SIGKILL in the middle of a burst leaves a log that reopens, verifies and holds
every acknowledged entry."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger import Ledger
from ledger.keys import ensure_signing_key
from ledger.note import NoteSigner

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Ack:
    index: int
    leaf_hash: str
    subject: str
    subject_seq: int
    prev_index: int | None


def _start(url: str, key: Path, *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.appender", url, str(key), *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line == "READY\n", line + (process.stderr.read() if process.stderr else "")
    return process


def _go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def _ack(line: str) -> Ack:
    _, index, leaf_hash, subject, seq, prev = line.split()
    return Ack(int(index), leaf_hash, subject, int(seq), None if prev == "None" else int(prev))


def _check_chains(ledger: Ledger, subjects: list[str]) -> None:
    for subject in subjects:
        chain = list(reversed(ledger.entries_for_subject(subject, limit=1000)))
        assert [e.subject_seq for e in chain] == list(range(1, len(chain) + 1))
        assert [e.prev_index for e in chain] == [None] + [e.index for e in chain[:-1]]


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "ledger-key.pem"
    ensure_signing_key(path)
    return path


def test_two_processes_appending_concurrently_make_one_gap_free_log(
    database_url: str, engine: Engine, key: Path, make_ledger: Callable[..., Ledger]
) -> None:
    signer = NoteSigner("test.credgate.local/ledger", ensure_signing_key(key))
    make_ledger(signers=[signer]).close()  # tables and state row exist before the race
    processes = [
        _start(database_url, key, "--threads", "4", "--count", "120", "--name", name)
        for name in ("one", "two")
    ]
    for process in processes:
        _go(process)
    acks: dict[str, list[Ack]] = {}
    for name, process in zip(("one", "two"), processes, strict=True):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        lines = out.splitlines()
        assert lines[-1] == "DONE"
        acks[name] = [_ack(line) for line in lines if line.startswith("ACK")]
    indices = sorted(a.index for name in acks for a in acks[name])
    assert indices == list(range(2 * 4 * 120))
    writer = {a.index: name for name in acks for a in acks[name]}
    switches = sum(1 for i in range(1, len(indices)) if writer[i] != writer[i - 1])
    assert switches >= 2, "the two processes never interleaved"
    ledger = make_ledger(signers=[signer])
    report = ledger.check_storage()
    assert report.size == 960 and report.checkpoints >= 2
    for name in acks:
        for ack in acks[name]:
            assert ledger.entry(ack.index).leaf_hash.hex() == ack.leaf_hash
    _check_chains(ledger, [f"S{i}" for i in range(5)])


@pytest.mark.parametrize("round_", range(3))
def test_a_process_killed_mid_burst_loses_no_acknowledged_entry(
    database_url: str, key: Path, make_ledger: Callable[..., Ledger], round_: int
) -> None:
    signer = NoteSigner("test.credgate.local/ledger", ensure_signing_key(key))
    rng = random.Random(round_ * 7919 + os.getpid())
    acks: list[Ack] = []
    for burst in range(2):
        process = _start(
            database_url, key, "--threads", "8", "--count", "0", "--name", f"r{round_}b{burst}"
        )
        _go(process)
        assert process.stdout is not None
        wanted = rng.randint(1, 400)
        deadline = time.monotonic() + 60
        got = 0
        while got < wanted and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("ACK"):
                acks.append(_ack(line))
                got += 1
        time.sleep(rng.random() * 0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        assert process.returncode == -signal.SIGKILL
        # Whatever it acknowledged before dying it said on stdout; read the rest of it.
        rest = process.stdout.read()
        acks += [_ack(line) for line in rest.splitlines() if line.startswith("ACK")]
        assert got == wanted, process.stderr.read() if process.stderr else ""
    ledger = make_ledger(signers=[signer])
    report = ledger.check_storage()
    assert report.size >= max(a.index for a in acks) + 1
    for ack in acks:
        stored = ledger.entry(ack.index)
        assert stored.leaf_hash.hex() == ack.leaf_hash
        assert (stored.subject, stored.subject_seq, stored.prev_index) == (
            ack.subject,
            ack.subject_seq,
            ack.prev_index,
        )
    _check_chains(ledger, [f"S{i}" for i in range(5)])
    after = ledger.append({"after": "crash"}, subject="S0")
    assert after.index == report.size
    ledger.wait_for_checkpoint(after.index + 1, 5)
    assert ledger.check_storage().size == report.size + 1
