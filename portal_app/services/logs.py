"""Logging that cannot be flooded: one line per kind of problem per interval.

A client can make the server fail the same way thousands of times a second (malformed
events, hostile arguments). Each kind is logged in full the first time, then counted,
and a summary line with the count appears at most once per interval.
"""

from __future__ import annotations

import logging
import threading
import time


class RateLimitedLog:
    """``exception(key, msg, *args, exc=...)`` logs at most once per ``every_seconds``
    for each ``key``; the traceback only the first time a key is seen."""

    def __init__(self, logger: logging.Logger, every_seconds: float = 60, max_keys: int = 1000):
        self.logger, self.every, self.max_keys = logger, every_seconds, max_keys
        self.lock = threading.Lock()
        self.last: dict[str, tuple[float, int]] = {}  # key -> (last logged, suppressed since)

    def _due(self, key: str) -> tuple[bool, bool, int]:
        """(log now, first time, how many were suppressed since the last line)."""
        now = time.monotonic()
        with self.lock:
            seen = self.last.get(key)
            if seen is None:
                if len(self.last) >= self.max_keys:
                    self.last.clear()
                self.last[key] = (now, 0)
                return True, True, 0
            at, suppressed = seen
            if now - at >= self.every:
                self.last[key] = (now, 0)
                return True, False, suppressed
            self.last[key] = (at, suppressed + 1)
            return False, False, 0

    def exception(self, key: str, msg: str, *args, exc: BaseException) -> None:
        due, first, suppressed = self._due(key)
        if not due:
            return
        if first:
            self.logger.error(msg, *args, exc_info=exc)
        else:
            self.logger.error(msg + " (again; %d more since the last report)", *args, suppressed)

    def warning(self, key: str, msg: str, *args) -> None:
        due, _first, suppressed = self._due(key)
        if due:
            suffix = f" ({suppressed} more since the last report)" if suppressed else ""
            self.logger.warning(msg + suffix, *args)
