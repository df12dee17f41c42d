"""``credgate ledger ...``: verify and audit a ledger from outside, and operate its keys.

Exit codes: 0 everything checked out; 1 something is false (a signature, a proof, a chain,
an inconsistency); 2 nothing could be concluded (bad usage, unreadable input, unreachable
gateway).
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from gateway.access import access_log
from gateway.credit_reports.verify import verify_report_bytes
from gateway.ledger_api.fetch import FetchFailed, HttpLedger
from gateway.settings import Settings, get_settings
from ledger.audit import Auditor, Inconsistent
from ledger.errors import LedgerError, VerificationError
from ledger.keys import complete_rotation, ensure_signing_key, load_signing_key, rotate_signing_key
from ledger.note import Checkpoint, NoteSigner, NoteVerifier
from ledger.omission import Omission, check_entry_not_omitted, verify_no_omission
from ledger.pages import Inconclusive, JoinedPages, join_subject_pages
from ledger.verify import (
    PageReport,
    b64decode,
    parse_verifier_keys,
    verified_entry,
    verify_checkpoint,
    verify_checkpoint_consistency,
    verify_subject_page,
)

ledger_app = typer.Typer(
    help="Verify and audit the credgate ledger, and manage its signing key",
    no_args_is_help=True,
)

KeyOption = Annotated[
    list[str] | None,
    typer.Option("--key", help="a trusted verifier key, name+hash+base64 (repeatable)"),
]
KeyFileOption = Annotated[
    list[Path] | None,
    typer.Option("--key-file", help="a file of trusted verifier keys, one per line"),
]
OriginOption = Annotated[
    str | None, typer.Option(help="the expected checkpoint origin (default: as signed)")
]
KeyPathOption = Annotated[
    Path | None, typer.Option(help="the signing key file (default: from settings)")
]


def init_signing_key(path: Path, origin: str | None = None) -> str:
    """Create the checkpoint signing key at ``path`` (mode 0600) unless it exists; return its
    verifier key, named ``origin`` (default: the configured ledger origin)."""
    key = ensure_signing_key(path)
    return NoteSigner(origin or get_settings().ledger_origin, key).verifier_key


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"FAILED: {message}" if code == 1 else f"error: {message}", err=True)
    raise typer.Exit(code)


def _verifiers(keys: list[str] | None, key_files: list[Path] | None) -> list[NoteVerifier]:
    lines = list(keys or [])
    for path in key_files or []:
        lines += _read(path).splitlines()
    try:
        return parse_verifier_keys(lines)
    except VerificationError as exc:
        _fail(exc.message, 2)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}", 2)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read(path))
    except json.JSONDecodeError as exc:
        _fail(f"{path} is not JSON: {exc}", 2)


def _proof_file(path: Path) -> list[bytes]:
    data = _read_json(path)
    hashes = data.get("hashes") if isinstance(data, dict) else data
    if not isinstance(hashes, list):
        _fail(f"{path} holds no list of base64 hashes", 2)
    return [b64decode(h, f"{path} hash") for h in hashes]


def _describe(checkpoint: Checkpoint) -> str:
    root = base64.b64encode(checkpoint.root_hash).decode("ascii")
    return f"{checkpoint.origin} size {checkpoint.size} root {root}"


def _entry_bundle(
    path: Path, checkpoint: Checkpoint, remote: HttpLedger | None
) -> tuple[int, bytes, list[bytes]]:
    bundle = _read_json(path)
    if not isinstance(bundle, dict) or type(bundle.get("index")) is not int:
        _fail(f"{path} needs an integer index, a base64 leaf and an inclusion_proof", 2)
    index: int = bundle["index"]
    leaf = b64decode(bundle.get("leaf"), f"{path} leaf")
    if "inclusion_proof" in bundle:
        proof = [b64decode(h, f"{path} proof hash") for h in bundle["inclusion_proof"]]
    elif remote is not None:
        proof = remote.inclusion_proof(index, checkpoint.size)
    else:
        _fail(f"{path} has no inclusion_proof and no --url to fetch one from", 2)
    return index, leaf, proof


@ledger_app.command()
def verify(
    key: KeyOption = None,
    key_file: KeyFileOption = None,
    url: Annotated[
        str | None,
        typer.Option(help="gateway base URL: fetch the latest checkpoint and missing proofs"),
    ] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="a signed checkpoint (note file) to verify against")
    ] = None,
    entry: Annotated[
        list[Path] | None,
        typer.Option(help='an entry bundle {"index", "leaf", "inclusion_proof"} (repeatable)'),
    ] = None,
    previous: Annotated[
        Path | None, typer.Option(help="an older checkpoint the checkpoint must extend")
    ] = None,
    consistency_proof: Annotated[
        Path | None, typer.Option(help="consistency proof JSON from --previous to the checkpoint")
    ] = None,
    page: Annotated[
        list[Path] | None,
        typer.Option(
            help="a page of a subject's access log (JSON); repeat for older pages, newest "
            "first, each fetched with before=<next_before_index> of the one before"
        ),
    ] = None,
    subject: Annotated[str | None, typer.Option(help="the subject the page must be about")] = None,
    previous_head: Annotated[
        Path | None,
        typer.Option(
            help="a subject head saved earlier (the note, or the page that carried it): the "
            "page, and any --entry, must show that nothing was left out since"
        ),
    ] = None,
    origin: OriginOption = None,
    report: Annotated[
        Path | None,
        typer.Option(
            help="a credit report envelope (JSON as issued): its signature, its ledger entry "
            "and inclusion proof, and the checkpoint, all offline"
        ),
    ] = None,
) -> None:
    """Check a checkpoint's signature, entries' inclusion, consistency with an older
    checkpoint, and subject pages, trusting only the given verifier keys."""
    verifiers = _verifiers(key, key_file)
    if report is not None:
        _verify_report(verifiers, report, origin)
        return
    remote = HttpLedger(url) if url else None
    try:
        _verify(
            verifiers,
            remote,
            checkpoint,
            entry or [],
            previous,
            consistency_proof,
            page or [],
            subject,
            origin,
            _previous_head(previous_head, page, entry) if previous_head else None,
        )
    except Omission as exc:
        typer.echo(f"OMISSION: {exc.message}", err=True)
        typer.echo(json.dumps(exc.detail, indent=2), err=True)
        raise typer.Exit(1) from None
    except FetchFailed as exc:
        _fail(f"could not fetch from the gateway: {exc}", 2)
    except Inconclusive as exc:
        _fail(f"not concluded: {exc.message}", 2)
    except VerificationError as exc:
        _fail(exc.message)
    except LedgerError as exc:
        _fail(f"the gateway refused: {exc.message}")
    finally:
        if remote is not None:
            remote.close()


def _verify_report(verifiers: list[NoteVerifier], path: Path, origin: str | None) -> None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc}", 2)
    try:
        checked = verify_report_bytes(raw, verifiers, origin)
    except VerificationError as exc:
        _fail(f"FAILED credit report: {exc.message}")
    document = checked.document
    typer.echo(f"OK checkpoint: {_describe(checked.checkpoint)}")
    typer.echo(
        f"OK credit report {document.get('report_id')} on "
        f"{(document.get('enterprise') or {}).get('uscc')} for {document.get('purpose')}: "
        f"signed by the platform, logged at ledger index {checked.index} "
        f"(sha256 {checked.digest})"
    )


def _previous_head(path: Path, pages: list[Path] | None, entries: list[Path] | None) -> str:
    """The signed head in ``path``: a head note, or a page (JSON) that carries one."""
    if not pages and not entries:
        _fail("--previous-head needs a --page or an --entry to check against it", 2)
    text = _read(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return text
    head = document.get("head") if isinstance(document, dict) else None
    if not isinstance(head, str):
        _fail(f"{path} holds no subject head (only the newest page carries one)", 2)
    return head


def _verify(
    verifiers: list[NoteVerifier],
    remote: HttpLedger | None,
    checkpoint_path: Path | None,
    entries: list[Path],
    previous: Path | None,
    consistency_path: Path | None,
    page_paths: list[Path],
    subject: str | None,
    origin: str | None,
    previous_head: str | None = None,
) -> None:
    pages = [_read_json(path) for path in page_paths]
    for path, document in zip(page_paths, pages, strict=True):
        if not isinstance(document, dict):
            _fail(f"{path} is not a page object", 2)
    page = pages[0] if pages else None
    if checkpoint_path is not None:
        note = _read(checkpoint_path)
    elif remote is not None:
        note = remote.latest_checkpoint()
    elif isinstance(page, dict) and isinstance(page.get("checkpoint"), str):
        note = page["checkpoint"]
    else:
        _fail("give --checkpoint, --url or --page", 2)
    checked = verify_checkpoint(note, verifiers, origin)
    typer.echo(f"OK checkpoint: {_describe(checked)}")
    for path in entries:
        index, leaf, proof = _entry_bundle(path, checked, remote)
        verified = verified_entry(checked, leaf, index, proof)
        typer.echo(f"OK entry {index}: leaf hash {verified.leaf_hash.hex()} is in the checkpoint")
        if previous_head is not None:
            if check_entry_not_omitted(previous_head, verifiers, checked, note, verified):
                typer.echo(f"OK entry {index} fits the previous head")
            else:
                typer.echo(f"note: entry {index} is not about the previous head's subject")
    if previous is not None:
        older = verify_checkpoint(_read(previous), verifiers, origin or checked.origin)
        if consistency_path is not None:
            proof = _proof_file(consistency_path)
        elif remote is not None and 0 < older.size < checked.size:
            proof = remote.consistency_proof(older.size, checked.size)
        else:
            proof = []
        verify_checkpoint_consistency(older, checked, proof)
        typer.echo(f"OK consistent: size {checked.size} extends size {older.size}")
    if pages:
        joined = _verify_pages(verifiers, remote, page_paths, pages, subject, origin)
        report = joined.newest
        if report.checkpoint != checked:
            _relate(remote, report.checkpoint, checked, "the page's checkpoint differs")
        if previous_head is not None:
            _check_previous_head(verifiers, remote, previous_head, joined)


def _verify_pages(
    verifiers: list[NoteVerifier],
    remote: HttpLedger | None,
    paths: list[Path],
    pages: list[Any],
    subject: str | None,
    origin: str | None,
) -> JoinedPages:
    """Verify each page on its own, then that they join, newest first."""
    reports: list[PageReport] = []
    for number, (path, page) in enumerate(zip(paths, pages, strict=True), start=1):
        name = "page" if len(pages) == 1 else f"page {number} ({path})"
        try:
            report = verify_subject_page(page, verifiers, origin=origin, subject=subject)
        except VerificationError as exc:
            if len(pages) == 1:
                raise
            raise VerificationError(f"{name}: {exc.message}", detail=exc.detail) from exc
        typer.echo(
            f"OK {name}: {len(report.entries)} entries of {report.subject} in checkpoint size "
            f"{report.checkpoint.size}, chain unbroken"
            + (f" ({report.redacted} redacted)" if report.redacted else "")
        )
        if report.head is not None and number == 1:
            typer.echo(f"OK head: {report.head.describe()}, the page's newest (save the page)")
        reports.append(report)
        subject = subject or report.subject
        origin = origin or report.checkpoint.origin
    trees = {(r.checkpoint.size, r.checkpoint.root_hash) for r in reports}
    try:
        joined = join_subject_pages(reports, remote.consistency_proof if remote else None)
    except Inconclusive as exc:
        hint = ""
        if remote is None and len(trees) > 1:
            hint = (
                "; give --url to have the gateway prove the trees consistent (a public proof, "
                "checked here), or fetch the older pages again with size=<page 1's tree size> "
                "so that they share its checkpoint"
            )
        raise Inconclusive(exc.message + hint, detail=exc.detail) from exc
    newest = reports[0].checkpoint
    for number, report in enumerate(reports[1:], start=2):
        if report.checkpoint != newest:
            typer.echo(
                f"OK consistent: page {number}'s checkpoint (size {report.checkpoint.size}) "
                f"and page 1's (size {newest.size}) are one log's"
            )
    if len(reports) > 1:
        entries = joined.entries
        span = f" (indices {entries[0].index} to {entries[-1].index})" if entries else ""
        typer.echo(
            f"OK joined {len(reports)} pages: {len(entries)} entries of {joined.subject}{span}, "
            f"chain unbroken across pages"
            + (f" ({joined.redacted} redacted)" if joined.redacted else "")
        )
    return joined


def _relate(remote: HttpLedger | None, first: Checkpoint, second: Checkpoint, what: str) -> None:
    """Prove two trees consistent with the gateway's consistency proof, if there is a gateway."""
    older, newer = sorted((first, second), key=lambda c: c.size)
    if remote is None:
        typer.echo(f"note: {what}; give --url to relate them")
        return
    proof = remote.consistency_proof(older.size, newer.size) if 0 < older.size < newer.size else []
    verify_checkpoint_consistency(older, newer, proof)
    typer.echo(f"OK consistent: size {newer.size} extends size {older.size}")


def _check_previous_head(
    verifiers: list[NoteVerifier], remote: HttpLedger | None, note: str, joined: JoinedPages
) -> None:
    result = verify_no_omission(note, verifiers, joined)
    report = joined.newest
    previous = result.previous
    if previous.size != report.checkpoint.size:
        tree = Checkpoint(previous.origin, previous.size, previous.root_hash)
        try:
            _relate(remote, tree, report.checkpoint, "the previous head is of another tree size")
        except VerificationError as exc:
            raise Omission(
                f"the previous head's tree and the page's checkpoint are not consistent: "
                f"{exc.message}",
                previous_head=note,
                checkpoint=report.checkpoint_note,
            ) from exc
    if result.unproven is not None:
        more = _more_pages(result.missing, result.before, report.checkpoint.size)
        _fail(f"not concluded: {result.unproven}{more}", 2)
    since = "no entry" if previous.index is None else f"subject_seq {previous.subject_seq}"
    where = "this page" if len(joined.pages) == 1 else f"these {len(joined.pages)} pages"
    typer.echo(
        f"OK no omission: every entry of {report.subject} since the previous head ({since} "
        f"below size {previous.size}) is on {where}"
    )


def _more_pages(missing: int, before: int | None, size: int) -> str:
    """How to fetch what the pages lack (``verify`` fetches no pages: they need the
    subject's own credentials): pinned to the first page's checkpoint size, so the older
    pages share its checkpoint and join offline."""
    if missing <= 0 or before is None:
        return ""
    pages = -(-missing // access_log.MAX_LIMIT)
    return (
        f" (at least {pages} more page{'s' if pages > 1 else ''} at the access log's maximum "
        f"limit of {access_log.MAX_LIMIT}: credgate call GET "
        f'"/v1/me/access-log?limit={access_log.MAX_LIMIT}&before={before}&size={size}" '
        f"--principal ... "
        f"--key ... > older.json)"
    )


def _save_state(path: Path, note: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(note, encoding="utf-8")
    os.replace(temporary, path)


@ledger_app.command()
def audit(
    url: Annotated[str, typer.Argument(help="gateway base URL")],
    key: KeyOption = None,
    key_file: KeyFileOption = None,
    origin: OriginOption = None,
    interval: Annotated[float, typer.Option(help="seconds between polls")] = 10.0,
    count: Annotated[int, typer.Option(help="number of polls; 0 polls forever")] = 1,
    state: Annotated[
        Path | None,
        typer.Option(help="file keeping the last verified checkpoint between runs"),
    ] = None,
    history: Annotated[
        bool, typer.Option(help="also check every checkpoint issued since the last one seen")
    ] = False,
) -> None:
    """Follow the gateway's checkpoints and report any two that are not consistent."""
    verifiers = _verifiers(key, key_file)
    trusted = _read(state) if state is not None and state.exists() else None
    try:
        auditor = Auditor(verifiers, origin=origin, trusted_note=trusted)
    except VerificationError as exc:
        _fail(f"saved state {state}: {exc.message}", 2)
    polls = 0
    unreachable = False
    with HttpLedger(url) as source:
        while True:
            try:
                seen = auditor.catch_up(source) if history else []
                seen.append(auditor.poll(source))
                unreachable = False
                for observation in seen:
                    typer.echo(f"{observation.verdict.value}: {_describe(observation.checkpoint)}")
            except Inconsistent as exc:
                typer.echo(f"INCONSISTENT: {exc.message}", err=True)
                typer.echo(json.dumps(exc.detail, indent=2), err=True)
                raise typer.Exit(1) from None
            except VerificationError as exc:
                _fail(exc.message)
            except (FetchFailed, LedgerError) as exc:
                unreachable = True
                typer.echo(f"warning: {exc}", err=True)
            if state is not None and auditor.note is not None:
                _save_state(state, auditor.note)
            polls += 1
            if count and polls >= count:
                break
            time.sleep(interval)
    if unreachable:
        raise typer.Exit(2)


def _key_path(key_path: Path | None) -> tuple[Path, Settings]:
    settings = get_settings()
    return key_path or settings.effective_ledger_key_path, settings


@ledger_app.command("key")
def show_key(key_path: KeyPathOption = None) -> None:
    """Print the verifier key of the signing key (creating the key if missing)."""
    path, settings = _key_path(key_path)
    typer.echo(init_signing_key(path, settings.ledger_origin))


@ledger_app.command("rotate-key")
def rotate_key(
    key_path: KeyPathOption = None,
    complete: Annotated[
        bool, typer.Option("--complete", help="stop co-signing with the previous key")
    ] = False,
) -> None:
    """Start a key rotation (new key; the old one co-signs until --complete) or finish one.

    Restart the gateway afterwards; old checkpoints stay verifiable with the old key, which
    the gateway keeps listing at /v1/ledger/keys.
    """
    path, settings = _key_path(key_path)
    try:
        if complete:
            done = complete_rotation(path)
            typer.echo("rotation complete" if done else "no rotation in progress")
            return
        old = NoteSigner(settings.ledger_origin, load_signing_key(path)).verifier_key
        new = NoteSigner(settings.ledger_origin, rotate_signing_key(path)).verifier_key
    except LedgerError as exc:
        _fail(exc.message, 2)
    typer.echo(f"old verifier key: {old}")
    typer.echo(f"new verifier key: {new}")
    typer.echo("checkpoints are now signed by both; run rotate-key --complete when verifiers")
    typer.echo("have the new key")


@ledger_app.command()
def check(
    database_url: Annotated[
        str | None, typer.Option(help="the ledger's database (default: from settings)")
    ] = None,
    origin: OriginOption = None,
) -> None:
    """Recompute every hash in the ledger's database and check every checkpoint (O(n))."""
    from gateway.db import make_engine
    from ledger.integrity import check_storage
    from ledger.sql_store import SqlStore

    settings = get_settings()
    # The ledger may live in its own database (settings.effective_ledger_database_url).
    url = database_url or str(
        getattr(settings, "effective_ledger_database_url", settings.effective_database_url)
    )
    engine = make_engine(url)
    try:
        with SqlStore(engine).reader() as reader:
            report = check_storage(reader, reader.verifier_keys(), origin or settings.ledger_origin)
    except LedgerError as exc:
        _fail(exc.message)
    finally:
        engine.dispose()
    typer.echo(
        f"OK {report.size} entries ({report.redacted} redacted), {report.nodes} nodes, "
        f"{report.checkpoints} checkpoints; root {report.root_hash.hex()}"
    )
