"""An access decision as the ledger and the access index both record it: one place builds
the entry's common part and the indexed facts, for reports and verifications alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from gateway.access_index import AccessFacts
from gateway.authorizations import service as authorizations
from gateway.authorizations.models import Authorization
from gateway.oversight.status import status_now
from gateway.policy.data import PolicyData
from gateway.principals.models import Principal, PrincipalStatus
from gateway.writer import LedgerWrite, Locks, Stale


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """Who asked about whom, what for, when: what every access entry starts with."""

    caller: Principal
    subject: str
    action: str
    purpose: str
    at: datetime

    def write(
        self,
        *,
        allowed: bool,
        reason: str,
        authorizations: list[str],
        entry: dict[str, Any],
        detail: dict[str, Any],
    ) -> LedgerWrite:
        """The ledger write of this access: ``entry`` holds what the action adds to the
        common fields (the decision, what was disclosed or asked); ``detail`` what the index
        keeps of it for assessors."""
        payload = {
            "type": f"access.{self.action}",
            "caller": self.caller.id,
            "caller_role": self.caller.role.value,
            "enterprise": self.subject,
            "purpose": self.purpose,
            "authorizations": authorizations,
            **entry,
        }
        facts = AccessFacts(
            ledger_index=-1,
            at=self.at,
            caller=self.caller.id,
            caller_role=self.caller.role.value,
            subject=self.subject,
            action=self.action,
            purpose=self.purpose,
            allowed=allowed,
            reason=reason,
            authorizations=authorizations,
            detail=detail,
        )
        return LedgerWrite(payload, self.subject, facts)


@dataclass(slots=True)
class AccessJob:
    """An access decision's write section (a :class:`gateway.writer.WriteJob`).

    A denial is written as decided. An allowed access first re-checks, under the writer's
    locks, what it relied on: the caller's status, then (``budget``, verifications) the
    bisection budget — which may turn it into a refusal, written instead — and last counts a
    use of each grant it relied on, which fails if one was revoked or used up meanwhile.
    A changed status or grant raises :class:`Stale`: the request decides again.
    """

    record: AccessRecord
    status: PrincipalStatus
    used: list[Authorization]
    policy_data: PolicyData
    write: LedgerWrite
    allowed: bool
    budget: Callable[[Session], LedgerWrite | None] | None = None
    refused: LedgerWrite | None = None

    def locks(self) -> Locks:
        if not self.allowed:
            return Locks()
        budgets = ((self.record.caller.id, self.record.subject),) if self.budget else ()
        return Locks(
            grants=tuple(a.id for a in self.used),
            principals=(self.record.caller.id,),
            budgets=budgets,
        )

    def apply(self, session: Session) -> list[LedgerWrite]:
        if not self.allowed:
            return [self.write]
        now = self.record.at
        if status_now(session, self.record.caller, now, self.policy_data) is not self.status:
            raise Stale
        if self.budget is not None:
            self.refused = self.budget(session)
            if self.refused is not None:
                return [self.refused]
        if not authorizations.count_use(session, self.used, now):
            raise Stale
        return [self.write]
