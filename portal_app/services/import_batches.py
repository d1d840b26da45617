"""How a checked CSV file reaches its table: staged, checked in SQL, published in chunks.

Every step is a short transaction (aimed at import_chunks.TARGET_HOLD, under a second), so an
import of a million CDRs never makes another writer wait long, and memory holds one
chunk of rows, never the file (services/import_jobs.py does the steps):

1. Staging: each good row goes into the target's staging table (models/imports.py),
   tagged with its batch and line. Readers never read staging: nothing is visible.
2. Checks, in SQL on the staged rows (reads only): keys repeated within the file and
   keys already in the table, each reported with its line. No Python set grows with
   the file. If any row is bad, the staged rows are deleted and the batch fails.
3. Publishing: chunk by chunk, one transaction each, rows move from staging into the
   table, and the batch row records how far (``published``). A reader counts each row
   once: a chunk is either in the table or still only in staging, never in both for
   a reader. (Readers may see the first chunks of a file before the last ones.)
4. Cleanup: the staged copies are deleted; the batch becomes ``done`` with its audit
   row. A batch in ``done`` or ``failed`` has no staged rows left.

All or nothing, after a crash too. The batch row says how far an import got, and
``import_recover`` (a lifespan task at app start, and the CLI before each import)
repairs every batch whose process is gone (services/processes.py) or whose heartbeat
is older than STALE: a batch still ``staging`` (it stopped while reading or checking)
is removed; a ``validated`` or ``publishing`` one had a fully checked file, so its
publishing is completed. The rule is "complete what was checked": no permanent partial
state either way. Should completing meet a row that now clashes (a key written by
something other than an import since the check), the published part is removed again
and the batch fails. Only one batch per scope (all CDRs; one rate card) is active at a
time (a partial unique index), so two imports cannot slip duplicates past each
other's checks; the second is refused with a message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.models import Cdr, ImportBatch, RateEntry, cdr_staging, rate_staging
from portal_app.models.base import utcnow
from portal_app.models.imports import ACTIVE

from .call_rollups import rollup_rows
from .errors import Conflict
from .identity import Actor
from .import_jobs import BATCH, MAX_REPORTED, Job, Progress, Target
from .processes import process_gone, this_process

__all__ = ["MAX_REPORTED", "ImportResult", "Progress", "batch_import", "import_recover"]
log = logging.getLogger("portal.imports")
STALE = timedelta(minutes=10)  # a batch this quiet is abandoned, whoever owns it


@dataclass
class ImportResult:
    """What an import did: rows imported, or the first bad rows and how many."""

    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    error_count: int = 0

    def fail(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append((line, message))

    @property
    def ok(self) -> bool:
        return self.error_count == 0


CDRS = Target(
    kind="cdr",
    table=Cdr.__table__,
    staging=cdr_staging,
    key=("sip_call_id",),
    repeats=lambda row, first: f"sip_call_id repeats line {first}",
    exists=lambda row: f"sip_call_id {row.sip_call_id} was imported before",
    action="cdr.import",
    entity="cdr",
    what="call records",
    follow=rollup_rows,
)
RATES = Target(
    kind="rate",
    table=RateEntry.__table__,
    staging=rate_staging,
    key=("card_id", "prefix", "effective_from"),
    repeats=lambda row, first: (
        f"prefix {row.prefix} from {row.effective_from.date()} repeats line {first}"
    ),
    exists=lambda row: f"prefix {row.prefix} from {row.effective_from.date()} is on the card",
    action="rate_card.import",
    entity="rate_card",
    what="rates for this card",
)
TARGETS = {t.kind: t for t in (CDRS, RATES)}


def _job(session: Session, batch_id: int, progress: Progress | None) -> Job:
    row = session.execute(sa.select(BATCH).where(BATCH.c.id == batch_id)).mappings().one()
    session.commit()
    return Job(session, TARGETS[row["kind"]], dict(row), progress)


def batch_open(
    *,
    session: Session,
    actor: Actor,
    target: Target,
    scope: str,
    target_id: int | None = None,
    progress: Progress | None = None,
) -> Job:
    """Start a batch (this commits the session). Conflict while another import of the
    same scope runs; one whose process is gone is repaired first."""
    for attempt in (1, 2):
        batch = ImportBatch(
            kind=target.kind,
            scope=scope,
            target_id=target_id,
            owner=this_process(),
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label[:320],
        )
        session.add(batch)
        try:
            session.commit()
            return _job(session, batch.id, progress)
        except IntegrityError:
            session.rollback()
            if attempt == 1:
                import_recover(session=session, scope=scope)
    raise Conflict(f"Another import of {target.what} is running; try again when it is done.")


def batch_import(
    *,
    session: Session,
    actor: Actor,
    target: Target,
    scope: str,
    rows: Iterable[tuple[int, dict]],
    result: ImportResult,
    target_id: int | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Stage the good (line, row) pairs of ``rows`` (which reports the bad ones to
    ``result``), check the whole file, then publish it or remove it."""
    job = batch_open(
        session=session,
        actor=actor,
        target=target,
        scope=scope,
        target_id=target_id,
        progress=progress,
    )
    try:
        for line, values in rows:
            job.add(line, values)
        job.flush()
        found, count = job.problems()
    except BaseException as exc:  # not UTF-8, broken CSV, a database error, Ctrl-C
        session.rollback()
        try:
            job.discard(f"The import stopped: {exc}")
        except Exception:  # the database itself failed: recovery removes it later
            log.exception("could not remove the staged rows of import %s", job.id)
        raise
    if count:
        result.errors = sorted(result.errors + found)[:MAX_REPORTED]
        result.error_count += count
    if not result.ok:
        job.discard(f"{result.error_count:,} bad rows.")
        return result
    job.validated()
    job.publish()  # should this fail, the batch stays checked and recovery completes it
    result.imported = job.rows
    return result


def _abandoned(owner: str, heartbeat: datetime, now: datetime) -> bool:
    return process_gone(owner) is True or heartbeat < now - STALE


def import_recover(*, session: Session, scope: str | None = None) -> list[tuple[int, str]]:
    """Repair the imports whose process is gone: remove the ones still being checked,
    complete the checked ones. Returns (batch id, "removed" or "completed") pairs."""
    query = select(ImportBatch.id, ImportBatch.owner, ImportBatch.heartbeat_at).where(
        ImportBatch.status.in_(ACTIVE)
    )
    if scope is not None:
        query = query.where(ImportBatch.scope == scope)
    now = utcnow()
    rows = session.exec(query).all()
    session.commit()
    outcomes = []
    for batch_id, owner, beat in rows:
        if not _abandoned(owner, beat, now):
            continue
        taken = session.execute(
            sa.update(BATCH)
            .where(BATCH.c.id == batch_id, BATCH.c.owner == owner)
            .values(owner=this_process(), heartbeat_at=utcnow())
        ).rowcount
        session.commit()
        if taken != 1:
            continue  # another process took it over first
        job = _job(session, batch_id, None)
        try:
            if job.status == "staging":
                job.discard("The import stopped before every row was checked.")
            elif job.status == "removing":
                job.remove("A row clashed with one written meanwhile; nothing was imported.")
            else:
                job.publish()
        except Conflict:  # it clashed (and was removed), or another process took it
            pass
        outcome = {"done": "completed", "failed": "removed"}.get(job.status, "taken over")
        log.info("import %s repaired: %s", batch_id, outcome)
        outcomes.append((batch_id, outcome))
    return outcomes
