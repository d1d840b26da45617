"""The Balance tab of the customer dialog: balance, credit, the ledger, new entries."""

from __future__ import annotations

import reflex as rx

from portal_app.components.customer_payments import recent_payments, runway_line
from portal_app.components.forms import field, select_input, text_input
from portal_app.state.ledger import LedgerState as L

KINDS = [("payment", "Payment received"), ("credit", "Credit given"), ("charge", "Charge")]


def _figure(label: str, value, id_: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="4", weight="bold", id=id_),
        spacing="0",
    )


def _entry(e) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.at, white_space="nowrap"),
        rx.table.cell(e.kind),
        rx.table.cell(
            rx.text(e.amount, color=rx.cond(e.negative, rx.color("red", 11), "inherit")),
            text_align="right",
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(e.reference, size="1"),
                rx.text(e.note, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(e.who, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                L.can_pay & (e.kind != "correction"),
                rx.button(
                    "Correct",
                    size="1",
                    variant="ghost",
                    type="button",
                    on_click=L.start_correction(e.id),
                ),
            )
        ),
    )


def _add_form() -> rx.Component:
    e = L.errors
    return rx.form(
        rx.vstack(
            rx.cond(
                L.correcting > 0,
                rx.hstack(
                    rx.text(
                        "Correction of entry #",
                        L.correcting.to_string(),
                        ": enter the amount that reverses it (with its sign).",
                        size="2",
                    ),
                    rx.button(
                        "Cancel correction",
                        size="1",
                        variant="ghost",
                        type="button",
                        on_click=L.cancel_correction,
                    ),
                    align="center",
                ),
                field("Kind", select_input("kind", KINDS, "payment"), e, "kind"),
            ),
            rx.cond(L.correcting > 0, rx.el.input(type="hidden", name="kind", value="correction")),
            rx.grid(
                field(
                    "Amount (" + L.currency + ")",
                    text_input("amount", e, input_mode="decimal", placeholder="25.00"),
                    e,
                    "amount",
                ),
                field(
                    "Reference (shown to the customer)",
                    text_input("reference", e, placeholder="Bank transfer 4711"),
                    e,
                    "reference",
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            field("Note (control panel only)", text_input("note", e), e, "note"),
            rx.text(e["corrects_id"], class_name="cp-field-error", size="2"),
            rx.button("Add to ledger", type="submit", id="ledger-add"),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=L.add_entry,
        reset_on_submit=True,
        key=L.form_key,
    )


def balance_tab() -> rx.Component:
    return rx.cond(
        L.customer_id > 0,
        rx.vstack(
            rx.hstack(
                _figure("Balance", L.balance, "ledger-balance"),
                _figure("Credit limit", L.credit_limit, "ledger-credit"),
                _figure("Available", L.available, "ledger-available"),
                spacing="6",
            ),
            runway_line(),
            rx.cond(
                L.can_pay,
                rx.card(_add_form(), width="100%"),
                rx.text(
                    "Adding payments needs the Payment permission.", size="2", color_scheme="gray"
                ),
            ),
            rx.cond(
                L.total > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in [
                                    "When (UTC)",
                                    "Kind",
                                    "Amount",
                                    "Reference / note",
                                    "By",
                                    "",
                                ]
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(L.rows, _entry)),
                    size="1",
                    variant="surface",
                    width="100%",
                    id="ledger-table",
                ),
                rx.text("No entries yet.", size="2", color_scheme="gray"),
            ),
            recent_payments(),
            rx.hstack(
                rx.button(
                    "Download CSV", size="1", variant="soft", type="button", on_click=L.download_csv
                ),
                rx.spacer(),
                rx.button(
                    "Newer",
                    size="1",
                    variant="soft",
                    type="button",
                    disabled=L.page == 0,
                    on_click=L.go_page(-1),
                ),
                rx.button(
                    "Older",
                    size="1",
                    variant="soft",
                    type="button",
                    disabled=(L.page + 1) * 10 >= L.total,
                    on_click=L.go_page(1),
                ),
                width="100%",
                align="center",
            ),
            spacing="4",
            width="100%",
        ),
        rx.text(
            "Save the customer first; its balance starts at zero.", size="2", color_scheme="gray"
        ),
    )
