"""A rate card's dialog: its rates (search, pages), a rate's form, rename and delete."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import H2, dialog_open, field, text_input
from portal_app.state.rate_card_detail import RateCardDetailState as D

HEADERS = ["Prefix", "Destination", "Rate / min", "Connection fee", "Increments", "From", ""]


def open_card_button(card) -> rx.Component:
    """The card's name in the list: opens the card."""
    return rx.button(
        card.name,
        variant="ghost",
        on_click=D.open_card(card.id),
        id="card-" + card.id.to_string(),
        aria_label="Open rate card " + card.name,
    )


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(r.prefix),
        rx.table.cell(r.destination),
        rx.table.cell(r.rate, text_align="right", white_space="nowrap"),
        rx.table.cell(r.connection_fee, text_align="right", white_space="nowrap"),
        rx.table.cell(r.increments),
        rx.table.cell(r.effective_from, white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                rx.icon_button(
                    rx.icon("pencil", size=14),
                    variant="ghost",
                    size="1",
                    on_click=D.edit_rate(r.id),
                    aria_label="Edit the rate of " + r.prefix + " from " + r.effective_from,
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    variant="ghost",
                    color_scheme="red",
                    size="1",
                    on_click=D.ask_delete(r.id.to_string()),
                    aria_label="Delete the rate of " + r.prefix + " from " + r.effective_from,
                ),
                spacing="2",
            )
        ),
    )


def _rates() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.form(
                rx.hstack(
                    rx.input(
                        name="rate_search",
                        id="rate_search",
                        placeholder="Prefix or destination",
                        aria_label="Search the rates",
                        default_value=D.search,
                    ),
                    rx.button("Search", type="submit", variant="soft"),
                    spacing="2",
                ),
                on_submit=D.apply_search,
                reset_on_submit=False,
            ),
            rx.button(rx.icon("plus", size=14), "Add rate", on_click=D.edit_rate(0), id="rate-add"),
            justify="between",
            wrap="wrap",
            gap="2",
            width="100%",
        ),
        rx.cond(
            D.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])
                    ),
                    rx.table.body(rx.foreach(D.rows, _row)),
                    size="1",
                    variant="surface",
                    width="100%",
                    id="rates-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No rates on this card yet.", size="2", color_scheme="gray"),
        ),
        rx.hstack(
            rx.text(D.page_label, size="2", color_scheme="gray", id="rates-count"),
            rx.spacer(),
            rx.button("Previous", variant="soft", disabled=D.page == 0, on_click=D.go_page(-1)),
            rx.button("Next", variant="soft", disabled=~D.has_next, on_click=D.go_page(1)),
            align="center",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _rate_form() -> rx.Component:
    f, e = D.form, D.errors

    def text(label: str, key: str, **props) -> rx.Component:
        return field(label, text_input(key, e, default_value=f[key], **props), e, key)

    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(D.editing == "new", "Add a rate", "Edit rate"), size="3", as_="h3"),
            rx.grid(
                text("Prefix", "prefix", input_mode="numeric"),
                text("Destination", "destination"),
                text("Rate per minute (" + D.currency + ")", "rate", input_mode="decimal"),
                text("Connection fee (" + D.currency + ")", "connection_fee", input_mode="decimal"),
                text("Increments (seconds, first/next)", "increments", placeholder="60/60"),
                text("In force from", "effective_from", placeholder=D.date_format),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    "Back to rates",
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    on_click=D.cancel_edit,
                ),
                rx.button("Save rate", type="submit", id="rate-save"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=D.save_rate,
        reset_on_submit=False,
        key=D.editing + D.errors.length().to_string(),
    )


def _rename() -> rx.Component:
    return rx.form(
        rx.hstack(
            field(
                "Name",
                # Not "card_name": the page's own create form behind the dialog has that id.
                text_input("card_rename", D.errors, default_value=D.name),
                D.errors,
                "card_rename",
            ),
            rx.button("Save name", type="submit", id="card-rename-save"),
            align="end",
            spacing="2",
            width="100%",
        ),
        on_submit=D.rename,
        reset_on_submit=False,
        key=D.name + D.errors.length().to_string(),
    )


def _confirm() -> rx.Component:
    card = D.confirm == "card"
    return rx.cond(
        D.confirm != "",
        rx.callout.root(
            rx.callout.text(
                rx.cond(
                    card,
                    rx.cond(
                        D.customers > 0,
                        "Delete this card and its "
                        + D.total.to_string()
                        + " rate(s)? "
                        + D.customers.to_string()
                        + " customer(s) lose it from their routes.",
                        "Delete this card and its " + D.total.to_string() + " rate(s)?",
                    ),
                    "Delete this rate?",
                )
            ),
            rx.hstack(
                rx.button(
                    "Cancel",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=D.cancel_delete,
                ),
                rx.button(
                    rx.cond(card, "Delete card", "Delete rate"),
                    size="1",
                    color_scheme="red",
                    on_click=D.delete_now,
                    id="confirm-delete-rate",
                ),
                spacing="2",
            ),
            color_scheme="red",
            width="100%",
            role="alertdialog",
            id="rate-delete-confirm",
        ),
    )


def rate_card_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(D.name, margin="0", custom_attrs=H2),
                rx.badge(D.currency),
                rx.spacer(),
                rx.button(
                    rx.icon("pencil", size=14),
                    "Rename",
                    variant="soft",
                    size="1",
                    on_click=D.start_rename,
                    id="card-rename",
                ),
                rx.button(
                    rx.icon("trash-2", size=14),
                    "Delete card",
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    on_click=D.ask_delete("card"),
                    id="card-delete",
                ),
                rx.dialog.close(
                    rx.icon_button(rx.icon("x", size=16), variant="ghost", aria_label="Close")
                ),
                align="center",
                width="100%",
                class_name="cp-dialog-head",
            ),
            rx.dialog.description(
                rx.cond(
                    D.customers > 0,
                    "Assigned to " + D.customers.to_string() + " customer(s) as a route.",
                    "Not assigned to any customer yet.",
                ),
                size="2",
                color_scheme="gray",
                margin_bottom="1em",
            ),
            rx.vstack(
                rx.cond(D.renaming, _rename()),
                _confirm(),
                rx.cond(D.editing != "", _rate_form(), _rates()),
                spacing="3",
                width="100%",
            ),
            max_width="900px",
            id="rate-card-dialog",
        ),
        open=dialog_open(D.card_id > 0),
        on_open_change=lambda _open: D.close_card(),
    )
