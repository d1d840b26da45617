"""Where am I logged in? The operator's (Personal Information) and the contact's
(portal Profile) own sessions, and signing out of one or of all of them."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import session_list as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError

from .base import AppState
from .guard import Need, Writes, actor, guarded
from .session_cookie import end_session


@dataclasses.dataclass
class SessionRow:
    id: int
    device: str
    address: str
    started: str
    last_seen: str
    current: bool


def _rows(token: str) -> list[SessionRow]:
    with session_scope() as session:
        views = svc.sessions_mine(session=session, actor=actor(), current_token=token)
        fmt = dates.formatter(session=session)
    return [
        SessionRow(
            v.id,
            v.device,
            v.address,
            fmt.datetime(v.started, "—"),
            fmt.datetime(v.last_seen, "—"),
            v.current,
        )
        for v in views
    ]


class _Sessions:
    """The handlers' bodies, shared by the two states below (each has its own guard)."""

    def _load(self) -> None:
        self.sessions = _rows(self.session_token)

    def _end_one(self, session_id: int):
        current = next((r for r in self.sessions if r.id == session_id and r.current), None)
        try:
            with session_scope() as session:
                svc.session_end_mine(session=session, actor=actor(), session_id=session_id)
        except ServiceError as exc:
            self._load()
            return rx.toast.error(exc.message)
        if current is not None:
            return end_session()
        self._load()
        return rx.toast.success("That session is signed out.")

    def _end_all(self):
        with session_scope() as session:
            svc.sessions_end_mine(session=session, actor=actor())
        return end_session()


class OperatorSessionsState(_Sessions, AppState):
    sessions: list[SessionRow] = []

    @guarded(Need.OPERATOR)
    def load_sessions(self):
        self._load()

    @guarded(Need.OPERATOR)
    def end_one(self, session_id: int):
        return self._end_one(session_id)

    @guarded(Need.OPERATOR)
    def end_all(self):
        return self._end_all()


class PortalSessionsState(_Sessions, AppState):
    sessions: list[SessionRow] = []

    @guarded(Need.CONTACT, section="profile")
    def load_sessions(self):
        self._load()

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def end_one(self, session_id: int):
        return self._end_one(session_id)

    @guarded(Need.CONTACT, section="profile", writes=Writes.SELF)
    def end_all(self):
        return self._end_all()
