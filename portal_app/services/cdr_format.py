"""How CDR fields read: on a report page (for people, in the viewer's zone) and in the
CSV (plain values). Both work a column at a time: a page of 50 calls or a CSV batch of
5,000 makes a few calls per column rather than one per cell, no Babel pattern per amount
(``money.micros_formatter``) and, on SQLite in a UTC view, no time parsing
(``DateFormatter.clocks`` rearranges the stored text).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from portal_app.models import Cdr

from .csvcell import csv_cells
from .dates import DateFormatter
from .identity import Actor
from .money import micros_formatter, plain_micros
from .policy import sees_routes
from .portal_sections import BREAKOUT_COLUMNS, CDR_COLUMNS

STATUS_LABELS = {
    "answered": "Answered",
    "no_answer": "No answer",
    "busy": "Busy",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
INDEX = {c.name: i for i, c in enumerate(Cdr.__table__.columns)}  # a page row's columns


@functools.lru_cache(maxsize=8192)  # a page's or an export's durations repeat
def duration(seconds: int) -> str:
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"


def columns_for(chosen: list[str], actor: Actor) -> list[str]:
    """The domain's chosen CDR columns in its order; operators allowed carriers also see
    the route."""
    cols = [c for c in chosen if c in CDR_COLUMNS] or list(CDR_COLUMNS)
    return [*cols, "route"] if sees_routes(actor) else cols


def column_label(key: str, tz: str = "UTC") -> str:
    if key == "call_start":
        return f"Call start ({tz})"
    return "Route" if key == "route" else CDR_COLUMNS.get(key, BREAKOUT_COLUMNS.get(key, key))


def _amounts(currencies: Sequence[str], micros: Sequence[int]) -> list[str]:
    return [micros_formatter(c)(m) for c, m in zip(currencies, micros, strict=True)]


def _page_column(key: str, fmt: DateFormatter, actor: Actor) -> Callable[[dict], list[str]]:
    """A function from a page's columns (name → values) to one column's cells."""
    if key == "route" and not sees_routes(actor):
        return lambda c: [""] * len(c["id"])
    if key == "call_start":
        return lambda c: fmt.clocks(c["call_start"])
    if key in ("duration", "billed_duration"):
        return lambda c: list(map(duration, c[key]))
    if key in ("rate", "cost"):
        return lambda c: _amounts(c["currency"], c[key])
    if key == "status":
        return lambda c: list(map(STATUS_LABELS.get, c["status"], c["status"]))
    return lambda c: list(map(str, c[key]))


def page_cells(rows: Sequence, cols: list[str], fmt: DateFormatter, actor: Actor) -> list:
    """A page's rows (``cdr_page``'s, in table order) → each row's cells, in the viewer's
    zone and the account's date format; the route only for those allowed carriers.
    Column by column: a page of 50 calls makes a few calls per column, not per cell."""
    if not rows:
        return []
    values = dict(zip(INDEX, zip(*rows, strict=True), strict=True))
    return list(map(list, zip(*(_page_column(c, fmt, actor)(values) for c in cols), strict=True)))


def cell(row, key: str, fmt: DateFormatter, actor: Actor) -> str:
    """One CDR field of a row or a Cdr as text, as a page shows it."""
    return page_cells([tuple(getattr(row, k) for k in INDEX)], [key], fmt, actor)[0][0]


def csv_column(key: str, fmt: DateFormatter, actor: Actor) -> Callable[[Sequence], Sequence]:
    """A function from one column of a batch (driver values) to its CSV text, a whole
    column at a time (an export of 100,000 calls makes no call per cell for numbers):
    numbers stay numbers, times are in the viewer's zone and the account's date format,
    text is guarded against formulas."""
    if key == "route" and not sees_routes(actor):
        return lambda values: [""] * len(values)
    if key == "call_start":
        return fmt.clocks
    if key in ("rate", "cost"):
        return lambda values: list(map(plain_micros, values))
    if key in ("duration", "billed_duration"):
        return lambda values: values
    return csv_cells
