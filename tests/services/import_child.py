"""A separate process that imports a generated CDR file, as the upload handler does.

Run as ``python import_child.py DB_URL CUSTOMER_ID ROWS TAG PAUSE``. It writes the file
into the upload directory (services/import_files.py), imports it with the real
service, removes the file and prints ``DONE <imported> <peak RSS in kB>``. With PAUSE
set to a phase (staging, validated, publishing, cleanup) it stops there instead, at
a committed point, prints ``PAUSED <phase>`` and sleeps: the crash tests SIGKILL it.
The pause rides on the service's own progress callback: no test hook in the app.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import Session  # noqa: E402

from portal_app.services.db import make_engine  # noqa: E402
from portal_app.services.identity import SYSTEM  # noqa: E402
from portal_app.services.import_files import import_file_create  # noqa: E402
from portal_app.services.imports import import_cdrs  # noqa: E402

HEADER = "call_start,customer_id,dialled,duration,sip_call_id,cost\n"


def cdr_lines(customer_id: int, rows: int, tag: str):
    """A header and ``rows`` good CDRs, their times shuffled over 30 days."""
    yield HEADER
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(rows):
        at = (base + timedelta(seconds=(i * 7919) % 2_592_000)).isoformat()
        yield f"{at},{customer_id},4420{i:07d},{i % 300},{tag}-{i},0.0100\n"


def _peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main(url: str, customer_id: int, rows: int, tag: str, pause: str) -> None:
    def progress(done: int, total: int) -> None:
        phase = (
            "staging"
            if total == 0
            else "validated"
            if done == 0
            else "cleanup"
            if done == total
            else "publishing"
        )
        if phase == pause:
            print(f"PAUSED {phase}", flush=True)
            time.sleep(3600)

    handle, path = import_file_create()
    with os.fdopen(handle, "w") as out:
        out.writelines(cdr_lines(customer_id, rows, tag))
    print(f"FILE {path}", flush=True)
    try:
        with open(path, newline="") as lines, Session(make_engine(url)) as session:
            result = import_cdrs(session=session, actor=SYSTEM, lines=lines, progress=progress)
    finally:
        os.unlink(path)
    print(f"DONE {result.imported} {_peak_kb()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
