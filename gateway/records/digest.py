"""Content digests of records, shared by ingestion and reconciliation.

A source can compute the same figures from its own copy: the record digest is SHA-256 of the
RFC 8785 canonical JSON of ``{"dataset", "record_id", "fields"}`` (fields in their canonical
forms), and the dataset digest is SHA-256 of the sorted record digests (lower-case hex) joined
by newlines. Sorting makes it independent of order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import rfc8785


def record_digest(dataset: str, record_id: str, fields: dict[str, Any]) -> str:
    canonical = rfc8785.dumps({"dataset": dataset, "record_id": record_id, "fields": fields})
    return hashlib.sha256(canonical).hexdigest()


def set_digest(record_digests: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(record_digests)).encode("ascii")).hexdigest()


def key_digest(values: list[Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(values)).hexdigest()
