"""One settings class, read once from the environment (prefix ``CREDGATE_``)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class PolicyEngineKind(StrEnum):
    embedded = "embedded"
    opa = "opa"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDGATE_", env_file=None, extra="ignore")

    environment: Environment = Environment.development
    data_dir: Path = Path("var")
    # Empty means: SQLite file inside data_dir.
    database_url: str = ""
    audience: str = "credgate"
    max_token_lifetime_seconds: int = 300
    clock_skew_seconds: int = 30

    policy_engine: PolicyEngineKind = PolicyEngineKind.embedded
    opa_url: str = "http://127.0.0.1:8181"
    opa_timeout_seconds: float = 1.5
    # A policy directory (the layout of policies/) to use instead of the one shipped in the
    # package (credgate_policies); the OPA engine's server must serve the same files.
    policy_dir: Path | None = None

    # Empty means: beside an embedded (SQLite) database, its own SQLite file in data_dir (so a
    # request holding the main database's write lock never waits on the ledger's writer);
    # with PostgreSQL, the same database.
    ledger_database_url: str = ""
    ledger_origin: str = "credgate.benxi.local/ledger"
    ledger_key_path: Path | None = None
    ledger_checkpoint_interval_seconds: float = 0.5
    # Checkpoint retention, applied by `credgate retention` (ledger.thinning): every checkpoint
    # younger than keep_all_hours, then the first of each UTC hour until keep_hourly_days old,
    # then the first of each UTC day; always the latest and the first signed by each key.
    ledger_checkpoint_thinning: bool = True
    ledger_checkpoint_keep_all_hours: float = Field(default=24, gt=0)
    ledger_checkpoint_keep_hourly_days: float = Field(default=30, ge=0)

    # Notifications delivered as signed webhooks (docs/notifications.md). Allowed targets:
    # host names (".example.com": the domain and its subdomains) or networks (CIDR); empty
    # means public addresses only, plus loopback and private ones where allow_private_targets
    # is true (unset: in development and test only). Operators should list their receivers.
    notification_key_path: Path | None = None
    webhook_allowed_targets: list[str] = []
    webhook_allow_private_targets: bool | None = None
    webhook_worker: bool = True
    webhook_worker_interval_seconds: float = Field(default=1.0, gt=0)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_concurrency: int = Field(default=8, ge=1, le=64)
    # A claimed delivery is another replica's to retry once its lease ends: keep it longer
    # than the timeout.
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    webhook_max_attempts: int = Field(default=16, ge=1)
    webhook_backoff_base_seconds: float = Field(default=10.0, gt=0)
    webhook_backoff_cap_seconds: float = Field(default=6 * 3600.0, gt=0)
    # How long before an objection's reply deadline its source is reminded.
    notification_deadline_warning_hours: float = Field(default=48.0, ge=0)

    # Live interface calls (datasets the catalog marks live): each source's base URL, by
    # source id, falling back to live_source_url; the service answers GET /live/{dataset}/{uscc}.
    live_source_url: str = ""
    live_source_urls: dict[str, str] = {}
    source_timeout_seconds: float = 2.0
    # The provincial feed's push worker (docs/exchange.md §4): the receiver's URL (empty: pull
    # only) and the principal id of the province it pushes for.
    exchange_push_url: str = ""
    exchange_push_receiver: str = ""
    exchange_push_interval_seconds: float = Field(default=5.0, gt=0)
    argument_hash_key_path: Path | None = None

    # Verifications and reports in progress at once per process (the rest queue in order).
    # They decide outside any lock and their writes go to one writer in batches: the more
    # decide at once, the larger the batches (measured: docs/performance.md).
    hot_path_threads: int = Field(default=32, ge=1, le=256)

    # Prometheus metrics at GET /metrics, unauthenticated: scraped from the operators' intranet
    # (docs/api.md); turn off where the port is reachable from outside it.
    metrics_enabled: bool = True
    # Log lines of `credgate serve`: "text" or "json" (one object per line), each with the
    # request id; the --log-format option overrides it.
    log_format: str = Field(default="text", pattern="^(text|json)$")
    # Request bodies larger than this are refused with 413 (gateway.http.middleware); a
    # batch of up to 10,000 records may be larger.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    max_batch_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1)

    @model_validator(mode="after")
    def _refuse_embedded_defaults_in_production(self) -> Settings:
        if self.environment is Environment.production:
            if not self.database_url:
                raise ValueError("CREDGATE_DATABASE_URL must be set in production")
            if self.ledger_key_path is None:
                raise ValueError("CREDGATE_LEDGER_KEY_PATH must be set in production")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'credgate.db').as_posix()}"

    @property
    def effective_ledger_database_url(self) -> str:
        if self.ledger_database_url:
            return self.ledger_database_url
        if self.effective_database_url.startswith("sqlite"):
            return f"sqlite:///{(self.data_dir / 'ledger.db').as_posix()}"
        return self.effective_database_url

    @property
    def effective_argument_hash_key_path(self) -> Path:
        """Key of the keyed hash that stands for personal data in verification ledger entries."""
        return self.argument_hash_key_path or self.data_dir / "argument-hash.key"

    @property
    def effective_notification_key_path(self) -> Path:
        """Ed25519 key signing webhook deliveries (its own key, not the ledger's)."""
        return self.notification_key_path or self.data_dir / "notification-signing-key.pem"

    @property
    def effective_webhook_allow_private_targets(self) -> bool:
        if self.webhook_allow_private_targets is not None:
            return self.webhook_allow_private_targets
        return self.environment is not Environment.production

    @property
    def effective_ledger_key_path(self) -> Path:
        return self.ledger_key_path or self.data_dir / "ledger-signing-key.pem"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
