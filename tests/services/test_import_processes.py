"""Imports in their own processes: SIGKILLed in the middle of each phase, then repaired
(all rows or none, nothing left in staging, no upload file left behind), the CLI
completing what a killed CLI import started, and memory that does not grow with the
file."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from portal_app.models import AuditEvent, Cdr, Customer, ImportBatch, cdr_staging
from portal_app.services.db import make_engine
from portal_app.services.import_batches import import_recover
from portal_app.services.import_files import import_files_sweep
from tests import backend
from tests.conftest import empty_tables
from tests.services.import_child import cdr_lines

CHILD = Path(__file__).with_name("import_child.py")
PORTAL = str(Path(sys.executable).parent / "portal")
ROWS = 6000  # more than one chunk in each phase (publishing starts with 5,000 at most)
GUARD = 180  # seconds: only so a broken child cannot hang the run; never asserted
_CHILDREN: list[Child] = []  # killed after each test, so a failed test leaves none behind


class Child:
    """A subprocess whose output is read on a thread, so waiting for a line can end."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None):
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, bufsize=0
        )
        _CHILDREN.append(self)
        self.seen = ""
        self._chunks: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while chunk := os.read(self.proc.stdout.fileno(), 4096):
                self._chunks.put(chunk)
        finally:
            self._chunks.put(b"")

    def wait_for(self, text: str, whole_line: bool = True, guard: float = GUARD) -> str:
        """What follows ``text`` on its line, once the line is complete (or at once:
        the CLI's progress line is rewritten in place and ends only with the import)."""
        while text not in self.seen or (whole_line and "\n" not in self.seen.split(text, 1)[1]):
            chunk = self._chunks.get(timeout=guard)
            if not chunk:
                raise AssertionError(
                    f"ended (rc {self.proc.wait()}) without {text!r}:\n{self.seen}"
                )
            self.seen += chunk.decode()
        return self.seen.split(text, 1)[1].split("\n", 1)[0]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()  # reaped: its pid is gone, as after a real crash


@pytest.fixture(autouse=True)
def _no_child_outlives_its_test():
    """A child still running when its test ends (a failed wait) would go on writing into
    the next test's database, so it is killed here."""
    yield
    while _CHILDREN:
        child = _CHILDREN.pop()
        if child.proc.poll() is None:
            child.kill()


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _customer(db: Session) -> int:
    customer = Customer(name="Crash Test Carrier", currency="USD")
    db.add(customer)
    db.commit()
    return customer.id


def _import_child(engine, customer_id: int, rows: int, tag: str, pause: str) -> Child:
    args = [sys.executable, str(CHILD), _url(engine), str(customer_id), str(rows), tag, pause]
    return Child(args)


def _counts(db: Session, tag: str) -> tuple[int, int, int]:
    """(CDRs of the file, rows left in staging, audit rows of finished imports)."""
    db.commit()
    cdrs = db.exec(
        select(func.count()).select_from(Cdr).where(Cdr.sip_call_id.like(f"{tag}-%"))
    ).one()
    staged = db.exec(select(func.count()).select_from(cdr_staging)).one()
    audits = db.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "cdr.import")
    ).one()
    return cdrs, staged, audits


@pytest.mark.parametrize(
    ("phase", "outcome", "rows_after"),
    [
        ("staging", "removed", 0),  # a chunk staged, the file not yet checked
        ("validated", "completed", ROWS),  # checked, nothing published
        ("publishing", "completed", ROWS),  # the first chunk published
        ("cleanup", "completed", ROWS),  # all published, staged copies still there
    ],
)
def test_a_kill_9_in_any_phase_is_repaired_to_all_or_nothing(
    db, engine, phase, outcome, rows_after
):
    customer_id = _customer(db)
    child = _import_child(engine, customer_id, ROWS, f"k{phase}", phase)
    upload = child.wait_for("FILE ")
    child.wait_for(f"PAUSED {phase}")
    before = _counts(db, f"k{phase}")
    child.kill()
    assert Path(upload).exists()  # what a crash leaves behind
    published = db.exec(select(ImportBatch.published)).one()
    # Before the repair a reader saw none of the file, or whole chunks of it.
    assert before[0] == published and before[1] > 0
    assert (0 < published < ROWS) if phase == "publishing" else published in (0, ROWS)

    assert import_recover(session=db) == [(db.exec(select(ImportBatch.id)).one(), outcome)]
    assert _counts(db, f"k{phase}") == (rows_after, 0, 1 if rows_after else 0)
    batch = db.exec(select(ImportBatch)).one()
    db.refresh(batch)
    assert batch.status == ("done" if rows_after else "failed")
    # Gone after a sweep (maybe another test's: the directory is the machine's, so its
    # count is not this test's to assert).
    import_files_sweep()
    assert not Path(upload).exists()


def test_a_live_import_is_not_repaired_and_its_upload_file_stays(db, engine):
    customer_id = _customer(db)
    child = _import_child(engine, customer_id, ROWS, "live", "publishing")
    upload = child.wait_for("FILE ")
    child.wait_for("PAUSED publishing")
    try:
        assert import_recover(session=db) == []
        import_files_sweep()
        assert Path(upload).exists()
        db.commit()
        assert db.exec(select(ImportBatch.status)).one() == "publishing"
    finally:
        child.kill()
    import_recover(session=db)
    import_files_sweep()
    assert _counts(db, "live")[:2] == (ROWS, 0) and not Path(upload).exists()


def test_the_cli_completes_what_a_killed_cli_import_started(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    env = dict(os.environ, PORTAL_DATABASE_URL=db_url)
    subprocess.run([PORTAL, "migrate"], env=env, check=True, capture_output=True)
    engine = make_engine(db_url)
    with Session(engine) as session:
        customer_id = _customer(session)
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    big.write_text("".join(cdr_lines(customer_id, 20_000, "big")))
    small.write_text("".join(cdr_lines(customer_id, 10, "small")))
    first = Child([PORTAL, "import-cdrs", str(big)], env=env)
    first.wait_for("rows written", whole_line=False)  # publishing begins: kill it there
    first.kill()
    second = subprocess.run(
        [PORTAL, "import-cdrs", str(small)], env=env, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr
    assert "Imported 10 rows." in second.stdout
    with Session(engine) as session:
        big_rows, staged, _ = _counts(session, "big")
        statuses = session.exec(select(ImportBatch.status)).all()
    assert (big_rows, staged) == (20_000, 0) and statuses == ["done", "done"]
    if "Imported 20,000 rows." not in first.seen:  # killed before it finished
        assert "An interrupted import (batch 1) was completed." in second.stdout
    engine.dispose()


@pytest.fixture()
def own_database(request):
    """On the PostgreSQL suite, a database of this test's own: on the one every service
    test shares, this import timed out twice in CI for a cause not yet found (a
    timeout now prints the database's sessions, _blockers). On SQLite, the suite's."""
    engine = request.getfixturevalue("postgres_engine" if backend.POSTGRES else "app_engine")
    yield engine
    empty_tables(engine)


def _blockers(engine) -> str:
    """What PostgreSQL sessions of this database wait for, and who holds it up."""
    if engine.dialect.name != "postgresql":
        return ""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid), "
                "left(query, 120) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).all()
    return "\n".join(map(str, rows))


def test_memory_does_not_grow_with_the_file(own_database):
    engine = own_database
    with Session(engine) as session:
        customer_id = _customer(session)
    peaks = {}
    for rows in (10_000, 40_000):
        child = _import_child(engine, customer_id, rows, f"m{rows}", "none")
        try:  # the whole import runs before its one line: minutes on a busy PostgreSQL
            done = child.wait_for("DONE ", guard=4 * GUARD).split()
        except queue.Empty:
            raise AssertionError(
                f"no DONE; the database's sessions:\n{_blockers(engine)}"
            ) from None
        child.proc.wait(timeout=GUARD)
        assert int(done[0]) == rows
        peaks[rows] = int(done[1]) * 1024
    # Every parsed row held in memory (the old way) would add about 48 MB here.
    assert peaks[40_000] - peaks[10_000] < 15 * 2**20, peaks


def _child_import(monkeypatch, engine, path: Path) -> tuple[object, list[tuple[int, int]]]:
    from portal_app.services.identity import SYSTEM
    from portal_app.services.import_child import ImportChild, Job

    monkeypatch.setenv("PORTAL_DATABASE_URL", _url(engine))  # the child reads the env
    child = ImportChild(Job(SYSTEM, "cdr", str(path)))
    seen = []
    while child.running():
        seen.append(child.progress)
        time.sleep(0.05)
    return child.outcome(), seen


def test_the_rate_cards_page_imports_in_a_child_process(db, engine, monkeypatch, tmp_path):
    """What the page's background event runs (services/import_child.py): the rows go in
    from another process, with progress on the way and the result at the end."""
    customer_id = _customer(db)
    path = tmp_path / "calls.csv"
    path.write_text("".join(cdr_lines(customer_id, 3000, "child")))
    outcome, seen = _child_import(monkeypatch, engine, path)
    assert outcome.ok and outcome.imported == 3000, outcome
    assert _counts(db, "child") == (3000, 0, 1)
    batch = db.exec(select(ImportBatch)).one()
    assert int(batch.owner.split(":")[1]) != os.getpid()  # written by the child
    assert any(total for _, total in seen)  # progress reached the parent

    bad = tmp_path / "bad.csv"
    bad.write_text("".join(cdr_lines(customer_id, 10, "bad")).replace(",0.0100", ",cheap"))
    outcome, _ = _child_import(monkeypatch, engine, bad)
    assert not outcome.ok and outcome.error_count == 10
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    outcome, _ = _child_import(monkeypatch, engine, binary)
    assert outcome == "The file is not UTF-8 CSV."
    assert _counts(db, "bad")[0] == 0
