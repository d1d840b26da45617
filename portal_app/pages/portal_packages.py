"""The portal's Packages section: the customer's packages and, with an enabled number
lookup package, the lookup (one number, or a CSV of numbers)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import error_text, field, named_upload, text_input
from portal_app.components.portal import portal_page, writable
from portal_app.state.portal_packages import UPLOAD_ID
from portal_app.state.portal_packages import PortalPackagesState as S

HEADS = ["Name", "Retail", "Frequency", "Auto Decrement Credit", "Next charge (UTC)", "Service"]


def _packages() -> rx.Component:
    return rx.cond(
        S.packages.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in HEADS])),
                rx.table.body(
                    rx.foreach(
                        S.packages,
                        lambda p: rx.table.row(
                            rx.table.cell(p.name),
                            rx.table.cell(p.retail, white_space="nowrap"),
                            rx.table.cell(p.frequency),
                            rx.table.cell(p.auto_decrement),
                            rx.table.cell(p.next_charge, white_space="nowrap"),
                            rx.table.cell(p.service),
                        ),
                    )
                ),
                variant="surface",
                width="100%",
                id="portal-packages",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text("You have no packages.", color_scheme="gray", size="2", id="portal-packages"),
    )


def _answer() -> rx.Component:
    return rx.cond(
        S.answer.length() > 0,
        rx.data_list.root(
            rx.foreach(
                S.answer,
                lambda kv: rx.data_list.item(rx.data_list.label(kv[0]), rx.data_list.value(kv[1])),
            ),
            id="lookup-answer",
        ),
    )


def _single() -> rx.Component:
    e = S.errors
    return rx.form(
        rx.hstack(
            field(
                "Phone number",
                text_input("lookup_number", e, placeholder="+44 20 7946 0000", input_mode="tel"),
                e,
                "lookup_number",
            ),
            rx.button("Look up", type="submit", id="lookup-submit"),
            align="end",
            spacing="3",
            width="100%",
        ),
        on_submit=S.lookup,
        reset_on_submit=False,
    )


def _file() -> rx.Component:
    upload = rx.upload.root(
        rx.vstack(
            rx.icon("file-up", size=24, color=rx.color("gray", 10)),
            rx.text("Drop a .csv of numbers here or click to choose (first column)", size="2"),
            rx.foreach(
                rx.selected_files(UPLOAD_ID),
                lambda f: rx.text(f, size="1", weight="bold", id="lookup-file-name"),
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        accept={"text/csv": [".csv"]},
        max_files=1,
        class_name="cp-dropzone",
        width="100%",
    )
    return rx.vstack(
        named_upload(upload, "CSV file of numbers to look up"),
        error_text(S.errors, "lookup_file"),
        rx.button(
            rx.icon("download", size=14),
            "Look up file and download CSV",
            on_click=S.upload_csv(rx.upload_files(upload_id=UPLOAD_ID)),
            id="lookup-file-submit",
        ),
        rx.cond(S.file_outcome != "", rx.text(S.file_outcome, size="2", id="lookup-file-outcome")),
        rx.text("Up to 5,000 numbers or 256 KB a file.", size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
    )


def packages() -> rx.Component:
    return rx.vstack(
        rx.heading("Packages", size="6", as_="h2"),
        _packages(),
        rx.cond(
            S.can_lookup,
            rx.card(
                rx.heading("Number lookup", size="4", as_="h3", margin_bottom="0.5em"),
                rx.text(
                    "Country, region, line type and original carrier of a number. "
                    "Each number looked up is counted.",
                    size="2",
                    color_scheme="gray",
                    margin_bottom="1em",
                ),
                writable(rx.vstack(_single(), _answer(), rx.separator(), _file(), spacing="4")),
                width="100%",
                id="lookup-card",
            ),
        ),
        spacing="4",
        width="100%",
    )


portal_packages_page = portal_page(packages, section="packages")
