"""`reflex run` with one change: a backend worker that dies is started again.

Reflex starts its production workers with Granian's defaults, under which the death of
one worker (SIGKILL, the kernel's OOM killer, a crash in native code) makes Granian stop
every other worker and exit: with Redis and several workers, one lost process took the
whole app down, and every open tab with it. Granian can respawn a failed worker instead
(``respawn_failed_workers``; it still exits on a crash loop, the same worker failing
again within seconds). Reflex has no setting for it, so ``portal serve`` runs Reflex's
own command line through this module, which hands Reflex a Granian server class that
respawns. It also lets a start reuse the last production build of the SPA when nothing
that goes into it changed (build_reuse.py). Everything else is Reflex's ``reflex run``.
"""

from __future__ import annotations

import sys

import granian.server
from granian.server.mp import MPServer


class RespawningServer(MPServer):
    """Granian's multi-process server, respawning a worker that exits unexpectedly."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        super().__init__(*args, **kwargs)


def main() -> None:
    # Reflex imports ``granian.server.Server`` when it starts the backend, after this.
    granian.server.Server = RespawningServer
    from reflex.reflex import cli

    from portal_app.build_reuse import install
    from portal_app.settings import PROJECT_ROOT

    install(PROJECT_ROOT)
    sys.argv[0] = "reflex"
    cli()


if __name__ == "__main__":
    main()
