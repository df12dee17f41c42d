"""Queries of issued credit reports."""

from __future__ import annotations

from sqlmodel import Session

from gateway.credit_reports.models import CreditReport


def add(session: Session, report: CreditReport) -> None:
    session.add(report)
    session.flush()


def get(session: Session, report_id: str) -> CreditReport | None:
    return session.get(CreditReport, report_id)
