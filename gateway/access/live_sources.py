"""Live interface calls to a source's own service, made at request time and never stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from gateway.catalog.model import DatasetSpec
from gateway.ingestion.validation import validate_record

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveAnswer:
    dataset: str
    records: list[dict[str, Any]]
    error: str | None = None  # why the source gave nothing usable (timeout, status, ...)

    @property
    def answered(self) -> bool:
        return self.error is None


GRANT_HEADER = "Credgate-Authorization"  # the enterprise's signed authorization (JWS)
SUBJECT_HEADER = "Credgate-Subject-Access"  # "1": the enterprise itself is asking


class LiveSources(Protocol):
    def fetch(
        self, dataset: DatasetSpec, uscc: str, grant: str | None = None, for_subject: bool = False
    ) -> LiveAnswer:
        """The subject's current records of ``dataset`` from its source. ``grant`` is the
        enterprise's authorization the request relies on, forwarded so that the source can
        check it (the plan's 经企业授权 interface calls); ``for_subject`` marks the
        enterprise's own free look at its data."""
        ...


class HttpLiveSources:
    """Calls ``GET {base}/live/{dataset}/{uscc}`` with a timeout; validates what comes back."""

    def __init__(self, base_urls: dict[str, str], default_url: str, timeout: float) -> None:
        self._base_urls = base_urls
        self._default_url = default_url
        self._client = httpx.Client(timeout=timeout)

    def _url(self, dataset: DatasetSpec, uscc: str) -> str | None:
        base = self._base_urls.get(dataset.source_id) or self._default_url
        return f"{base.rstrip('/')}/live/{dataset.id}/{uscc}" if base else None

    def fetch(
        self, dataset: DatasetSpec, uscc: str, grant: str | None = None, for_subject: bool = False
    ) -> LiveAnswer:
        url = self._url(dataset, uscc)
        if url is None:
            return LiveAnswer(dataset.id, [], "no live interface configured for this source")
        headers = {GRANT_HEADER: grant} if grant else {}
        if for_subject:
            headers[SUBJECT_HEADER] = "1"
        try:
            response = self._client.get(url, headers=headers)
        except httpx.TimeoutException:
            return LiveAnswer(dataset.id, [], "the source did not answer in time")
        except httpx.HTTPError as exc:
            return LiveAnswer(
                dataset.id, [], f"the source could not be reached ({type(exc).__name__})"
            )
        if response.status_code != 200:
            return LiveAnswer(dataset.id, [], f"the source answered HTTP {response.status_code}")
        try:
            raw_records = response.json()["records"]
            assert isinstance(raw_records, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            return LiveAnswer(dataset.id, [], "the source's answer was not understood")
        records = []
        for raw in raw_records:
            clean, problems = validate_record(dataset, raw if isinstance(raw, dict) else {})
            if problems or clean.get(dataset.subject_field) != uscc:
                log.warning(
                    "dropping an invalid live record of %s from %s", dataset.id, dataset.source_id
                )
                continue
            records.append(clean)
        return LiveAnswer(dataset.id, records)

    def close(self) -> None:
        self._client.close()
