"""The sequencer's optional batch observer (the gateway's metrics hang on it)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ledger import Ledger


class Batches:
    def __init__(self) -> None:
        self.seen: list[tuple[int, float, bool]] = []
        self._lock = threading.Lock()

    def __call__(self, entries: int, seconds: float, committed: bool) -> None:
        with self._lock:
            self.seen.append((entries, seconds, committed))


def test_every_committed_entry_is_in_exactly_one_observed_batch(
    make_ledger: Callable[..., Ledger],
) -> None:
    batches = Batches()
    ledger = make_ledger(observer=batches)
    appenders = [
        threading.Thread(target=ledger.append, args=({"n": n}, f"s{n % 3}")) for n in range(40)
    ]
    for thread in appenders:
        thread.start()
    for thread in appenders:
        thread.join()

    assert sum(entries for entries, _, _ in batches.seen) == 40 == ledger.size()
    assert all(committed and seconds >= 0 for _, seconds, committed in batches.seen)
    assert all(entries >= 1 for entries, _, _ in batches.seen)


def test_a_ledger_without_an_observer_commits_as_before(
    make_ledger: Callable[..., Ledger],
) -> None:
    ledger = make_ledger()
    assert ledger.append({"n": 1}).index == 0
