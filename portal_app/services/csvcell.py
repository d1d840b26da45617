"""Text cells for CSV exports that spreadsheets open safely."""

from __future__ import annotations

from itertools import repeat

from .validation import strip_invisible

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula; a leading quote makes them
    text. Invisible format characters (bidi overrides that reorder what a cell shows,
    zero-width characters that could hide a leading "=") are dropped first. Only for
    text columns: numbers are written as numbers."""
    value = strip_invisible(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_cells(values) -> list[str]:
    """``csv_cell`` of each value of a column (``str`` of it first). The common column,
    all ASCII and no cell formula-like, is checked without a Python call per cell (an
    export of 100,000 calls has four text columns: bench/reports.py)."""
    cells = list(map(str, values))
    if "".join(cells).isascii() and not any(map(str.startswith, cells, repeat(_FORMULA_START))):
        return cells
    return [
        cell if cell.isascii() and not cell.startswith(_FORMULA_START) else csv_cell(cell)
        for cell in cells
    ]
