"""`portal serve`'s Reflex command, backend only, for bench/events.py: the clients are
Socket.IO clients, no browser loads the pages. rxconfig.py gives Reflex one port for
both halves, which `reflex run --backend-only` refuses, so the frontend's is cleared."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reflex.config import get_config  # noqa: E402

from portal_app import reflex_run  # noqa: E402

if __name__ == "__main__":
    get_config().frontend_port = None
    sys.argv = ["reflex", "run", "--env", "prod", "--backend-only", *sys.argv[1:]]
    reflex_run.main()
