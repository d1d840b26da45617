"""Other writers during a 1,000,000-row CDR import: how long their small writes wait.

Loads the demo data and a million demo calls (``portal_app.demo``) into a fresh
migrated database (SQLite by default; set PORTAL_DATABASE_URL for PostgreSQL), writes
those calls out as a CSV file in call order (as a switch writes them; ``--shuffled``
keeps the generator's random order) under new call ids, then imports that file with
``import_cdrs`` on one thread while another thread does small writes in a loop (an
audit row per transaction, as any handler writes, 20 ms apart) on its own connection.
The same loop runs first with no import. Prints p50/p95/max of the small writes alone
and during the import (also per import phase), their ratio, how long the import took,
and the process's peak memory during the import.

Usage: .venv/bin/python bench/import_writers.py [--cdrs 1000000] [--shuffled]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = Path(tempfile.mkdtemp(prefix="portal-bench-"))
if "PORTAL_DATABASE_URL" not in os.environ:
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_TMP / 'imports.db'}"

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

from portal_app.demo import demo_load  # noqa: E402
from portal_app.demo.calls import demo_cdrs  # noqa: E402
from portal_app.models import Cdr  # noqa: E402
from portal_app.services.audit import audit_record  # noqa: E402
from portal_app.services.db import get_engine, session_scope  # noqa: E402
from portal_app.services.identity import SYSTEM  # noqa: E402
from portal_app.services.imports import import_cdrs  # noqa: E402
from portal_app.settings import PROJECT_ROOT  # noqa: E402

COLUMNS = [c.name for c in Cdr.__table__.columns if c.name != "id"]
PAUSE = 0.02  # between two small writes


def write_csv(path: Path, shuffled: bool) -> int:
    """The database's calls as an import file, under new call ids; rows written."""
    order = "id" if shuffled else "call_start, id"
    raw = get_engine().raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"SELECT {', '.join(COLUMNS)} FROM cdr ORDER BY {order}")
        start, rate, cost, call_id = (
            COLUMNS.index(c) for c in ("call_start", "rate", "cost", "sip_call_id")
        )
        rows = 0
        with open(path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            while batch := cur.fetchmany(10_000):
                for row in batch:
                    row = list(row)
                    at = row[start]
                    row[start] = (at if isinstance(at, str) else at.isoformat()).replace(" ", "T")
                    if "+" not in row[start][10:]:
                        row[start] += "+00:00"
                    row[rate], row[cost] = f"{row[rate] / 1e6:.6f}", f"{row[cost] / 1e6:.6f}"
                    row[call_id] = "imp-" + row[call_id]
                    writer.writerow(row)
                rows += len(batch)
        return rows
    finally:
        raw.close()


class Writer:
    """Small writes on their own connection until stopped; each one's duration."""

    def __init__(self, phase=lambda: "alone"):
        self.phase, self.waits, self.stop = phase, [], threading.Event()

    def run(self, count: int | None = None) -> None:
        n = 0
        while not self.stop.is_set() and (count is None or n < count):
            phase, began = self.phase(), time.perf_counter()
            with session_scope() as session:
                audit_record(session=session, actor=SYSTEM, action="bench.write", entity="bench")
            self.waits.append((phase, time.perf_counter() - began))
            n += 1
            time.sleep(PAUSE)


def _stats(waits: list[float]) -> tuple[float, float, float]:
    ordered = sorted(waits)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered), p95, ordered[-1]


def _peak_rss_reset() -> bool:
    try:  # Linux: "5" resets the peak resident set size (VmHWM) to the current one
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cdrs", type=int, default=1_000_000)
    parser.add_argument("--shuffled", action="store_true")
    parser.add_argument("--alone", type=int, default=500, help="small writes with no import")
    args = parser.parse_args()
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    with session_scope() as session:
        demo_load(session=session)
    seconds = demo_cdrs(get_engine(), args.cdrs)
    print(f"{args.cdrs:,} demo calls generated in {seconds:.0f} s")
    path = _TMP / "calls.csv"
    rows = write_csv(path, args.shuffled)
    order = "shuffled" if args.shuffled else "in call order"
    print(f"{rows:,} rows, {path.stat().st_size / 2**20:.0f} MB, {order}")

    alone = Writer()
    alone.run(args.alone)

    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        if not total:
            marks["staged"] = time.perf_counter()  # the last staged chunk: checks follow
        else:
            marks.setdefault("publishing" if done < total else "cleanup", time.perf_counter())

    def phase() -> str:
        if "cleanup" in marks:
            return "cleanup"
        return "publishing" if "publishing" in marks else "staging"

    during = Writer(phase)
    writer = threading.Thread(target=during.run)
    reset = _peak_rss_reset()
    began = time.perf_counter()
    writer.start()
    try:
        with open(path, newline="") as lines, session_scope() as session:
            result = import_cdrs(session=session, actor=SYSTEM, lines=lines, progress=progress)
    finally:
        took = time.perf_counter() - began
        during.stop.set()
        writer.join()
    assert result.ok and result.imported == rows, result.errors[:5]
    peak = _peak_rss()

    base = _stats([w for _, w in alone.waits])
    ends = [began, marks["staged"], marks["publishing"], marks["cleanup"], began + took]
    spans = zip(("staging", "checks", "publishing", "cleanup"), ends, ends[1:], strict=False)
    print(f"\nimport of {rows:,} rows: {took:.0f} s (", end="")
    print(", ".join(f"{name} {b - a:.0f} s" for name, a, b in spans) + ")")
    if reset:
        print(f"peak memory of the process during the import: {peak / 2**20:.0f} MB")
    print(f"\n{'small writes':<24} {'n':>6} {'p50':>9} {'p95':>9} {'max':>9}")
    print(
        f"{'no import':<24} {len(alone.waits):>6} " + " ".join(f"{v * 1000:>7.1f}ms" for v in base)
    )
    groups = [("during the import", [w for _, w in during.waits])]
    groups += [
        (f"  while {p}", [w for q, w in during.waits if q == p])
        for p in ("staging", "publishing", "cleanup")
    ]
    for name, waits in groups:
        if waits:
            print(
                f"{name:<24} {len(waits):>6} "
                + " ".join(f"{v * 1000:>7.1f}ms" for v in _stats(waits))
            )
    ratio = [a / b for a, b in zip(_stats([w for _, w in during.waits]), base, strict=True)]
    print(f"{'ratio':<24} {'':>6} " + " ".join(f"{r:>8.1f}×" for r in ratio))
    slow = sum(1 for _, w in during.waits if w > 1.0)
    print(f"small writes that waited over 1 s: {slow} of {len(during.waits)}")


if __name__ == "__main__":
    main()
