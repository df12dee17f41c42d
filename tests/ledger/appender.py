"""A separate appender process for multi-process and crash tests.

    python -m tests.ledger.appender URL KEY_FILE --threads N --count M --name P

Opens the ledger, prints ``READY``, waits for a line on stdin, then appends from N threads
(M entries each; 0 means until killed) and prints ``ACK <index> <leaf hash hex> <subject>
<subject_seq> <prev_index>`` for each entry only after ``append`` returned, i.e. after it was
durably committed.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from gateway.db import make_engine
from ledger import Ledger
from ledger.keys import ensure_signing_key
from ledger.note import NoteSigner
from ledger.sql_store import SqlStore

ORIGIN = "test.credgate.local/ledger"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("key", type=Path)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--subjects", type=int, default=5)
    parser.add_argument("--name", default="p")
    args = parser.parse_args()

    engine = make_engine(args.url)
    ledger = Ledger(
        SqlStore(engine),
        [NoteSigner(ORIGIN, ensure_signing_key(args.key))],
        checkpoint_interval=0.05,
    )
    out = sys.stdout
    lock = threading.Lock()
    print("READY", file=out, flush=True)
    sys.stdin.readline()

    def work(thread: int) -> None:
        n = 0
        while args.count == 0 or n < args.count:
            subject = f"S{(thread + n) % args.subjects}"
            receipt = ledger.append({"by": args.name, "thread": thread, "n": n}, subject=subject)
            with lock:
                out.write(
                    f"ACK {receipt.index} {receipt.leaf_hash.hex()} {subject} "
                    f"{receipt.subject_seq} {receipt.prev_index}\n"
                )
                out.flush()
            n += 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger.close()
    engine.dispose()
    print("DONE", file=out, flush=True)


if __name__ == "__main__":
    main()
