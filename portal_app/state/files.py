"""Management > File > Public: upload logos, preview them, delete unused ones."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.api.files import public_file_url
from portal_app.services import dates
from portal_app.services import files as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Actor, Area

from .base import AppState
from .guard import Need, actor, guarded

UPLOAD_ID = "public_file_upload"


@dataclasses.dataclass
class FileRow:
    id: int
    name: str
    url: str
    preview: str  # the URL with the content hash, so a reused name never shows stale bytes
    kind: str
    size: str
    dims: str
    uploaded: str
    logo_of: str


def _row(info: svc.PublicFileInfo, fmt: dates.DateFormatter) -> FileRow:
    url = public_file_url(info.name)
    return FileRow(
        id=info.id,
        name=info.name,
        url=url,
        preview=f"{url}?v={info.sha256[:12]}",
        kind=info.content_type.removeprefix("image/").upper(),
        size=svc.size_label(info.size),
        dims=f"{info.width} × {info.height} px" if info.width else "",
        uploaded=fmt.datetime(info.created_at),
        logo_of=", ".join(info.logo_of),
    )


def _store(who: Actor, filename: str, data: bytes, scale_down: bool) -> str:
    with session_scope() as session:
        row = svc.file_upload(
            session=session, actor=who, filename=filename, data=data, scale_down=scale_down
        )
        return row.name


class FilesState(AppState):
    files: list[FileRow] = []
    errors: dict[str, str] = {}
    too_wide: bool = False  # offer "Scale down to 350 px" for the selected file
    uploading: bool = False
    confirm_id: int = 0
    confirm_name: str = ""

    def _reload(self) -> None:
        with session_scope() as session:
            fmt = dates.formatter(session=session)
            self.files = [_row(f, fmt) for f in svc.file_list(session=session, actor=actor())]

    @guarded(Need.AREA, Area.PORTAL)
    def load(self):
        self.errors, self.too_wide, self.confirm_id = {}, False, 0
        self._reload()

    def _upload(self, files: list[rx.UploadFile], scale_down: bool):
        if len(files) != 1:
            self.errors, self.too_wide = {"file": "Choose one image file."}, False
            return
        upload = files[0]
        data = upload.file.read(svc.MAX_BYTES + 1)
        if msg := svc.size_error(max(upload.size or 0, len(data))):
            self.errors, self.too_wide = {"file": msg}, False
            return
        self.uploading = True
        yield
        try:
            name = _store(actor(), upload.name or "upload", data, scale_down)
        except ValidationError as exc:
            self.errors, self.too_wide = exc.fields, "too_wide" in exc.fields
            return
        except ServiceError as exc:
            yield rx.toast.error(exc.message)
            return
        finally:
            self.uploading = False
        self.errors, self.too_wide = {}, False
        self._reload()
        yield [rx.clear_selected_files(UPLOAD_ID), rx.toast.success(f"Uploaded {name}.")]

    @guarded(Need.AREA, Area.PORTAL)
    def upload(self, files: list[rx.UploadFile]):
        """Store the selected file; too wide is refused with an offer to scale it."""
        yield from self._upload(files, scale_down=False)

    @guarded(Need.AREA, Area.PORTAL)
    def upload_scaled(self, files: list[rx.UploadFile]):
        """Store the selected file scaled down to 350 px wide."""
        yield from self._upload(files, scale_down=True)

    @guarded(Need.AREA, Area.PORTAL)
    def clear_selection(self):
        self.errors, self.too_wide = {}, False
        return rx.clear_selected_files(UPLOAD_ID)

    @guarded(Need.AREA, Area.PORTAL)
    def ask_delete(self, file_id: int):
        row = next((f for f in self.files if f.id == file_id), None)
        if row is not None:
            self.confirm_id, self.confirm_name = row.id, row.name

    @guarded(Need.AREA, Area.PORTAL)
    def cancel_delete(self):
        self.confirm_id, self.confirm_name = 0, ""

    @guarded(Need.AREA, Area.PORTAL)
    def confirm_delete_now(self):
        file_id, name = self.confirm_id, self.confirm_name
        self.confirm_id, self.confirm_name = 0, ""
        if not file_id:
            return
        try:
            with session_scope() as session:
                svc.file_delete(session=session, actor=actor(), file_id=file_id)
        except ServiceError as exc:
            self._reload()
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success(f"Deleted {name}.")
