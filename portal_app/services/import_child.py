"""A CSV import from the Rate Cards page, run in a child process.

Checking and staging a million rows is Python work that holds the GIL for most of a
minute; in a thread of the app it would slow every other user's events on that worker.
In its own process (at a lower CPU priority) it competes for a core, not for the GIL.

The parent (``ImportChild``) sends the job (who, what, which file) pickled on the
child's stdin; the child prints ``progress done total`` lines and one final line with
the pickled outcome. The child dies with the app (``PR_SET_PDEATHSIG``): an import
whose process is gone is finished or removed by the recovery (services/import_batches).
"""

from __future__ import annotations

import base64
import csv
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass

from .errors import ServiceError
from .identity import Actor
from .import_batches import ImportResult

FAILED = "The import stopped on an error. It is finished or removed automatically."


@dataclass(frozen=True)
class Job:
    actor: Actor
    target: str  # "cdr" or a rate card id
    path: str


class ImportChild:
    """One running import: ``progress`` while it runs, then ``outcome()``."""

    def __init__(self, job: Job):
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "portal_app.services.import_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.progress = (0, 0)
        self._outcome: ImportResult | str = FAILED
        self._proc.stdin.write(base64.b64encode(pickle.dumps(job)).decode() + "\n")
        self._proc.stdin.close()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self._proc.stdout:
            kind, _, rest = line.strip().partition(" ")
            if kind == "progress":
                done, _, total = rest.partition(" ")
                self.progress = (int(done), int(total))
            elif kind == "outcome":  # our own child's answer, never a client's bytes
                self._outcome = pickle.loads(base64.b64decode(rest))  # noqa: S301

    def running(self) -> bool:
        return self._reader.is_alive() or self._proc.poll() is None

    def outcome(self) -> ImportResult | str:
        """The result, or the message to show when nothing was imported. Blocking."""
        self._proc.wait()
        self._reader.join()
        return self._outcome


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the recovery still cleans up after it
        pass


def _run(job: Job) -> ImportResult | str:
    from . import imports
    from .db import session_scope

    def report(done: int, total: int) -> None:
        print(f"progress {done} {total}", flush=True)

    try:
        with open(job.path, newline="", encoding="utf-8-sig") as lines, session_scope() as s:
            if job.target == "cdr":
                return imports.import_cdrs(session=s, actor=job.actor, lines=lines, progress=report)
            return imports.import_rates(
                session=s, actor=job.actor, card_id=int(job.target), lines=lines, progress=report
            )
    except ServiceError as exc:
        return exc.message
    except (UnicodeDecodeError, ValueError, csv.Error):
        return "The file is not UTF-8 CSV."
    except Exception:  # the database failed: the recovery finishes or removes it
        logging.getLogger("portal.imports").exception("import of %s failed", job.path)
        return FAILED


def main() -> None:
    _die_with_parent()
    os.nice(5)  # below interactive work, without starving on a busy machine
    job = pickle.loads(base64.b64decode(sys.stdin.readline()))  # noqa: S301 (our parent's)
    outcome = _run(job)
    print("outcome " + base64.b64encode(pickle.dumps(outcome)).decode(), flush=True)


if __name__ == "__main__":
    main()
