"""Deliveries are signed in the Standard Webhooks v1a format; receivers check them with
``gateway.notifications.signature.verify``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.notifications.signature import (
    InvalidDelivery,
    headers,
    load_public_key,
    public_key_text,
    verify,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BODY = b'{"type":"access.logged","data":{"notification_id":1}}'


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _signed(key: Ed25519PrivateKey, at: datetime = NOW) -> dict[str, str]:
    return headers(key, "msg_abc", int(at.timestamp()), BODY)


def test_a_good_delivery_verifies_and_gives_its_id(key: Ed25519PrivateKey) -> None:
    published = public_key_text(key.public_key())
    assert published.startswith("whpk_")
    assert verify(published, _signed(key), BODY, NOW) == "msg_abc"
    assert _signed(key)["webhook-signature"].startswith("v1a,")


def test_a_tampered_body_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(InvalidDelivery, match="signature"):
        verify(key.public_key(), _signed(key), BODY.replace(b"1", b"2"), NOW)


def test_a_changed_delivery_id_is_refused(key: Ed25519PrivateKey) -> None:
    signed = {**_signed(key), "webhook-id": "msg_other"}
    with pytest.raises(InvalidDelivery, match="signature"):
        verify(key.public_key(), signed, BODY, NOW)


def test_another_key_is_refused(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(InvalidDelivery, match="signature"):
        verify(other.public_key(), _signed(key), BODY, NOW)


def test_an_old_delivery_is_refused_as_a_replay(key: Ed25519PrivateKey) -> None:
    old = _signed(key, NOW - timedelta(minutes=6))
    with pytest.raises(InvalidDelivery, match="old"):
        verify(key.public_key(), old, BODY, NOW)
    assert verify(key.public_key(), _signed(key, NOW - timedelta(minutes=4)), BODY, NOW)


def test_a_future_timestamp_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(InvalidDelivery, match="future"):
        verify(key.public_key(), _signed(key, NOW + timedelta(minutes=6)), BODY, NOW)


def test_one_valid_signature_among_several_suffices(key: Ed25519PrivateKey) -> None:
    signed = _signed(key)
    foreign = headers(Ed25519PrivateKey.generate(), "msg_abc", int(NOW.timestamp()), BODY)
    signed["webhook-signature"] = (
        f"v1,bm90LWFu-hmac {foreign['webhook-signature']} {signed['webhook-signature']}"
    )
    assert verify(key.public_key(), signed, BODY, NOW) == "msg_abc"


def test_missing_headers_are_named(key: Ed25519PrivateKey) -> None:
    signed = _signed(key)
    del signed["webhook-timestamp"]
    with pytest.raises(InvalidDelivery, match="webhook-timestamp"):
        verify(key.public_key(), signed, BODY, NOW)


def test_the_published_key_text_round_trips(key: Ed25519PrivateKey) -> None:
    text = public_key_text(key.public_key())
    assert public_key_text(load_public_key(text)) == text
