"""Imports through staging, on SQLite and PostgreSQL: nothing visible until the whole
file is checked, whole chunks once publishing, duplicates found in SQL with their
lines, another writer getting its turn mid-import, one import per scope, and the
repair of an import whose process died or went quiet."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime, timedelta
from itertools import chain

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from portal_app.models import (
    AuditEvent,
    Cdr,
    Customer,
    ImportBatch,
    RateEntry,
    cdr_staging,
    rate_staging,
)
from portal_app.models.base import utcnow
from portal_app.services import cdrs
from portal_app.services.errors import Conflict
from portal_app.services.identity import SYSTEM
from portal_app.services.import_batches import STALE, import_recover
from portal_app.services.imports import import_cdrs, import_rates
from portal_app.services.processes import HOST
from portal_app.services.rates import card_create
from tests.services.import_child import HEADER, cdr_lines

GUARD = 120  # seconds: only so a broken import cannot hang the run; never asserted


class Stop(Exception):
    """Raised from a progress callback: the import stops as if its process died."""


def _customer(db: Session) -> int:
    customer = Customer(name="Import Carrier", currency="USD")
    db.add(customer)
    db.commit()
    return customer.id


def _visible(engine, tag: str) -> int:
    """CDRs of a file as any reader sees them: committed rows of the cdr table."""
    with Session(engine) as s:
        like = Cdr.sip_call_id.like(f"{tag}-%")
        return s.exec(select(func.count()).select_from(Cdr).where(like)).one()


def _staged(engine, table: sa.Table = cdr_staging) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()


def _batches(db: Session) -> list[tuple[str, int, str]]:
    db.commit()
    rows = db.exec(select(ImportBatch).order_by(ImportBatch.id)).all()
    for row in rows:
        db.refresh(row)
    return [(b.status, b.rows, b.message) for b in rows]


def _audits(db: Session, action: str = "cdr.import") -> list[dict]:
    db.commit()
    return list(
        db.exec(
            select(AuditEvent.after).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
    )


def _dies(db: Session) -> None:
    """The process of every active batch is gone (its pid no longer exists)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    db.exec(sa.update(ImportBatch).values(owner=f"{HOST}:{proc.pid}:gone"))
    db.commit()


def _stop_after_first_chunk(done: int, total: int) -> None:
    """Publishing starts with at most CHUNK rows: a 6,000-row file stops half done."""
    if total and done:
        raise Stop


def test_nothing_is_visible_until_every_row_is_checked(db, engine):
    cid = _customer(db)
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total, _visible(engine, "a"), _staged(engine)))

    bad = [f"yesterday,{cid},44,1,a-x,0\n", f"2026-11-02T00:00:00Z,{cid},44,1,a-1,0\n"]
    result = import_cdrs(
        session=db, actor=SYSTEM, lines=chain(cdr_lines(cid, 12_000, "a"), bad), progress=progress
    )
    assert not result.ok and result.imported == 0 and result.error_count == 2
    assert result.errors == [
        (12_002, "call_start is not an ISO 8601 time with a zone"),
        (12_003, "sip_call_id repeats line 3"),
    ]
    # Staged a chunk at a time, never visible; the repeat was only found at the end.
    assert len(seen) >= 3 and seen[-1] == (12_001, 0, 0, 12_001)
    assert all(total == visible == 0 and staged == done for done, total, visible, staged in seen)
    assert [done for done, *_ in seen] == sorted({done for done, *_ in seen})
    assert _visible(engine, "a") == 0 and _staged(engine) == 0
    assert _batches(db) == [("failed", 12_001, "2 bad rows.")] and _audits(db) == []


def test_readers_see_whole_chunks_and_every_row_once(db, engine):
    cid = _customer(db)
    month = cdrs.CdrQuery(
        customer_id=cid,
        start=datetime(2026, 10, 31, tzinfo=UTC),
        end=datetime(2026, 12, 2, tzinfo=UTC),
    )
    reads = []

    def progress(done: int, total: int) -> None:
        if total:
            with Session(engine) as s:
                reads.append((done, cdrs.cdr_totals(session=s, actor=SYSTEM, query=month).calls))

    result = import_cdrs(
        session=db, actor=SYSTEM, lines=cdr_lines(cid, 12_000, "b"), progress=progress
    )
    assert result.ok and result.imported == 12_000
    assert reads[0] == (0, 0) and reads[-1] == (12_000, 12_000) and len(reads) >= 3
    assert all(done == calls for done, calls in reads)  # the report counts whole chunks
    assert _staged(engine) == 0 and _batches(db) == [("done", 12_000, "")]
    assert _audits(db) == [{"rows": 12_000}]


def test_duplicates_are_found_in_sql_reported_by_line_and_counted(db, engine):
    cid = _customer(db)
    assert import_cdrs(session=db, actor=SYSTEM, lines=cdr_lines(cid, 100, "c")).ok

    def row(call: str, at: str = "2026-11-25T10:00:00Z") -> str:
        return f"{at},{cid},4420,60,{call},0\n"

    rows = [row("c-0"), row("n-0"), row("n-1"), *(row(f"c-{i}") for i in range(1, 60))]
    rows += [row("n-0"), row("n-9", at="never")]
    result = import_cdrs(session=db, actor=SYSTEM, lines=[HEADER, *rows])
    assert result.error_count == 60 + 1 + 1  # imported before, a repeat, a bad time
    assert len(result.errors) == 50 and result.errors == sorted(result.errors)
    assert result.errors[:3] == [
        (2, "sip_call_id c-0 was imported before"),
        (5, "sip_call_id c-1 was imported before"),
        (6, "sip_call_id c-2 was imported before"),
    ]
    tail = import_cdrs(session=db, actor=SYSTEM, lines=[HEADER, row("n-0"), *rows[-2:]])
    assert tail.errors == [
        (3, "sip_call_id repeats line 2"),
        (4, "call_start is not an ISO 8601 time with a zone"),
    ]
    # A key both repeated and imported before: its first line says so, the repeat repeats.
    twice = import_cdrs(session=db, actor=SYSTEM, lines=[HEADER, row("c-7"), row("c-7")])
    assert twice.errors == [
        (2, "sip_call_id c-7 was imported before"),
        (3, "sip_call_id repeats line 2"),
    ]
    assert _visible(engine, "n") == 0 and _staged(engine) == 0


def test_another_writer_commits_while_a_big_import_runs(db, engine):
    """The import stops at a committed point in staging and in publishing and waits
    for the other writer's commit: were it holding the write lock across the file
    (one transaction, as before), that commit could not happen and this would fail."""
    cid = _customer(db)
    paused, written = threading.Event(), threading.Event()
    order: list[str] = []
    outcome = {}

    def progress(done: int, total: int) -> None:
        phase = "publishing" if total else "staging"
        if (total == 0 or 0 < done < total) and f"{phase} paused" not in order:
            order.append(f"{phase} paused")
            paused.set()
            if not written.wait(GUARD):
                raise Stop
            written.clear()

    def run() -> None:
        with Session(engine) as session:
            lines = cdr_lines(cid, 12_000, "w")
            outcome["result"] = import_cdrs(
                session=session, actor=SYSTEM, lines=lines, progress=progress
            )
        order.append("import done")

    importer = threading.Thread(target=run)
    importer.start()
    for phase in ("staging", "publishing"):
        assert paused.wait(GUARD)
        paused.clear()
        with Session(engine) as other:
            other.add(Customer(name=f"Written while {phase}", currency="EUR"))
            other.commit()
        order.append(f"written while {phase}")
        written.set()
    importer.join(GUARD)
    assert order == [
        "staging paused",
        "written while staging",
        "publishing paused",
        "written while publishing",
        "import done",
    ]
    assert outcome["result"].imported == 12_000 and _visible(engine, "w") == 12_000


def test_one_import_at_a_time_and_a_dead_ones_batch_is_completed_first(db, engine):
    cid = _customer(db)
    with pytest.raises(Stop):
        import_cdrs(
            session=db,
            actor=SYSTEM,
            lines=cdr_lines(cid, 6000, "e"),
            progress=_stop_after_first_chunk,
        )
    assert 0 < _visible(engine, "e") < 6000  # stopped mid-publishing
    with pytest.raises(Conflict, match="Another import of call records is running"):
        import_cdrs(session=db, actor=SYSTEM, lines=cdr_lines(cid, 10, "f"))
    _dies(db)
    assert import_cdrs(session=db, actor=SYSTEM, lines=cdr_lines(cid, 10, "f")).ok
    assert (_visible(engine, "e"), _visible(engine, "f"), _staged(engine)) == (6000, 10, 0)
    assert [s for s, *_ in _batches(db)] == ["done", "done"]
    assert _audits(db) == [{"rows": 6000}, {"rows": 10}]


def test_a_quiet_batch_of_another_host_is_taken_over_once_stale(db, engine):
    cid = _customer(db)
    with pytest.raises(Stop):
        import_cdrs(
            session=db,
            actor=SYSTEM,
            lines=cdr_lines(cid, 6000, "q"),
            progress=_stop_after_first_chunk,
        )
    db.exec(sa.update(ImportBatch).values(owner="elsewhere:4242:x", heartbeat_at=utcnow()))
    db.commit()
    assert import_recover(session=db) == []  # alive as far as anyone here can tell
    quiet = utcnow() - STALE - timedelta(seconds=1)
    db.exec(sa.update(ImportBatch).values(heartbeat_at=quiet))
    db.commit()
    batch_id = db.exec(select(ImportBatch.id)).one()
    assert import_recover(session=db) == [(batch_id, "completed")]
    assert (_visible(engine, "q"), _staged(engine)) == (6000, 0)


def test_a_file_that_breaks_mid_way_leaves_nothing(db, engine):
    cid = _customer(db)

    def broken():
        yield from cdr_lines(cid, 8000, "x")
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    with pytest.raises(UnicodeDecodeError):
        import_cdrs(session=db, actor=SYSTEM, lines=broken())
    assert (_visible(engine, "x"), _staged(engine)) == (0, 0)
    [(status, _rows, message)] = _batches(db)
    assert status == "failed" and message.startswith("The import stopped:")


def test_a_row_written_meanwhile_that_clashes_takes_the_import_back_out(db, engine):
    cid = _customer(db)
    late = f"2027-01-01T00:00:00Z,{cid},4420,60,g-late,0\n"  # published last: latest call

    written: list[int] = []

    def progress(done: int, total: int) -> None:
        if total and 0 < done < total and not written:  # once, after the first chunk
            written.append(done)
            with Session(engine) as other:
                at = datetime(2027, 1, 1, tzinfo=UTC)
                other.add(Cdr(customer_id=cid, call_start=at, dialled="44", sip_call_id="g-late"))
                other.commit()

    lines = chain(cdr_lines(cid, 6000, "g"), [late])
    with pytest.raises(Conflict, match="clashed"):
        import_cdrs(session=db, actor=SYSTEM, lines=lines, progress=progress)
    assert (_visible(engine, "g"), _staged(engine)) == (1, 0)  # only the other writer's row
    assert [s for s, *_ in _batches(db)] == ["failed"] and _audits(db) == []


def test_rate_imports_go_through_staging_one_card_at_a_time(db, engine):
    one = card_create(session=db, actor=SYSTEM, name="Deck One", currency="USD")
    two = card_create(session=db, actor=SYSTEM, name="Deck Two", currency="USD")
    db.commit()
    deck = ["prefix,destination,rate,increments,effective_from\n"]
    deck += [
        f"{1_000_000 + i},Somewhere {i},0.{i % 90 + 10:04d},60/1,2026-01-01\n" for i in range(6000)
    ]
    with pytest.raises(Stop):
        import_rates(
            session=db,
            actor=SYSTEM,
            card_id=one.id,
            lines=iter(deck),
            progress=_stop_after_first_chunk,
        )
    assert import_rates(session=db, actor=SYSTEM, card_id=two.id, lines=iter(deck[:11])).ok
    with pytest.raises(Conflict, match="Another import of rates for this card is running"):
        import_rates(session=db, actor=SYSTEM, card_id=one.id, lines=iter(deck[:11]))
    _dies(db)
    assert [outcome for _, outcome in import_recover(session=db)] == ["completed"]
    db.commit()
    per_card = dict(
        db.exec(select(RateEntry.card_id, func.count()).group_by(RateEntry.card_id)).all()
    )
    assert per_card == {one.id: 6000, two.id: 10} and _staged(engine, rate_staging) == 0
    again = import_rates(session=db, actor=SYSTEM, card_id=two.id, lines=iter(deck[:3] + deck[2:3]))
    assert again.errors == [
        (2, "prefix 1000000 from 2026-01-01 is on the card"),
        (3, "prefix 1000001 from 2026-01-01 is on the card"),
        (4, "prefix 1000001 from 2026-01-01 repeats line 3"),
    ]


def test_rows_are_stored_as_the_app_stores_them_and_equal_times_publish_in_full(db, engine):
    """Many calls share a start time (publishing pages through them by time, then seq),
    and a time stamp written by an import reads and sorts like one the app wrote."""
    cid = _customer(db)
    times = ["2026-11-25T10:00:00Z", "2026-11-25T10:00:00.250000Z", "2026-11-25T11:00:00+01:00"]
    rows = [f"{times[i % 3]},{cid},4420,60,tie-{i},0\n" for i in range(12_000)]
    assert import_cdrs(session=db, actor=SYSTEM, lines=[HEADER, *rows]).imported == 12_000
    assert _visible(engine, "tie") == 12_000 and _staged(engine) == 0
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    db.add(Cdr(customer_id=cid, call_start=at, dialled="44", sip_call_id="orm-0"))
    card = card_create(session=db, actor=SYSTEM, name="Deck", currency="USD")
    db.add(RateEntry(card_id=card.id, prefix="1", destination="X", rate=1, effective_from=at))
    db.commit()
    deck = "prefix,destination,rate,effective_from\n2,Y,0.01,2026-11-25T10:00:00Z\n"
    assert import_rates(session=db, actor=SYSTEM, card_id=card.id, lines=deck.splitlines(True)).ok

    def raw(sql: str) -> list:
        return [v for (v,) in db.connection().exec_driver_sql(sql).all()]

    assert (
        raw("SELECT call_start FROM cdr WHERE sip_call_id IN ('tie-0', 'orm-0')")
        == [raw("SELECT call_start FROM cdr WHERE sip_call_id = 'orm-0'")[0]] * 2
    )
    assert len(set(raw("SELECT effective_from FROM rate_entry"))) == 1
