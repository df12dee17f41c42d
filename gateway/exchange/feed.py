"""The outbound feed to the provincial platform (按规定向省公共信用信息平台推送).

Which datasets: the ``provincial_sharing`` purpose's ``datasets`` in the policy data (the list's
共享至省平台 rows and those the operator adds). Which fields: those whose disclosure class the
policy lets the province see for that purpose — never ``authorized`` nor ``verify_only``.

The feed is a diff against what was already sent (``exchange_feed_sent``), not a scan by row id,
so a record committed late on PostgreSQL is never skipped. Each batch is built once, under the
write lock, stored and logged (``exchange.feed_batch``); asking again after the same cursor
answers the same batch, so a consumer resumes after any crash on either side. The receiver
acknowledges a cursor by asking for what follows it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from gateway.access import policy_input
from gateway.catalog.model import Catalog, DisclosureClass
from gateway.context import RequestContext
from gateway.errors import Forbidden, InvalidInput, ServiceUnavailable
from gateway.exchange.models import FeedBatch, FeedReceiver, FeedSent
from gateway.exchange.provenance import sources_of
from gateway.oversight.status import effective_status
from gateway.policy.decision import Decision
from gateway.records.digest import record_digest, set_digest
from gateway.records.models import DatasetRecord
from ledger.statement import canonical_digest

PURPOSE = "provincial_sharing"
BATCH_TYPE = "credgate/exchange-feed-batch/v1"
STATEMENT_KIND = "credgate/exchange-feed-batch/v1"
LEDGER_ENTRY = "exchange.feed_batch"
MAX_LIMIT = 1000
NEVER_LEAVES = frozenset({DisclosureClass.authorized, DisclosureClass.verify_only})
_FEED_SUBJECT = "provincial-feed"  # the policy input's subject: the feed is about no one


@dataclass(frozen=True, slots=True)
class FeedScope:
    """Per feed dataset, the fields that may leave (empty: nothing of it leaves)."""

    fields: dict[str, frozenset[str]]
    decision: Decision

    @property
    def withheld(self) -> list[dict[str, str]]:
        return [
            {"dataset": w.dataset, "class": w.disclosure_class.value, "reason": w.reason}
            for w in self.decision.withhold
        ]


def feed_datasets(ctx: RequestContext) -> tuple[str, ...]:
    spec = ctx.policy_data.purposes.get(PURPOSE)
    return spec.datasets or () if spec is not None else ()


def scope(ctx: RequestContext) -> FeedScope:
    """Ask the policy which (dataset, class) groups may leave to the caller (the province)."""
    datasets = feed_datasets(ctx)
    request = policy_input.build(
        principal=ctx.caller,
        status=effective_status(ctx.session, ctx.caller, ctx.now, ctx.policy_data),
        action="report",
        purpose=PURPOSE,
        subject=_FEED_SUBJECT,
        now=ctx.now,
        resources=policy_input.resource_groups(ctx.catalog, datasets),
    )
    decision = ctx.policy_engine.decide(request)
    if not decision.allow:
        if decision.failed_closed:
            raise ServiceUnavailable(f"the policy engine failed: {decision.reason}")
        raise Forbidden(f"the feed is refused by policy: {decision.reason}")
    return FeedScope(_leaving_fields(ctx.catalog, datasets, decision), decision)


def _leaving_fields(
    catalog: Catalog, datasets: tuple[str, ...], decision: Decision
) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for dataset_id in datasets:
        dataset = catalog.dataset(dataset_id)
        if dataset is None or dataset.sharing_method.is_live:
            continue
        out[dataset_id] = frozenset(
            f.id
            for f in dataset.fields
            if f.disclosure not in NEVER_LEAVES and decision.discloses(dataset_id, f.disclosure)
        )
    return out


@dataclass(frozen=True, slots=True)
class _Projected:
    dataset: str
    record_id: str
    uscc: str
    fields: dict[str, Any]
    digest: str
    sources: list[str]


def projected(session: Session, feed: FeedScope) -> dict[tuple[str, str], _Projected]:
    """The platform's current records of the feed datasets, cut to the fields that leave."""
    out: dict[tuple[str, str], _Projected] = {}
    for dataset, allowed in sorted(feed.fields.items()):
        if not allowed:
            continue
        rows = session.exec(
            select(DatasetRecord).where(
                DatasetRecord.dataset == dataset, col(DatasetRecord.superseded_at).is_(None)
            )
        ).all()
        sources = sources_of(session, dataset, ((r.record_id, r.digest, r.source_id) for r in rows))
        for row in rows:
            fields = {k: v for k, v in row.fields.items() if k in allowed}
            out[(dataset, row.record_id)] = _Projected(
                dataset,
                row.record_id,
                row.uscc,
                fields,
                record_digest(dataset, row.record_id, fields),
                sources[row.record_id],
            )
    return out


def platform_digests(ctx: RequestContext) -> dict[str, dict[str, Any]]:
    """Per feed dataset, what a receiver holding every batch must hold: count and digest."""
    feed = scope(ctx)
    current = projected(ctx.session, feed)
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for item in current.values():
        by_dataset[item.dataset].append(item.digest)
    return {
        dataset: {"records": len(by_dataset[dataset]), "digest": set_digest(by_dataset[dataset])}
        for dataset, allowed in sorted(feed.fields.items())
        if allowed
    }


def _receiver(session: Session, receiver: str, ctx: RequestContext) -> FeedReceiver:
    row = session.exec(
        select(FeedReceiver).where(FeedReceiver.receiver == receiver).with_for_update()
    ).first()
    if row is None:
        row = FeedReceiver(receiver=receiver, acknowledged=0, updated_at=ctx.now)
        session.add(row)
        session.flush()
    return row


def _latest_cursor(session: Session) -> int:
    latest = session.exec(
        select(FeedBatch.cursor).order_by(col(FeedBatch.cursor).desc()).limit(1)
    ).first()
    return latest or 0


def next_batch(ctx: RequestContext, after: int, limit: int) -> dict[str, Any]:
    """The batch after cursor ``after`` (stored, or built now from what changed), or an empty
    answer when the receiver holds everything. Asking acknowledges ``after``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_LIMIT}",
            detail=[{"field": "limit", "problem": "out of range"}],
        )
    ctx.write()
    receiver = _receiver(ctx.session, ctx.caller.id, ctx)
    latest = _latest_cursor(ctx.session)
    if not 0 <= after <= latest:
        raise InvalidInput(
            f"cursor {after} is not in the feed (latest {latest})",
            detail=[{"field": "after", "problem": "unknown cursor"}],
        )
    if after > receiver.acknowledged:
        receiver.acknowledged, receiver.updated_at = after, ctx.now
        ctx.session.add(receiver)
    stored = ctx.session.get(FeedBatch, after + 1)
    if stored is None:
        stored = _build(ctx, after + 1, limit)
    if stored is None:
        return {"after": after, "latest_cursor": latest, "batch": None}
    return {"after": after, "latest_cursor": max(latest, stored.cursor), **stored.body}


def _build(ctx: RequestContext, cursor: int, limit: int) -> FeedBatch | None:
    feed = scope(ctx)
    current = projected(ctx.session, feed)
    sent = {(s.dataset, s.record_id): s for s in ctx.session.exec(select(FeedSent)).all()}
    changes: list[dict[str, Any]] = []
    for key in sorted(set(current) | set(sent)):
        now_held, was_sent = current.get(key), sent.get(key)
        if now_held is not None and (was_sent is None or was_sent.digest != now_held.digest):
            changes.append(
                {
                    "op": "upsert",
                    "dataset": now_held.dataset,
                    "record_id": now_held.record_id,
                    "uscc": now_held.uscc,
                    "fields": now_held.fields,
                    "digest": now_held.digest,
                    "provenance": now_held.sources,
                }
            )
        elif now_held is None and was_sent is not None:
            changes.append(
                {"op": "delete", "dataset": key[0], "record_id": key[1], "digest": was_sent.digest}
            )
        if len(changes) == limit:
            break
    if not changes:
        return None
    for change in changes:
        key = (change["dataset"], change["record_id"])
        if change["op"] == "delete":
            ctx.session.delete(sent[key])
            sent.pop(key)
        else:
            row = sent.get(key) or FeedSent(dataset=key[0], record_id=key[1], digest="", cursor=0)
            row.digest, row.cursor = change["digest"], cursor
            ctx.session.add(row)
            sent[key] = row
    held: dict[str, list[str]] = defaultdict(list)
    for (dataset, _), row in sent.items():
        held[dataset].append(row.digest)
    batch_digest = set_digest(c["digest"] for c in changes)
    body = {
        "type": BATCH_TYPE,
        "cursor": cursor,
        "previous_cursor": cursor - 1,
        "issued_at": ctx.now.isoformat().replace("+00:00", "Z"),
        "policy_revision": feed.decision.revision,
        "records": changes,
        "batch_digest": batch_digest,
        "datasets_after": {
            dataset: {"records": len(held[dataset]), "digest": set_digest(held[dataset])}
            for dataset in sorted(d for d, allowed in feed.fields.items() if allowed)
        },
        "withheld": feed.withheld,
    }
    digest = canonical_digest(body)
    ledger: Any = ctx.ledger
    index = ctx.record(
        {
            "type": LEDGER_ENTRY,
            "receiver": ctx.caller.id,
            "cursor": cursor,
            "records": len(changes),
            "batch_digest": batch_digest,
            "body_sha256": digest,
            "datasets_after": body["datasets_after"],
        },
        None,
    )
    try:
        signature = ledger.sign_statement(STATEMENT_KIND, digest)
    except Exception as exc:  # no signature, no batch
        raise ServiceUnavailable(
            f"the feed batch could not be signed: {type(exc).__name__}"
        ) from None
    batch = FeedBatch(
        cursor=cursor,
        issued_at=ctx.now,
        records=len(changes),
        batch_digest=batch_digest,
        ledger_index=index,
        body={"batch": body, "signature": signature, "ledger_index": index},
    )
    ctx.session.add(batch)
    ctx.session.flush()
    return batch
