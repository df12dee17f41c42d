"""Issue verifiable credit reports (信用报告) for government use and for the enterprise itself.

Order: decide and record the access through the access service (the policy decides what a
government body may see for its purpose), build the document, append its issuance to the
enterprise's ledger chain, wait for a signed checkpoint covering it, then sign the document
and hand out the envelope with the entry's inclusion proof, so that it verifies offline.
"""

from __future__ import annotations

import secrets
from typing import Any, Protocol

from gateway import ledger_port
from gateway.access import service as access
from gateway.access.schemas import ReportOut
from gateway.context import RequestContext
from gateway.credit_reports import document, repository
from gateway.credit_reports.models import CreditReport
from gateway.errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable
from gateway.exchange.provenance import current_with_sources
from gateway.hot_path import decide_and_write
from gateway.principals.models import Role
from gateway.subject_rights.models import RepairState
from gateway.subject_rights.repository import repairs
from ledger.statement import canonical_digest

CHECKPOINT_TIMEOUT_SECONDS = 5.0


class _Checkpoint(Protocol):
    @property
    def size(self) -> int: ...

    @property
    def note_text(self) -> str: ...


class _Stored(Protocol):
    @property
    def leaf(self) -> bytes | None: ...


class IssuingLedger(ledger_port.LedgerPort, Protocol):
    """What issuing needs of the ledger beyond appending (``ledger.Ledger`` has it all)."""

    def wait_for_checkpoint(self, size: int, timeout: float = ...) -> _Checkpoint: ...

    def inclusion_proof(self, index: int, size: int) -> list[bytes]: ...

    def entry(self, index: int) -> _Stored: ...

    def sign_statement(self, kind: str, digest: str) -> str: ...


def _issuing_ledger(ctx: RequestContext) -> IssuingLedger:
    ledger: Any = ctx.ledger
    needed = ("wait_for_checkpoint", "inclusion_proof", "entry", "sign_statement")
    if ledger is None or not all(hasattr(ledger, name) for name in needed):
        raise ServiceUnavailable("the ledger cannot issue signed reports; nothing was issued")
    issuing: IssuingLedger = ledger
    return issuing


def _government_purpose(ctx: RequestContext, purpose: str) -> tuple[str, ...] | None:
    spec = ctx.policy_data.purposes.get(purpose)
    if spec is None or "government" not in spec.roles:
        raise InvalidInput(
            f"{purpose!r} is not a purpose of a government credit report",
            detail=[{"field": "purpose", "problem": "not a government purpose"}],
        )
    return spec.datasets


def for_government(ctx: RequestContext, code: str, purpose: str) -> dict[str, Any]:
    """A government body's report on an enterprise, as the policy permits for ``purpose``."""
    scope = _government_purpose(ctx, purpose)
    report = decide_and_write(ctx, lambda c: access.institution_report(c, code, purpose))
    return _issue(ctx, report, scope)


def for_self(ctx: RequestContext, purpose: str) -> dict[str, Any]:
    """The enterprise's own report for ``purpose``, to hand over to a relying party: what a
    government body would be shown for that purpose (its datasets, public and institution
    fields), from the enterprise's free self view."""
    scope = _government_purpose(ctx, purpose)
    report = decide_and_write(ctx, access.self_report)
    report = report.model_copy(update={"purpose": purpose})
    return _issue(ctx, report, scope)


def _issue(ctx: RequestContext, report: ReportOut, scope: tuple[str, ...] | None) -> dict[str, Any]:
    ledger = _issuing_ledger(ctx)
    ctx.write()
    subject = report.enterprise
    provenance = {
        (d.dataset, r.record_id): sources
        for d in report.datasets
        if not d.live
        for r, sources in current_with_sources(ctx.session, d.dataset, subject)
    }
    approved = list(repairs(ctx.session, enterprise=subject, states=[RepairState.approved]))
    report_id = "cr_" + secrets.token_hex(12)
    doc = document.build_document(
        ctx.catalog,
        report_id,
        report,
        document.Requester(ctx.caller.id, ctx.caller.role.value, ctx.caller.name),
        ctx.now,
        provenance,
        approved,
        scope,
    )
    digest = canonical_digest(doc)
    index = ctx.record(document.issued_entry(doc, digest), subject)
    try:
        checkpoint = ledger.wait_for_checkpoint(index + 1, CHECKPOINT_TIMEOUT_SECONDS)
        proof = ledger.inclusion_proof(index, checkpoint.size)
        leaf = ledger.entry(index).leaf
        signature = ledger.sign_statement(document.STATEMENT_KIND, digest)
    except Exception as exc:  # no proof, no report: fail closed (the entry stays logged)
        raise ServiceUnavailable(
            f"the report was logged (ledger index {index}) but could not be proven: "
            f"{type(exc).__name__}"
        ) from None
    if leaf is None:
        raise ServiceUnavailable(f"ledger entry {index} has no content to prove")
    out = document.envelope(doc, signature, index, leaf, proof, checkpoint.note_text)
    repository.add(
        ctx.session,
        CreditReport(
            id=report_id,
            enterprise=subject,
            purpose=report.purpose,
            requested_by=ctx.caller.id,
            requested_role=ctx.caller.role.value,
            issued_at=ctx.now,
            document_sha256=digest,
            ledger_index=index,
            envelope=out,
        ),
    )
    return out


def get(ctx: RequestContext, report_id: str) -> CreditReport:
    """An issued report, to whoever asked for it or the enterprise it is about."""
    report = repository.get(ctx.session, report_id)
    if report is None:
        raise NotFound(f"no credit report {report_id}")
    mine = ctx.caller.id in (report.requested_by, report.enterprise)
    if not mine and ctx.caller.role is not Role.operator:
        raise Forbidden(f"credit report {report_id} was not issued to {ctx.caller.id}")
    return report
