"""Setup › My Account › My Servers: the list, the add/edit dialog, maintenance, delete,
"Check now" (a background event: the probe waits in a thread) and each server's history.

Guarded by the Setup area, as the other account-configuration screens (Configuration,
Email Log, SMTP); services/servers.py checks it again.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import servers as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.offloop import run_blocking
from portal_app.services.server_checks import server_check
from portal_app.services.validation import parse_id
from portal_app.settings import get_settings

from .base import AppState
from .guard import Need, actor, guarded

STATUS = {  # status → (label, badge colour)
    "up": ("Up", "green"),
    "reachable": ("Reachable", "orange"),
    "down": ("Down", "red"),
    "maintenance": ("Maintenance", "gray"),
    "unchecked": ("Not checked yet", "gray"),
}


def _ms(value: int | None) -> str:
    return f"{value} ms" if value is not None else "—"


def _label(status: str, code: int | None) -> str:
    label = STATUS.get(status, (status, ""))[0]
    return f"{label} ({code})" if status == "reachable" and code else label


@dataclasses.dataclass
class ServerRow:
    id: int
    name: str
    address: str
    role: str
    location: str
    maintenance: bool
    status: str
    status_label: str
    colour: str
    seen: str
    latency: str
    error: str


@dataclasses.dataclass
class ProbeRow:
    at: str
    result: str
    colour: str
    latency: str
    error: str


def _row(v: dict, fmt: dates.DateFormatter) -> ServerRow:
    host = f"[{v['host_display']}]" if ":" in v["host_display"] else v["host_display"]
    return ServerRow(
        id=v["id"],
        name=v["name"],
        address=f"{host}:{v['port']}",
        role=v["role_label"],
        location=v["location"],
        maintenance=v["maintenance"],
        status=v["status"],
        status_label=_label(v["status"], v["code"]),
        colour=STATUS.get(v["status"], ("", "gray"))[1],
        seen=fmt.datetime(v["seen_at"], "never", seconds=True),
        latency=_ms(v["latency_ms"]) if v["status"] in ("up", "reachable") else "—",
        error=v["error"],
    )


def _probe(p: dict, fmt: dates.DateFormatter) -> ProbeRow:
    return ProbeRow(
        at=fmt.datetime(p["at"], "never", seconds=True),
        result=_label(p["result"], p["code"]),
        colour=STATUS.get(p["result"], ("", "gray"))[1],
        latency=_ms(p["latency_ms"]),
        error=p["error"],
    )


def _rows(who) -> list[ServerRow]:
    with session_scope() as session:
        fmt = dates.formatter(session=session)
        return [_row(v, fmt) for v in svc.server_list(session=session, actor=who)]


class ServersState(AppState):
    servers: list[ServerRow] = []
    dialog: str = ""  # "" closed, "new", or the id being edited
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    confirm_delete: int = 0
    confirm_label: str = ""
    checking: int = 0
    history_id: int = 0
    history_label: str = ""
    history: list[ProbeRow] = []
    probe_seconds: int = 60  # PORTAL_SERVER_PROBE_SECONDS, for the page's explanation

    def _reload(self) -> None:
        self.servers = _rows(actor())

    @guarded(Need.AREA, Area.SETUP)
    def load(self):
        self.dialog, self.errors, self.confirm_delete, self.history_id = "", {}, 0, 0
        self.probe_seconds = get_settings().server_probe_seconds
        self._reload()

    @guarded(Need.AREA, Area.SETUP)
    def open_new(self):
        self.dialog, self.errors = "new", {}
        self.form = {f: "" for f in svc.FIELDS} | {"port": "5060", "role": "sip_switch"}

    @guarded(Need.AREA, Area.SETUP)
    def open_edit(self, server_id: str):
        if (sid := parse_id(server_id)) is None:
            return
        try:
            with session_scope() as session:
                view = svc.server_get(session=session, actor=actor(), server_id=sid)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.dialog, self.errors = str(sid), {}
        self.form = {f: str(view[f]) for f in svc.FIELDS} | {"host": view["host_display"]}

    @guarded(Need.AREA, Area.SETUP)
    def close(self):
        self.dialog, self.errors, self.confirm_delete, self.history_id = "", {}, 0, 0

    @guarded(Need.AREA, Area.SETUP)
    def save(self, form_data: dict):
        if not isinstance(form_data, dict) or not self.dialog:
            return
        data = {f: str(form_data.get(f, ""))[:2100] for f in svc.FIELDS}
        try:
            with session_scope() as session:
                if self.dialog == "new":
                    svc.server_create(session=session, actor=actor(), data=data)
                else:
                    sid = int(self.dialog)
                    svc.server_update(session=session, actor=actor(), server_id=sid, data=data)
        except ValidationError as exc:
            self.errors, self.form = exc.fields, data
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.dialog, self.errors = "", {}
        self._reload()
        return rx.toast.success("Server saved.")

    @guarded(Need.AREA, Area.SETUP)
    def toggle_maintenance(self, server_id: str):
        row = next((s for s in self.servers if s.id == parse_id(server_id)), None)
        if row is None:
            return
        try:
            with session_scope() as session:
                svc.server_set_maintenance(
                    session=session, actor=actor(), server_id=row.id, on=not row.maintenance
                )
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._reload()

    @guarded(Need.AREA, Area.SETUP, background=True)
    async def check_now(self, server_id: str):
        """Probe one server now; the SIP wait (up to the timeout) runs in a thread."""
        if (sid := parse_id(server_id)) is None:
            return
        who = actor()
        async with self:
            self.checking = sid
        try:
            view = await asyncio.to_thread(server_check, sid, actor=who)
        except ServiceError as exc:
            yield rx.toast.error(exc.message)
            return
        finally:
            rows = await run_blocking(_rows, who)
            async with self:
                self.checking, self.servers = 0, rows
        label = _label(view["status"], view["code"])
        toast = rx.toast.success if view["status"] == "up" else rx.toast.warning
        yield toast(f"{view['name']}: {label}. {view['error']}".strip())

    @guarded(Need.AREA, Area.SETUP)
    def open_history(self, server_id: str):
        if (sid := parse_id(server_id)) is None:
            return
        try:
            with session_scope() as session:
                rows = svc.server_history(session=session, actor=actor(), server_id=sid)
                fmt = dates.formatter(session=session)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        name = next((s.name for s in self.servers if s.id == sid), "")
        self.history_id, self.history_label = sid, name
        self.history = [_probe(p, fmt) for p in rows]

    @guarded(Need.AREA, Area.SETUP)
    def ask_delete(self, server_id: str):
        row = next((s for s in self.servers if s.id == parse_id(server_id)), None)
        if row is not None:
            self.confirm_delete, self.confirm_label = row.id, row.name

    @guarded(Need.AREA, Area.SETUP)
    def delete(self):
        sid, self.confirm_delete = self.confirm_delete, 0
        if not sid:
            return
        try:
            with session_scope() as session:
                svc.server_delete(session=session, actor=actor(), server_id=sid)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success("Server removed.")
