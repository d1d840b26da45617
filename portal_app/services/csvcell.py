"""Text cells for CSV exports that spreadsheets open safely."""

from __future__ import annotations

from .validation import strip_invisible

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula; a leading quote makes them
    text. Invisible format characters (bidi overrides that reorder what a cell shows,
    zero-width characters that could hide a leading "=") are dropped first. Only for
    text columns: numbers are written as numbers."""
    value = strip_invisible(value)
    return "'" + value if value.startswith(_FORMULA_START) else value
