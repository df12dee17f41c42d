"""What a process wires together once (built by ``gateway.bootstrap``), as one value.

Its own module, importing the parts' types only for type checking, so that the request
dependencies (``gateway.deps``) can name it without importing the wiring, and the wiring can
import features without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from gateway.access.live_sources import LiveSources
    from gateway.catalog import Catalog
    from gateway.clock import Clock
    from gateway.policy.data import PolicyData
    from gateway.policy.engine import PolicyEngine
    from gateway.principals.auth import TokenRules
    from gateway.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: Engine
    catalog: Catalog
    clock: Clock
    token_rules: TokenRules
    policy_data: PolicyData
    policy_engine: PolicyEngine
    live_sources: LiveSources | None
    argument_hash_key: bytes
    # Opened by the app's lifespan (``open_ledger``); None means "not available": fail closed.
    ledger: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
