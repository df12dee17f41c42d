"""Builds the configured engine: embedded (regopy, the default) or an OPA server, cached."""

from __future__ import annotations

from pathlib import Path

from gateway.policy.cache import CachedEngine
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.engine import PolicyEngine
from gateway.policy.opa import OpaEngine
from gateway.policy.source import PolicyFiles
from gateway.settings import PolicyEngineKind, Settings

DEFAULT_CACHE_SIZE = 4096


def build_engine(
    settings: Settings,
    *,
    policy_dir: Path | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> PolicyEngine:
    """The engine ``settings.policy_engine`` names, over the policy in ``policy_dir``
    (default: ``settings.policy_dir``, else the packaged policy).

    Raises ``PolicyLoadError`` if the policy cannot be read or (embedded) compiled: a gateway
    without a policy must not start. ``cache_size=0`` turns the decision cache off.
    ``settings.opa_timeout_seconds`` bounds a decision on either engine.
    """
    files = PolicyFiles.load(policy_dir or settings.policy_dir)
    engine: PolicyEngine
    if settings.policy_engine is PolicyEngineKind.opa:
        engine = OpaEngine.from_url(
            settings.opa_url,
            revision=files.revision,
            timeout_seconds=settings.opa_timeout_seconds,
        )
    else:
        engine = EmbeddedEngine(files, timeout_seconds=settings.opa_timeout_seconds)
    if cache_size > 0:
        engine = CachedEngine(engine, maxsize=cache_size)
    return engine
