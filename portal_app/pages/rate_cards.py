"""Management › Rate Cards: the cards, a new card, CSV imports with a progress bar."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, named_upload, select_input, text_input
from portal_app.components.layout import control_page
from portal_app.components.package_catalogue import package_catalogue
from portal_app.components.rate_card_detail import open_card_button, rate_card_dialog
from portal_app.services.money import active_currencies
from portal_app.state.rate_cards import UPLOAD_ID
from portal_app.state.rate_cards import RateCardsState as S

CDR_HELP = (
    "Columns: call_start (ISO 8601 with zone), customer_id, dialled, duration, sip_call_id; "
    "optional: direction, cli, destination, prefix, billed_duration, rate, cost, currency, "
    "status, release_reason, pdd_ms, route."
)
RATE_HELP = (
    "Columns: prefix, destination, rate (per minute); optional: connection_fee, "
    "increments (like 60/1), effective_from (a date)."
)


def _cards() -> rx.Component:
    return rx.card(
        rx.heading("Rate cards", size="4", as_="h2", margin_bottom="1em"),
        rx.cond(
            S.cards.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Currency"),
                        rx.table.column_header_cell("Entries", text_align="right"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.cards,
                        lambda c: rx.table.row(
                            rx.table.cell(open_card_button(c)),
                            rx.table.cell(c.currency),
                            rx.table.cell(c.entry_count, text_align="right"),
                        ),
                    )
                ),
                variant="surface",
                width="100%",
                id="cards-table",
            ),
            rx.text("No rate cards yet.", color_scheme="gray", size="2"),
        ),
        rx.form(
            rx.hstack(
                field(
                    "New card",
                    text_input("card_name", S.errors, placeholder="Wholesale EUR"),
                    S.errors,
                    "card_name",
                ),
                field(
                    "Currency",
                    rx.box(  # remounted once the account's currency is known
                        select_input(
                            "card_currency", [(c, c) for c in active_currencies()], S.currency
                        ),
                        key=S.currency,
                    ),
                    S.errors,
                    "card_currency",
                ),
                rx.button("Create", type="submit", id="card-create"),
                align="end",
                spacing="3",
                margin_top="1em",
            ),
            on_submit=S.create_card,
            reset_on_submit=True,
        ),
        width="100%",
    )


def _import() -> rx.Component:
    return rx.card(
        rx.heading("Import CSV", size="4", as_="h2", margin_bottom="0.5em"),
        rx.text(
            "Every row is checked first; if any is wrong nothing is imported and the lines "
            "are listed.",
            size="2",
            color_scheme="gray",
        ),
        rx.vstack(
            field(
                "Import into",
                rx.select.root(
                    rx.select.trigger(id="import-target", width="100%"),
                    rx.select.content(
                        rx.select.item("Call records (CDRs)", value="cdr"),
                        rx.foreach(
                            S.cards,
                            lambda c: rx.select.item(
                                "Rate card: " + c.name, value=c.id.to_string()
                            ),
                        ),
                    ),
                    value=S.target,
                    on_change=S.set_target,
                ),
            ),
            rx.text(rx.cond(S.target == "cdr", CDR_HELP, RATE_HELP), size="1", color_scheme="gray"),
            rx.upload.root(
                rx.vstack(
                    rx.icon("file-up", size=24, color=rx.color("gray", 10)),
                    rx.text("Drop a .csv file here or click to choose", size="2"),
                    rx.foreach(
                        rx.selected_files(UPLOAD_ID),
                        lambda f: rx.text(f, size="1", weight="bold", id="import-file"),
                    ),
                    align="center",
                    spacing="1",
                ),
                id=UPLOAD_ID,
                accept={"text/csv": [".csv"]},
                max_files=1,
                class_name="cp-dropzone",
                width="100%",
            ),
            rx.button(
                "Import",
                on_click=S.upload_import(rx.upload_files(upload_id=UPLOAD_ID)),
                loading=S.importing,
                id="import-start",
            ),
            rx.cond(
                S.importing,
                rx.vstack(
                    rx.progress(value=S.progress, width="100%", id="import-progress"),
                    rx.text(S.phase, size="2"),
                    width="100%",
                ),
            ),
            rx.cond(
                S.outcome != "",
                rx.callout(
                    S.outcome,
                    color_scheme=rx.cond(S.outcome.startswith("Imported"), "green", "red"),
                    id="import-outcome",
                    width="100%",
                ),
            ),
            rx.cond(
                S.problems.length() > 0,
                rx.box(
                    rx.foreach(
                        S.problems, lambda p: rx.text(p, size="2", color=rx.color("red", 11))
                    ),
                    id="import-problems",
                    max_height="240px",
                    overflow_y="auto",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
            margin_top="1em",
        ),
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _cards(),
        package_catalogue(),
        named_upload(_import(), "CSV file to import"),
        rate_card_dialog(),
        spacing="5",
        width="100%",
    )


rate_cards_page = control_page("Rate Cards", _body, area="card")
