"""Run the same kind of call in several threads at the same moment, for race tests.

Each call gets its own database session (as each request does in the app), and all
start together behind a barrier. What each returned or raised comes back in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session


def together(engine: sa.Engine, calls: list[Callable[[Session], Any]]) -> list[Any]:
    """Run ``call(session)`` for each call in its own thread, all released at once; each
    session commits when its call returns. The results (or the exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(n: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                results[n] = calls[n](session)
                session.commit()
            except Exception as exc:  # the test looks at what each call got
                session.rollback()
                results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
