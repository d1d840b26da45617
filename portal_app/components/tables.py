"""A table in a scroll region of its own that the keyboard can reach.

A wide table on a phone scrolls sideways; the region around it is focusable and named
so keyboard and screen-reader users can reach and scroll it (axe:
scrollable-region-focusable). `.cp-scroll` in assets/theme.css makes this box, not
Radix's inner viewport, the one that scrolls.
"""

from __future__ import annotations

import reflex as rx


def scroll_region(table: rx.Component, label: str) -> rx.Component:
    """Wrap an already built table in the keyboard-reachable scroll region."""
    return rx.box(table, class_name="cp-scroll", tab_index=0, role="region", aria_label=label)


def scroll_table(
    heads: list[str], rows, cells, id_: str, label: str, *, nowrap: bool = False
) -> rx.Component:
    """A table of `rows` (a list var); `cells(row)` gives one row's cells."""
    extra = {"white_space": "nowrap"} if nowrap else {}
    return scroll_region(
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(h, **extra) for h in heads])
            ),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*cells(r)))),
            size="1",
            variant="surface",
            width="100%",
            id=id_,
        ),
        label,
    )
