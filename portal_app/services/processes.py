"""Which process owns a piece of unfinished work, and whether that process is gone.

Imports and their upload files name their owner ``host:pid:token``. The token is random
per process, so an app restarted with the same pid (usual in a container) still sees
its predecessor's work as abandoned. On another host a pid means nothing: there only
the work's own heartbeat can tell (see services/import_batches.py).
"""

from __future__ import annotations

import os
import secrets
import socket

HOST = socket.gethostname()
TOKEN = secrets.token_hex(6)


def this_process() -> str:
    """The owner name of the calling process (the pid is read per call: forks differ)."""
    return f"{HOST}:{os.getpid()}:{TOKEN}"


def process_gone(owner: str) -> bool | None:
    """True when ``owner`` ran on this host and has exited, False when it still runs,
    None when it is another host's process (or the name is not an owner name)."""
    host, _, rest = owner.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != HOST or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():
        return token != TOKEN
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
