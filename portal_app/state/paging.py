"""Page arithmetic shared by every paged table (customers, ledger, statement, rates)."""

from __future__ import annotations


def step_page(page: int, total: int, size: int, delta: int) -> int:
    """One page back or forward (``delta`` is clamped to ±1), staying in range."""
    last = max(0, (total - 1) // size)
    return max(0, min(last, page + max(-1, min(1, delta))))


def page_label(page: int, total: int, size: int, empty: str = "") -> str:
    """ "26–50 of 1,234", or ``empty`` when there is nothing."""
    if not total:
        return empty
    first = page * size + 1
    return f"{first:,}–{min(total, first + size - 1):,} of {total:,}"


def has_next(page: int, total: int, size: int) -> bool:
    return (page + 1) * size < total
