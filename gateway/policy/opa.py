"""The OPA engine: the same policy served by an OPA server (>= 1.21.3), asked over the Data API.

``POST /v1/data/credgate/access/decision`` with ``{"input": ...}`` via opa-python-client. The
client surfaces raw ``requests`` exceptions; they are translated here, where the library is
called. OPA answers an undefined decision with HTTP 200 and no ``result`` key: that is a denial
too. Policies reach the server as a mounted bundle (``policies/README.md``), never through the
client's policy upload, which rewrites what it takes for Rego v0.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient

from gateway.policy.decision import Decision
from gateway.policy.engine import decide_fail_closed
from gateway.policy.errors import (
    PolicyEngineError,
    PolicyEngineTimeout,
    PolicyEngineUnavailable,
    PolicyLoadError,
    PolicyResultMalformed,
    PolicyResultUndefined,
)
from gateway.policy.inputs import PolicyInput, coerce_input
from gateway.policy.source import DECISION_PACKAGE, DECISION_RULE

DEFAULT_RETRIES = 1  # one reconnect attempt; urllib3 does not retry a POST that was sent


class OpaEngine:
    """``PolicyEngine`` over an OPA server. Thread-safe: one HTTP session per thread.

    ``revision`` is that of the local policy files, which the deployment mounts into OPA; the
    server cannot prove which bundle it runs, so keep the two in step (one image, one checkout).
    ``timeout_seconds`` bounds connecting and each read, as ``requests`` does, not the total.
    """

    name = "opa"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        revision: str,
        ssl: bool = False,
        timeout_seconds: float = 1.5,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        self._host = host
        self._port = port
        self._ssl = ssl
        self._timeout = timeout_seconds
        self._retries = retries
        self._revision = revision
        self._local = threading.local()

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        revision: str,
        timeout_seconds: float = 1.5,
        retries: int = DEFAULT_RETRIES,
    ) -> OpaEngine:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PolicyLoadError(f"OPA URL must be http(s)://host[:port], not {url!r}")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise PolicyLoadError(f"OPA URL must not carry a path or query: {url!r}")
        https = parts.scheme == "https"
        return cls(
            host=parts.hostname,
            port=parts.port or (443 if https else 80),
            ssl=https,
            revision=revision,
            timeout_seconds=timeout_seconds,
            retries=retries,
        )

    @property
    def revision(self) -> str:
        return self._revision

    def decide(self, policy_input: PolicyInput | Mapping[str, Any]) -> Decision:
        return decide_fail_closed(
            coerce_input(policy_input),
            revision=self._revision,
            engine=self.name,
            evaluate=self._query,
        )

    def _client(self) -> OpaClient:
        client: OpaClient | None = getattr(self._local, "client", None)
        if client is None:
            client = OpaClient(
                host=self._host,
                port=self._port,
                ssl=self._ssl,
                timeout=self._timeout,
                retries=self._retries,
            )
            self._local.client = client
        return client

    def _query(self, policy_input: PolicyInput) -> Any:
        try:
            response = self._client().query_rule(
                policy_input.to_dict(), DECISION_PACKAGE, DECISION_RULE
            )
        # Order matters: ConnectTimeout is both a Timeout and a ConnectionError.
        except requests.Timeout as exc:
            raise PolicyEngineTimeout(f"OPA did not answer within {self._timeout} s") from exc
        except requests.ConnectionError as exc:
            raise PolicyEngineUnavailable(f"OPA unreachable: {exc}") from exc
        except requests.HTTPError as exc:
            raise PolicyEngineError(f"OPA answered {_describe(exc.response)}") from exc
        # Before RequestException: requests' JSONDecodeError is one, and a ValueError too.
        except ValueError as exc:
            raise PolicyResultMalformed(f"OPA answered with something not JSON: {exc}") from exc
        except requests.RequestException as exc:
            raise PolicyEngineError(f"OPA request failed: {exc}") from exc
        if not isinstance(response, dict):
            raise PolicyResultMalformed("OPA's answer is not an object")
        if "result" not in response:
            raise PolicyResultUndefined(f"{DECISION_PACKAGE}.{DECISION_RULE} is undefined")
        return response["result"]


def _describe(response: requests.Response | None) -> str:
    if response is None:
        return "with an error"
    try:
        body = response.json()
        message = f"{body.get('code')}: {body.get('message')}"
    except (ValueError, AttributeError):
        message = response.text[:200]
    return f"HTTP {response.status_code} ({message})"
