"""An audit row's changes as people read them: "field: before → after", one a line."""

from __future__ import annotations

import reflex as rx


def _change(c) -> rx.Component:
    return rx.text(
        rx.text.span(c["label"], ": ", class_name="cp-change-key"),
        rx.cond(
            c["kind"] == "changed",
            rx.fragment(rx.text.span(c["before"]), " → ", rx.text.strong(c["after"])),
            rx.cond(
                c["kind"] == "new",
                rx.text.span(c["after"]),
                rx.text.span(c["before"], class_name="cp-change-old"),
            ),
        ),
        class_name="cp-change",
    )


def changes_list(r) -> rx.Component:
    """A row's changes, one "field: before → after" per line (audit log and dashboard)."""
    return rx.vstack(rx.foreach(r.changes, _change), spacing="0", align="start")
