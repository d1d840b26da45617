"""Drive the app's Reflex states under pytest, the way Reflex drives them for a browser.

Reflex 0.10 keeps one state tree per browser tab: the root ``reflex.state.State`` owns
``AppState``, which owns every feature state. Building the root with
``_reflex_internal_init=True`` builds that whole tree, so a feature state found in it
reads ``session_token`` and ``router`` through its parents exactly as in the app.

A handler is called through ``cls.event_handlers[name].fn`` (what Reflex's event
processor calls) with a payload coerced by Reflex's own payload step, then its async
generator is run to the end. The yielded events (redirects, toasts) come back as Reflex
``Event`` objects; the delta is what the browser would have received.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import re
from typing import Any, TypeVar

from reflex.istate.data import RouterData
from reflex.state import State
from reflex_base.constants import RouteVar
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import _prepare_event_payload
from sqlmodel import Session, SQLModel, func, select

import portal_app.portal_app  # noqa: F401  (builds the one rx.App and registers its states)
from portal_app.models import Area, Grant
from portal_app.services.groups import group_create
from portal_app.services.identity import SYSTEM
from portal_app.services.offloop import watch_loop
from portal_app.services.sessions import SESSION_COOKIE, session_create
from portal_app.services.users import user_create

T = TypeVar("T")

CONTROL_ORIGIN = "http://localhost:3000"
_TICKET = re.compile(r"i\.name = \"ticket\"; i\.value = (\"[^\"]*\")")
_TOAST = re.compile(r"""refs\['__toast'\]\?\.\["(\w+)"\]\(("(?:[^"\\]|\\.)*")""")


def router_data(
    *,
    origin: str = CONTROL_ORIGIN,
    host: str = "localhost:3000",
    path: str = "/",
    client_ip: str = "127.0.0.1",
    user_agent: str = "pytest-state",
    token: str = "",
) -> dict[str, Any]:
    """The router data Reflex builds from a websocket event (see ``app.py`` on_event);
    ``token`` is the HttpOnly session cookie the handshake carried."""
    headers = {"host": host, "user-agent": user_agent}
    if token:
        headers["cookie"] = f"{SESSION_COOKIE}={token}"
    if origin:
        headers["origin"] = origin
    return {
        RouteVar.HEADERS: headers,
        RouteVar.PATH: path,
        RouteVar.ORIGIN: path,
        RouteVar.CLIENT_IP: client_ip,
        RouteVar.CLIENT_TOKEN: "test-client-token",
        RouteVar.SESSION_ID: "test-sid",
        RouteVar.QUERY: {},
    }


def make_state(cls: type[T], *, token: str = "", **router: Any) -> T:
    """A fresh state tree (one browser tab) and its instance of ``cls``.

    ``token`` is the session cookie's value; ``router`` overrides ``router_data``.
    """
    root = State(_reflex_internal_init=True)
    data = router_data(token=token, **router)
    root.router_data = data
    root.router = RouterData.from_router_data(data)
    state = root.get_substate(cls.get_full_name().split("."))
    assert isinstance(state, cls)
    root._clean()
    return state


def use_cookie(state: Any, token: str) -> None:
    """The browser now holds ``token`` in its cookie (after a new page load)."""
    root = state._get_root_state()
    data = dict(root.router_data)
    headers = dict(data.get(RouteVar.HEADERS, {}))
    if token:
        headers["cookie"] = f"{SESSION_COOKIE}={token}"
    else:
        headers.pop("cookie", None)
    data[RouteVar.HEADERS] = headers
    root.router_data = data
    root.router = RouterData.from_router_data(data)
    root._clean()


def preset(state: Any, **values: Any) -> None:
    """Set instance vars as earlier events would have, without them counting as changes."""
    for name, value in values.items():
        setattr(state, name, value)
    state._get_root_state()._clean()


@dataclasses.dataclass
class Outcome:
    """What one handler call sent back to the browser."""

    events: list[Event]
    delta: dict[str, dict[str, Any]]

    @property
    def redirects(self) -> list[str]:
        return [e.payload["path"] for e in self.events if e.name == "_redirect"]

    @property
    def ticket(self) -> str:
        """The session ticket a login handed to the page to post, or ""."""
        for e in self.events:
            if e.name == "_call_script":
                match = _TICKET.search(str(e.payload.get("javascript_code", "")))
                if match:
                    return json.loads(match.group(1))
        return ""

    def claim(self, state: Any) -> str:
        """Post the ticket as the page would: the session token its cookie now holds
        (then the page reloads with it), or "" when there was none to claim."""
        from portal_app.services.db import session_scope
        from portal_app.services.tickets import ticket_claim

        if not self.ticket:
            return ""
        client_ip, agent = state._client()
        with session_scope() as session:
            claimed = ticket_claim(
                session=session,
                ticket=self.ticket,
                host=state._host(),
                client_ip=client_ip,
                user_agent=agent,
            )
        token = claimed[0] if claimed else ""
        if token:
            use_cookie(state, token)
        return token

    @property
    def ended_session(self) -> bool:
        """The handler sent the page to /api/session/end (clear the cookie, log in)."""
        return any(
            e.name == "_call_script" and "/api/session/end" in str(e.payload) for e in self.events
        )

    @property
    def toasts(self) -> list[tuple[str, str]]:
        """(level, message) of every toast, e.g. ("error", "Please log in.")."""
        found = []
        for e in self.events:
            if e.name == "_call_function":
                match = _TOAST.search(str(e.payload.get("function", "")))
                if match:
                    found.append((match.group(1), json.loads(match.group(2))))
        return found

    @property
    def changed(self) -> set[str]:
        """Names of the vars in the delta, without Reflex's ``_rx_state_`` suffix."""
        return {
            name.removesuffix("_rx_state_") for values in self.delta.values() for name in values
        }


async def _drain(result: Any) -> list[Any]:
    watch_loop()  # as the app's lifespan task does: blocking I/O on this loop fails
    if inspect.isawaitable(result):
        result = await result
    if inspect.isasyncgen(result):
        return [item async for item in result]
    if inspect.isgenerator(result):
        return list(result)
    return [result]


def call(state: Any, handler: str, **payload: Any) -> Outcome:
    """Run ``handler`` on ``state`` as Reflex would for an event with this payload."""
    event_handler = type(state).event_handlers[handler]
    payload = _prepare_event_payload(event_handler, payload)
    yielded = asyncio.run(_drain(event_handler.fn(state, **payload)))
    # Reflex turns each yield into events on its own (chain_updates), lists included.
    events = [event for item in yielded for event in Event.from_event_type(item)]
    root = state._get_root_state()
    delta = root.get_delta()
    root._clean()
    return Outcome(events=events, delta=dict(delta))


# Seeding and reading the database ----------------------------------------------------

PASSWORD = "correct horse battery"


@dataclasses.dataclass(frozen=True)
class Operator:
    """A seeded operator user and the token of a live session ("" when none)."""

    id: int
    email: str
    password: str
    token: str


def seed_operator(
    db: Session,
    email: str,
    *,
    role: str = "user",
    group_id: int | None = None,
    with_session: bool = True,
) -> Operator:
    """An operator user created by the system, optionally logged in; committed."""
    data = {"name": email.split("@")[0].title(), "email": email, "password": PASSWORD}
    data |= {"role": role, "group_id": group_id, "enabled": True}
    user = user_create(session=db, actor=SYSTEM, data=data)
    db.flush()
    token = session_create(session=db, user_id=user.id) if with_session else ""
    db.commit()
    return Operator(id=user.id, email=user.email, password=PASSWORD, token=token)


def seed_group(db: Session, name: str, **grants: Grant) -> int:
    """A group allowing or denying the given areas (the others left at Select)."""
    data = {"name": name, "grants": {Area(area).value: g.value for area, g in grants.items()}}
    group = group_create(session=db, actor=SYSTEM, data=data)
    db.commit()
    return group.id


def count(db: Session, model: type[SQLModel], *where: Any) -> int:
    """Committed rows of ``model`` now (ending ``db``'s snapshot, so handlers' writes show)."""
    db.commit()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def fresh(db: Session, model: type[SQLModel], *where: Any) -> list[Any]:
    """Committed rows of ``model``, re-read from the database."""
    db.commit()
    db.expire_all()
    return list(db.exec(select(model).where(*where)).all())
