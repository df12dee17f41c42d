"""Signed webhook deliveries in the Standard Webhooks format (https://www.standardwebhooks.com),
with its asymmetric scheme: an Ed25519 signature, ``v1a,<base64>``, over
``<webhook-id>.<webhook-timestamp>.<body>``.

A receiver needs only this module and ``cryptography``: it fetches the platform's public key
once (``GET /v1/notifications/key``, ``whpk_…``) and calls :func:`verify` on every delivery,
then dedupes on the ``webhook-id`` header (the same notification to the same receiver always
carries the same id). The ``standardwebhooks`` package on PyPI implements only the symmetric
(HMAC, ``v1``) scheme, hence this module.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
PUBLIC_KEY_PREFIX = "whpk_"
SCHEME = "v1a"
# How far a delivery's timestamp may be from the receiver's clock (the spec's default).
TOLERANCE_SECONDS = 5 * 60


class InvalidDelivery(Exception):
    """The delivery is not one the platform signed, or it is too old (a replay) or too new."""


def public_key_text(key: Ed25519PublicKey) -> str:
    """``whpk_`` and the base64 of the raw 32-byte public key, as the spec writes it."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PUBLIC_KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    """The key :func:`public_key_text` wrote."""
    if not text.startswith(PUBLIC_KEY_PREFIX):
        raise ValueError(f"a webhook public key starts with {PUBLIC_KEY_PREFIX!r}")
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text[len(PUBLIC_KEY_PREFIX) :]))


def _signed_content(delivery_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{delivery_id}.{timestamp}.".encode() + body


def sign(key: Ed25519PrivateKey, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for this delivery."""
    signature = key.sign(_signed_content(delivery_id, timestamp, body))
    return f"{SCHEME},{base64.b64encode(signature).decode('ascii')}"


def headers(
    key: Ed25519PrivateKey, delivery_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers of a delivery."""
    return {
        ID_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(key, delivery_id, timestamp, body),
    }


def verify(
    public_key: Ed25519PublicKey | str,
    received_headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance_seconds: int = TOLERANCE_SECONDS,
) -> str:
    """Check a delivery as received; return its delivery id (the idempotency key).

    ``received_headers`` is looked up by lower-case name (pass a case-insensitive mapping, or
    lower-case the names). The signature header may list several space-separated signatures
    (a key rotation); one valid ``v1a`` signature suffices. Raises :class:`InvalidDelivery`.
    """
    key = load_public_key(public_key) if isinstance(public_key, str) else public_key
    try:
        delivery_id = received_headers[ID_HEADER]
        timestamp_text = received_headers[TIMESTAMP_HEADER]
        signatures = received_headers[SIGNATURE_HEADER]
    except KeyError as exc:
        raise InvalidDelivery(f"missing header {exc.args[0]}") from exc
    try:
        timestamp = int(timestamp_text)
    except ValueError as exc:
        raise InvalidDelivery(f"{TIMESTAMP_HEADER} is not a number of seconds") from exc
    age = now.timestamp() - timestamp
    if age > tolerance_seconds:
        raise InvalidDelivery(f"delivery timestamp is {int(age)} s old (a replay?)")
    if age < -tolerance_seconds:
        raise InvalidDelivery(f"delivery timestamp is {int(-age)} s in the future")
    content = _signed_content(delivery_id, timestamp, body)
    for item in signatures.split():
        scheme, _, encoded = item.partition(",")
        if scheme != SCHEME:
            continue
        try:
            key.verify(base64.b64decode(encoded, validate=True), content)
        except (InvalidSignature, ValueError):
            continue
        return delivery_id
    raise InvalidDelivery("no valid v1a signature by the platform's key")
