"""Where uploaded CSV files wait for their import, and the sweep that removes leftovers.

An upload is written to a file in one known directory whose name carries its owner
process (services/processes.py). The import removes it when it ends, whatever the
outcome; if the process dies first (kill -9, a crash, a restart mid-upload), the next
sweep removes every file whose process is gone. Files of live processes, such as
another worker's upload in progress, are left alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .processes import HOST, TOKEN, process_gone

IMPORT_DIR = Path(tempfile.gettempdir()) / f"portal-imports-{os.getuid()}"
_PREFIX = "upload-"


def import_file_create(*, directory: Path = IMPORT_DIR) -> tuple[int, str]:
    """A new private file for an upload: (open descriptor, path), like ``mkstemp``."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    prefix = f"{_PREFIX}{os.getpid()}-{TOKEN}-"
    return tempfile.mkstemp(prefix=prefix, suffix=".csv", dir=directory)


def import_files_sweep(*, directory: Path = IMPORT_DIR) -> int:
    """Remove the upload files whose process is gone; how many were removed."""
    removed = 0
    for path in directory.glob(f"{_PREFIX}*.csv"):
        pid, _, rest = path.name.removeprefix(_PREFIX).partition("-")
        token = rest.partition("-")[0]
        if process_gone(f"{HOST}:{pid}:{token}"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
