"""The access rules written out a second time, in plain Python, straight from the issue.

Tests only. It checks the hand-written corpus (both must agree with it) and then serves as the
oracle for property tests that compare the Rego policy with it on generated inputs.
"""

from __future__ import annotations

from typing import Any

from gateway.policy.data import PolicyData

NS_PER_DAY = 86_400 * 10**9
CLASSES = {"public", "institution", "authorized", "verify_only"}


def reference_decision(inp: dict[str, Any], params: PolicyData) -> dict[str, Any]:
    """The expected decision (wire form, sorted) for a normalised input."""
    denial = _denial(inp, params)
    resources = inp["resources"]
    predicates = inp["predicates"]
    if denial is not None:
        return _sorted(
            {
                "allow": False,
                "reason": denial,
                "disclose": [],
                "withhold": [{**r, "reason": denial} for r in resources],
                "evaluate": [],
                "refuse": [{"predicate": p["name"], "reason": denial} for p in predicates],
            }
        )
    context = _Context(inp, params)
    disclose, withhold, evaluate, refuse = [], [], [], []
    for r in resources:
        outcome = context.resource(r)
        if outcome[0] == "disclose":
            disclose.append({**r, "authorization": outcome[1]})
        else:
            withhold.append({**r, "reason": outcome[1]})
    for p in predicates:
        reads = [context.read(r) for r in p["reads"]]
        refused = [why for ok, why in reads if not ok]
        if not p["reads"]:
            refuse.append({"predicate": p["name"], "reason": "no_reads"})
        elif refused:
            refuse.append({"predicate": p["name"], "reason": refused[0]})
        else:
            ids = sorted({why for _, why in reads if why is not None})
            evaluate.append({"predicate": p["name"], "authorizations": ids})
    return _sorted(
        {
            "allow": True,
            "reason": "ok",
            "disclose": disclose,
            "withhold": withhold,
            "evaluate": evaluate,
            "refuse": refuse,
        }
    )


def _denial(inp: dict[str, Any], params: PolicyData) -> str | None:
    action, caller = inp["action"], inp["caller"]
    if action not in ("report", "verify", "self_view"):
        return "unknown_action"
    if caller["status"] not in ("active", "suspended"):
        return "unknown_status"
    if action in ("report", "verify"):
        if caller["role"] not in params.query_roles:
            return "role_not_permitted"
        if inp["purpose"] not in params.purposes:
            return "unknown_purpose"
        if caller["role"] not in params.purposes[inp["purpose"]].roles:
            return "purpose_not_for_role"
        return None
    if caller["role"] != "enterprise":
        return "role_not_permitted"
    if caller["id"] != inp["subject"]:
        return "not_subject"
    return None


class _Context:
    def __init__(self, inp: dict[str, Any], params: PolicyData) -> None:
        self.inp = inp
        self.active = inp["caller"]["status"] == "active"
        self.self_view = inp["action"] == "self_view"
        self.financing = inp["purpose"] in params.financing_purposes
        spec = None if self.self_view else params.purposes.get(inp["purpose"])
        self.statutory = spec is not None and spec.statutory
        self.scope = None if spec is None else spec.datasets
        max_ns = params.authorization.max_lifetime_days * NS_PER_DAY
        now = inp["now_ns"]
        self.grants = [
            g
            for g in inp["authorizations"]
            if g["institution"] == inp["caller"]["id"]
            and g["enterprise"] == inp["subject"]
            and g["purpose"] == inp["purpose"]
            and g["state"] == "active"
            and g["not_before_ns"] <= now < g["expires_at_ns"]
            and g["expires_at_ns"] - g["not_before_ns"] <= max_ns
            and (g["uses_left"] is None or g["uses_left"] > 0)
        ]

    def grant(self, r: dict[str, str], mode: str) -> str | None:
        ids = [
            g["id"]
            for g in self.grants
            if mode in g["modes"] and (r["dataset"] in g["datasets"] or r["class"] in g["classes"])
        ]
        return min(ids) if ids else None

    def out_of_scope(self, r: dict[str, str]) -> bool:
        return self.scope is not None and r["dataset"] not in self.scope

    def resource(self, r: dict[str, str]) -> tuple[str, str | None]:
        cls = r["class"]
        if self.out_of_scope(r):
            return ("withhold", "not_for_purpose")
        if cls == "public":
            return ("disclose", None)
        if not self.active:
            return ("withhold", "suspended")
        if self.self_view and cls in CLASSES:
            return ("disclose", None)
        if cls == "institution":
            if self.financing or self.statutory:
                return ("disclose", None)
            return ("withhold", "not_financing_purpose")
        if cls == "authorized":
            grant = self.grant(r, "report")
            return ("disclose", grant) if grant else ("withhold", "no_authorization")
        if cls == "verify_only":
            return ("withhold", "verify_only")
        return ("withhold", "unknown_class")

    def read(self, r: dict[str, str]) -> tuple[bool, str | None]:
        """(True, authorization or None) if the read is allowed, else (False, reason)."""
        cls = r["class"]
        if self.out_of_scope(r):
            return (False, "not_for_purpose")
        if cls == "public":
            return (True, None)
        if not self.active:
            return (False, "suspended")
        if self.self_view and cls in CLASSES:
            return (True, None)
        if cls == "institution" and (self.financing or self.statutory):
            return (True, None)
        if cls in ("institution", "authorized", "verify_only"):
            grant = self.grant(r, "verify")
            if grant:
                return (True, grant)
            return (False, "not_financing_purpose" if cls == "institution" else "no_authorization")
        return (False, "unknown_class")


def _sorted(decision: dict[str, Any]) -> dict[str, Any]:
    return normalise_decision(decision)


def normalise_decision(decision: dict[str, Any]) -> dict[str, Any]:
    """Sort a wire-form decision the way ``Decision.to_dict`` does, for comparison."""

    def by_resource(item: dict[str, Any]) -> tuple[str, str]:
        return (item["dataset"], item["class"])

    return {
        "allow": decision["allow"],
        "reason": decision["reason"],
        "disclose": sorted(decision["disclose"], key=by_resource),
        "withhold": sorted(decision["withhold"], key=by_resource),
        "evaluate": sorted(
            (
                {"predicate": e["predicate"], "authorizations": sorted(e["authorizations"])}
                for e in decision["evaluate"]
            ),
            key=lambda e: e["predicate"],
        ),
        "refuse": sorted(decision["refuse"], key=lambda r: r["predicate"]),
    }
