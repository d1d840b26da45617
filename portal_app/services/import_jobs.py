"""The steps of one import batch, each a short transaction: stage, check, publish, remove.

services/import_batches.py says when each step runs and why; this module does them.
Every write checks that the batch is still this process's (``owner``) and in the
status this process last left it in, so a process that lost its batch to recovery
stops at its next chunk instead of writing beside the new owner.

The duplicate checks group the staged keys in SQL, in the database's own temporary
storage (reads only: no write lock is held meanwhile). Publishing walks the staged rows
in publishing order (models/imports.py) by keyset: each chunk ends at a row whose seq
the batch records, so a crash resumes exactly after the last committed chunk.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal_app.models import ImportBatch
from portal_app.models.base import utcnow
from portal_app.models.imports import PUBLISH_ORDER

from .audit import audit_record
from .errors import Conflict
from .identity import Actor
from .import_chunks import CHUNK, Pacer, insert_many

log = logging.getLogger("portal.imports")
MAX_REPORTED = 50
Progress = Callable[[int, int], None]  # (rows done, total); total is 0 while checking
BATCH = ImportBatch.__table__
OPERATORS = {">": operator.gt, "<=": operator.le}


@dataclass(frozen=True)
class Target:
    """A table files are imported into, its staging table, and its duplicate messages."""

    kind: str
    table: sa.Table
    staging: sa.Table
    key: tuple[str, ...]  # unique within a file and within the table
    repeats: Callable[[Any, int], str]  # (staged row, first line) -> message
    exists: Callable[[Any], str]
    action: str  # of the audit row
    entity: str
    what: str  # in messages: "call records"
    # Called in the transaction of each chunk published or removed, with a select of
    # that chunk's staged rows: what must follow the table (the CDRs' call rollups).
    follow: Callable[[sa.Connection, sa.Select], None] | None = None


class Job:
    """One batch, worked on by the process that owns it."""

    def __init__(self, session: Session, target: Target, row: dict, progress: Progress | None):
        self.session, self.target, self.progress = session, target, progress
        self.id: int = row["id"]
        self.owner: str = row["owner"]
        self.status: str = row["status"]
        self.rows: int = row["rows"]
        self.published: int = row["published"]
        self.published_seq: int = row["published_seq"]
        self.target_id: int | None = row["target_id"]
        self.actor = Actor(kind=row["actor_kind"], id=row["actor_id"], label=row["actor_label"])
        self.pacer = Pacer(session)
        self._buffer: list[dict] = []

    def _mark(self, **values: Any) -> None:
        """Update the batch row in the current transaction, if the batch is still ours."""
        done = self.session.execute(
            sa.update(BATCH)
            .where(BATCH.c.id == self.id, BATCH.c.owner == self.owner)
            .where(BATCH.c.status == self.status)
            .values(heartbeat_at=utcnow(), **values)
        ).rowcount
        if done != 1:
            self.session.rollback()
            raise Conflict("This import was taken over by another process.")
        self.status = values.get("status", self.status)

    def _report(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(done, total)

    def add(self, line: int, values: dict) -> None:
        """Stage one good row; a full chunk goes to the database."""
        seq = self.rows + len(self._buffer) + 1
        self._buffer.append({"batch_id": self.id, "seq": seq, "line": line, **values})
        if len(self._buffer) >= min(CHUNK, self.pacer.size):
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        self.pacer.begin()
        insert_many(self.session, self.target.staging, self._buffer)
        self._mark(rows=self.rows + len(self._buffer))
        self.pacer.commit(self.session, len(self._buffer))
        self.rows += len(self._buffer)
        self._buffer.clear()
        self._report(self.rows, 0)

    def problems(self) -> tuple[list[tuple[int, str]], int]:
        """Keys repeated within the file, and keys already in the table (each reported
        at its first line only): the first MAX_REPORTED (line, message), and the count."""
        s, t, key = self.target.staging, self.target.table, self.target.key
        mine = s.c.batch_id == self.id
        cols = [s.c[k] for k in key]
        dups = (
            sa.select(*cols, sa.func.min(s.c.line).label("first"))
            .where(mine)
            .group_by(*cols)
            .having(sa.func.count() > 1)
            .subquery()
        )
        same = [s.c[k] == dups.c[k] for k in key]
        repeats = (
            sa.select(s.c.line, *cols, dups.c.first)
            .join(dups, sa.and_(*same))
            .where(mine, s.c.line > dups.c.first)
            .order_by(s.c.seq)
        )
        exists = (
            sa.select(s.c.line, *cols)
            .where(mine, sa.exists().where(*(t.c[k] == s.c[k] for k in key)))
            .where(~sa.exists().where(*same, dups.c.first < s.c.line))
            .order_by(s.c.seq)
        )
        found: list[tuple[int, str]] = []
        count = 0
        streamed = {"stream_results": True, "max_row_buffer": 1000}
        for query, message in (
            (repeats, lambda r: self.target.repeats(r, r.first)),
            (exists, self.target.exists),
        ):
            for n, row in enumerate(self.session.execute(query, execution_options=streamed)):
                if n < MAX_REPORTED:
                    found.append((row.line, message(row)))
                count += 1
        self.session.commit()  # ends the read (PostgreSQL would keep its snapshot)
        return sorted(found)[:MAX_REPORTED], count

    def validated(self) -> None:
        self.pacer.begin()
        self._mark(status="validated")
        self.pacer.commit(self.session)

    def _order(self) -> list[sa.ColumnElement]:
        s = self.target.staging
        return [s.c[c] for c in PUBLISH_ORDER[self.target.kind]] + [s.c.seq]

    def _beside(self, op: str, seq: int) -> sa.ColumnElement[bool]:
        """Staged rows before/after (by ``op``) row ``seq`` in publishing order."""
        s, order = self.target.staging, self._order()
        mark = self.session.execute(
            sa.select(*order).where(s.c.batch_id == self.id, s.c.seq == seq)
        ).one()
        values = sa.tuple_(*(sa.literal(v, c.type) for v, c in zip(mark, order, strict=True)))
        return sa.tuple_(*order).operate(OPERATORS[op], values)

    def publish(self) -> None:
        """Move the staged rows into the table a chunk at a time, in publishing order
        (see models/imports.py), then clean up."""
        s, t, order = self.target.staging, self.target.table, self._order()
        cols = [c.name for c in s.columns if c.name not in ("batch_id", "seq", "line")]
        self.pacer.size = min(self.pacer.size, CHUNK)  # inserting costs more than staging
        self._report(self.published, self.rows)
        while self.published < self.rows:
            n = min(self.pacer.size, self.rows - self.published)
            rest = [s.c.batch_id == self.id]
            if self.published_seq:
                rest.append(self._beside(">", self.published_seq))
            self.pacer.begin()
            last = self.session.execute(
                sa.select(s.c.seq).where(*rest).order_by(*order).offset(n - 1).limit(1)
            ).scalar_one()
            chunk = sa.select(*(s.c[c] for c in cols)).where(*rest, self._beside("<=", last))
            try:
                self.session.execute(sa.insert(t).from_select(cols, chunk.order_by(*order)))
                if self.target.follow:
                    self.target.follow(self.session.connection(), chunk)
            except IntegrityError as exc:
                self.session.rollback()
                log.warning("import %s clashed while publishing: %s", self.id, exc.orig)
                message = "A row clashed with one written meanwhile; nothing was imported."
                self.remove(message)
                raise Conflict(message) from None
            self._mark(status="publishing", published=self.published + n, published_seq=last)
            self.pacer.commit(self.session, n)
            self.published, self.published_seq = self.published + n, last
            self._report(self.published, self.rows)
        self._clear()
        self.pacer.begin()
        self._mark(status="done")
        audit_record(
            session=self.session,
            actor=self.actor,
            action=self.target.action,
            entity=self.target.entity,
            entity_id="" if self.target_id is None else self.target_id,
            after={"rows": self.rows},
        )
        self.pacer.commit(self.session)

    def remove(self, message: str) -> None:
        """Take the published rows out of the table again, then discard the batch."""
        s, t, key = self.target.staging, self.target.table, self.target.key
        if self.status != "removing":
            self.pacer.begin()
            self._mark(status="removing")
            self.pacer.commit(self.session)
        if self.published_seq:
            published = self._beside("<=", self.published_seq)
            low = 0
            while low < self.rows:
                high = low + self.pacer.size
                ours = sa.select(*(s.c[k] for k in key)).where(
                    s.c.batch_id == self.id, s.c.seq > low, s.c.seq <= high, published
                )
                self.pacer.begin()
                self.session.execute(
                    sa.delete(t).where(sa.tuple_(*(t.c[k] for k in key)).in_(ours))
                )
                if self.target.follow:
                    self.target.follow(
                        self.session.connection(),
                        sa.select(s).where(
                            s.c.batch_id == self.id, s.c.seq > low, s.c.seq <= high, published
                        ),
                    )
                self._mark()
                self.pacer.commit(self.session, high - low)
                low = high
            self.pacer.begin()
            self._mark(published=0, published_seq=0)
            self.pacer.commit(self.session)
            self.published = self.published_seq = 0
        self.discard(message)

    def _clear(self) -> None:
        """Delete this batch's staged rows, a chunk per transaction."""
        s = self.target.staging
        low = 0
        while low < self.rows:
            high = low + self.pacer.size
            self.pacer.begin()
            self.session.execute(
                sa.delete(s).where(s.c.batch_id == self.id, s.c.seq > low, s.c.seq <= high)
            )
            self._mark()
            self.pacer.commit(self.session, high - low)
            low = high

    def discard(self, message: str) -> None:
        """Remove what was staged (nothing is published) and mark the batch failed."""
        self._buffer.clear()
        self._clear()
        self.pacer.begin()
        self._mark(status="failed", message=message[:500])
        self.pacer.commit(self.session)
