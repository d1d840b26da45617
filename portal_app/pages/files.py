"""Management > File > Public: logos and other public files, each at a stable URL."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import H2, dialog_open, field, named_upload
from portal_app.components.layout import control_page
from portal_app.services.files import MAX_BYTES, MAX_WIDTH
from portal_app.state.files import UPLOAD_ID, FilesState

S = FilesState
ACCEPT = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/gif": [".gif"]}


def _dropzone() -> rx.Component:
    selected = rx.selected_files(UPLOAD_ID)
    upload = rx.upload.root(
        rx.vstack(
            rx.icon("image-up", size=28, color=rx.color("gray", 10)),
            rx.cond(
                selected.length() > 0,
                rx.foreach(selected, lambda name: rx.text(name, weight="medium", size="2")),
                rx.text("Drop a logo here, or click to choose one.", size="2"),
            ),
            rx.text(
                f"JPG, PNG or GIF; at most 2 MB and {MAX_WIDTH} px wide.",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        max_size=MAX_BYTES,
        accept=ACCEPT,
        border="1px dashed var(--gray-a8)",
        border_radius="var(--cp-radius)",
        padding="1.5em",
        width="100%",
        cursor="pointer",
    )
    return named_upload(upload, "Logo file")


def _upload_card() -> rx.Component:
    files = rx.upload_files(upload_id=UPLOAD_ID)
    nothing_selected = rx.selected_files(UPLOAD_ID).length() == 0
    return rx.card(
        rx.heading("Upload", size="4", as_="h2", margin_bottom="1em"),
        rx.vstack(
            field("Logo file", _dropzone(), S.errors, "file"),
            rx.hstack(
                rx.button(
                    "Upload",
                    on_click=S.upload(files),
                    loading=S.uploading,
                    disabled=nothing_selected,
                    id="upload-file",
                ),
                rx.cond(
                    S.too_wide,
                    rx.button(
                        f"Scale down to {MAX_WIDTH} px",
                        on_click=S.upload_scaled(files),
                        loading=S.uploading,
                        disabled=nothing_selected,
                        variant="soft",
                        id="scale-down",
                    ),
                ),
                rx.button(
                    "Clear",
                    on_click=S.clear_selection,
                    variant="soft",
                    color_scheme="gray",
                    disabled=nothing_selected,
                ),
                spacing="3",
            ),
            spacing="3",
            align="start",
            max_width="520px",
            width="100%",
        ),
        width="100%",
    )


def _file_row(f) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.image(
                src=f.preview,
                alt="Preview of " + f.name,
                max_height="48px",
                max_width="120px",
                loading="lazy",
            )
        ),
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(f.name, weight="medium"),
                rx.link(f.url, href=f.url, is_external=True, size="1"),
                spacing="1",
            )
        ),
        rx.table.cell(rx.text(f.kind + " · " + f.size + " · " + f.dims, size="2")),
        rx.table.cell(
            rx.cond(
                f.logo_of != "",
                rx.badge("Logo of " + f.logo_of, color_scheme="blue"),
                rx.text("Not in use", size="2", color_scheme="gray"),
            )
        ),
        rx.table.cell(rx.text(f.uploaded, size="2")),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                aria_label="Delete " + f.name,
                on_click=S.ask_delete(f.id),
            )
        ),
    )


def _files_card() -> rx.Component:
    headers = ["Preview", "Name and URL", "File", "Used", "Uploaded", ""]
    return rx.card(
        rx.heading("Public files", size="4", as_="h2", margin_bottom="1em"),
        rx.cond(
            S.files.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.files, _file_row)),
                    width="100%",
                    variant="surface",
                    id="files-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No files yet. Upload a logo to use it for a brand.", color_scheme="gray"),
        ),
        width="100%",
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete " + S.confirm_name + "?", custom_attrs=H2),
            rx.alert_dialog.description(
                "Its URL stops working. This cannot be undone; it is recorded in the audit log.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_delete
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        on_click=S.confirm_delete_now,
                        id="confirm-delete",
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=dialog_open(S.confirm_id != 0),
        on_open_change=lambda _open: S.cancel_delete(),
    )


def _body() -> rx.Component:
    return rx.vstack(_upload_card(), _files_card(), _confirm_dialog(), spacing="5", width="100%")


files_page = control_page("Public Files", _body, area="portal")
