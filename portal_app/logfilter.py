"""Framework error logs, once per kind and at most once a minute each.

Anyone can send the websocket malformed events, and Reflex and python-engineio log
each one with a full traceback (over 1 KB, with the client's payload in it): a log
flood on demand. This filter lets the first record of a kind through, drops the
repeats for a minute while counting them, then lets the next one through with that
count. A kind is where the record was logged plus the exception's type and where it
was raised, so a different failure is still logged at once. Messages are cut to
``MAX_MESSAGE`` characters, since they carry what the client sent, and the cookies
Reflex copies into some of them are blanked out. Our own log calls get the same rule
from services/logs.py; this filter is for the framework's loggers, which we cannot call
through it.
"""

from __future__ import annotations

import logging
import re
import time
import traceback

WINDOW_SECONDS = 60.0
MAX_MESSAGE = 2000
MAX_KINDS = 1000
# Where Reflex and its Socket.IO server log what a client's bad input makes fail.
FRAMEWORK_LOGGERS = (
    "reflex.app",
    "reflex_base.event.processor.event_processor",
    "reflex_base.event.processor.base_state_processor",
    "engineio.server",
    "socketio.server",
    "portal.edge",
)


# Reflex writes the handshake's headers into some messages: never the session cookie.
_COOKIE = re.compile(r"""(['"]cookie['"]\s*:\s*)(['"]).*?(?<!\\)\2""", re.I)
_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")


def _kind_from_text(text: str) -> tuple:
    """For a traceback written into the message (Reflex's backend exception handler)."""
    frames = _FRAME.findall(text)
    lines = [line for line in text.splitlines() if line.strip()]
    last = _EXC_LINE.match(lines[-1].strip()) if lines else None
    return (last.group(1) if last else "", *(frames[-1] if frames else ()))


def _kind(record: logging.LogRecord) -> tuple:
    where = (record.name, record.pathname, record.lineno)
    if not record.exc_info or record.exc_info[1] is None:
        text = str(record.msg)
        if "Traceback (most recent call last)" in text:
            return (*where, *_kind_from_text(text))
        return where
    exc = record.exc_info[1]
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    raised = (frames[-1].filename, frames[-1].lineno) if frames else ()
    return (*where, type(exc).__qualname__, *raised)


class RateLimitFilter(logging.Filter):
    """Passes one record per kind per ``window`` seconds, noting how many it dropped."""

    def __init__(self, window: float = WINDOW_SECONDS, clock=time.monotonic):
        super().__init__()
        self.window, self.clock = window, clock
        self._seen: dict[tuple, tuple[float, int]] = {}  # kind -> (last passed, dropped)

    def filter(self, record: logging.LogRecord) -> bool:
        kind, now = _kind(record), self.clock()
        last, dropped = self._seen.get(kind, (None, 0))
        if last is not None and now - last < self.window:
            self._seen[kind] = (last, dropped + 1)
            return False
        if len(self._seen) >= MAX_KINDS:
            self._seen.clear()
        self._seen[kind] = (now, 0)
        message = _COOKIE.sub(r"\1'[redacted]'", record.getMessage())
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + f"… ({len(message) - MAX_MESSAGE} more characters)"
        if dropped:
            message += f" [{dropped} more like this in the last {int(now - last)} s]"
        record.msg, record.args = message, None
        return True


def limit_framework_logs(names: tuple[str, ...] = FRAMEWORK_LOGGERS) -> RateLimitFilter:
    """Attach one shared filter to each framework logger (idempotent)."""
    for name in names:
        for old in [f for f in logging.getLogger(name).filters if isinstance(f, RateLimitFilter)]:
            logging.getLogger(name).removeFilter(old)
    shared = RateLimitFilter()
    for name in names:
        logging.getLogger(name).addFilter(shared)
    return shared
