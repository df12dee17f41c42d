from collections.abc import Callable

from gateway.principals.keys import generate_private_key, public_pem
from gateway.principals.models import KeyAlgorithm, Role
from tests.support.actors import Actor


def test_operator_registers_an_institution_that_can_then_call(
    make_actor: Callable[..., Actor],
) -> None:
    operator = make_actor(Role.operator)
    key = generate_private_key(KeyAlgorithm.ES256)
    response = operator.post(
        "/v1/principals",
        json={
            "id": "bank-icbc-bx",
            "role": "institution",
            "kind": "bank",
            "name": "工商银行本溪分行",
            "public_key_pem": public_pem(key.public_key()),
        },
    )
    assert response.status_code == 201, response.text
    bank = Actor(
        "bank-icbc-bx", Role.institution, key, KeyAlgorithm.ES256, operator.http, operator.clock
    )
    assert bank.get("/v1/datasets").status_code == 200
    listed = [
        p["id"] for p in operator.get("/v1/principals", params={"role": "institution"}).json()
    ]
    assert listed == ["bank-icbc-bx"]


def test_enterprise_ids_must_be_valid_usccs(make_actor: Callable[..., Actor]) -> None:
    operator = make_actor(Role.operator)
    response = operator.post(
        "/v1/principals", json={"id": "91210502ABCDEFGH12", "role": "enterprise", "name": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id"


def test_institutions_need_a_kind_and_duplicates_conflict(make_actor: Callable[..., Actor]) -> None:
    operator = make_actor(Role.operator)
    assert (
        operator.post(
            "/v1/principals", json={"id": "b1", "role": "institution", "name": "x"}
        ).status_code
        == 422
    )
    assert (
        operator.post(
            "/v1/principals", json={"id": "b1", "role": "institution", "kind": "bank", "name": "x"}
        ).status_code
        == 201
    )
    assert (
        operator.post(
            "/v1/principals", json={"id": "b1", "role": "institution", "kind": "bank", "name": "x"}
        ).status_code
        == 409
    )


def test_bad_keys_are_refused(make_actor: Callable[..., Actor]) -> None:
    operator = make_actor(Role.operator)
    operator.post("/v1/principals", json={"id": "src-x", "role": "source", "name": "x"})
    response = operator.post("/v1/principals/src-x/keys", json={"public_key_pem": "not a key"})
    assert response.status_code == 422 and "PEM" in response.json()["detail"]
    assert (
        operator.post("/v1/principals/nobody/keys", json={"public_key_pem": "x"}).status_code == 404
    )
