"""Text cells for CSV exports that spreadsheets open safely."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula; a leading quote makes them
    text. Only for text columns: numbers are written as numbers."""
    return "'" + value if value.startswith(_FORMULA_START) else value
