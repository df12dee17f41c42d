from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.settings import Environment, Settings
from tests.notifications.receiver import Receiver, running_receiver


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """As everywhere, but the tests drive the delivery worker themselves."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        environment=Environment.test,
        ledger_checkpoint_interval_seconds=0.05,
        webhook_worker=False,
        webhook_max_attempts=3,
        webhook_backoff_base_seconds=10,
        webhook_timeout_seconds=2,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running
