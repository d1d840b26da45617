"""The one authorization guard every event handler goes through.

The browser can call any public event handler with any arguments, so each handler
states what it needs with ``@guarded(...)``, and the check runs on the server before
the handler body. ``tests/test_guard_coverage.py`` walks every State class and fails
when a handler is not guarded. Inside a handler, ``actor()`` is the identity that was
checked; it raises when the handler was not called through the guard.
"""

from __future__ import annotations

import contextvars
import enum
import functools
import inspect
import logging
import typing
from collections.abc import Callable
from typing import Any

import reflex as rx

from portal_app.models import Area
from portal_app.services.db import session_scope
from portal_app.services.identity import Actor
from portal_app.services.portal import PortalContext, portal_context
from portal_app.services.sessions import session_user
from portal_app.services.users import actor_for

log = logging.getLogger("portal.guard")

NEED_ATTR = "__portal_need__"
_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "portal_actor", default=None
)
_portal: contextvars.ContextVar[PortalContext | None] = contextvars.ContextVar(
    "portal_context", default=None
)


class Need(enum.Enum):
    PUBLIC = "public"  # anyone, logged in or not (login form, logout)
    OPERATOR = "operator"  # any logged-in, enabled operator user
    ADMIN = "admin"  # an operator with the Administrator role
    AREA = "area"  # an operator whose role or group allows an area
    NOBODY = "nobody"  # never callable from a browser (framework setters)
    CONTACT = "contact"  # a customer's contact, logged in on its own brand host


class NotGuarded(RuntimeError):
    """A handler asked for the actor without having been guarded."""


def actor() -> Actor:
    """The operator checked by the guard for the running handler."""
    who = _current.get()
    if who is None:
        raise NotGuarded("actor() used outside a guarded handler")
    return who


def portal() -> PortalContext:
    """The contact session checked by the guard for the running portal handler."""
    ctx = _portal.get()
    if ctx is None:
        raise NotGuarded("portal() used outside a Need.CONTACT handler")
    return ctx


def resolve_portal(token: str, host: str) -> PortalContext | None:
    """The contact behind a portal session on this host, fresh from the database."""
    if not token:
        return None
    with session_scope() as session:
        return portal_context(session=session, token=token, host=host)


def resolve_actor(token: str) -> Actor | None:
    """The identity behind a session token, fresh from the database."""
    if not token:
        return None
    with session_scope() as session:
        user = session_user(session=session, token=token)
        return actor_for(user, session) if user is not None else None


def _decide(need: Need, area: Area | None, who: Actor | None) -> str | None:
    """None when allowed, else the reason shown to the person."""
    if need is Need.PUBLIC:
        return None
    if need is Need.NOBODY:
        return "This action is not available."
    if who is None:
        return "Please log in."
    if need is Need.ADMIN and not who.is_admin:
        return "Only administrators can do that."
    if need is Need.AREA and not who.can(area):
        return "You do not have permission to do that."
    return None


def _host(state: Any) -> str:
    return state.router.url.netloc or state.router.headers.host


def _on_control_host(state: Any) -> bool:
    from portal_app.services.hosts import is_control_host
    from portal_app.settings import get_settings

    return is_control_host(_host(state), get_settings().control_hosts)


async def _check_contact(state: Any, section: str | None, name: str):
    """Need.CONTACT: (context, None) when allowed, else (None, events to send)."""
    from portal_app.routes import PORTAL_LOGIN

    if _on_control_host(state):
        return None, []  # portal handlers do not exist on control-panel hosts
    ctx = resolve_portal(str(state.session_token or ""), _host(state))
    if ctx is None:
        log.warning("refused %s: no portal session", name)
        return None, [rx.redirect(PORTAL_LOGIN)]
    if section is not None and section not in ctx.sections:
        log.warning("refused %s: section %s hidden (contact=%s)", name, section, ctx.actor.label)
        return None, [
            rx.toast.error("This section is not available for your account.", id="guard-refusal")
        ]
    return ctx, []


def _refusal(state: Any, reason: str, logged_in: bool) -> list:
    from portal_app.routes import LOGIN

    # Without a session the login page explains itself; a refused permission gets
    # a toast so the person knows why nothing happened.
    if not logged_in:
        return [rx.redirect(LOGIN)]
    return [rx.toast.error(reason, id="guard-refusal")]


# Handler arguments come from the browser as JSON. Only these plain types are allowed,
# so an ORM class can never be a handler argument, and each value is checked.
# The one exception is an upload handler's files: Reflex builds them itself from its
# upload endpoint (a JSON payload holds no UploadFile, so the check below refuses it).
UPLOAD_FILES = list[rx.UploadFile]
ARG_TYPES = (str, int, float, bool, dict, list, UPLOAD_FILES)


def _type_name(declared: Any) -> str:
    return declared.__name__ if isinstance(declared, type) else str(declared)


def _arg_types(fn: Callable) -> dict[str, type]:
    """The declared type of every argument; refuses handlers that declare others."""
    hints = typing.get_type_hints(fn)
    params = list(inspect.signature(fn).parameters.values())[1:]
    types: dict[str, type] = {}
    for param in params:
        declared = hints.get(param.name)
        if declared not in ARG_TYPES:
            raise TypeError(
                f"{fn.__qualname__}: argument {param.name!r} must be annotated with one of "
                f"{', '.join(_type_name(t) for t in ARG_TYPES)}"
            )
        types[param.name] = declared
    return types


def _args_ok(types: dict[str, type], args: tuple, kwargs: dict) -> bool:
    if len(args) + len(kwargs) != len(types) or set(kwargs) - set(types):
        return False
    values = dict(zip(types, args, strict=False)) | kwargs
    for name, expected in types.items():
        value = values.get(name)
        if expected == UPLOAD_FILES:
            if not isinstance(value, list) or not all(
                isinstance(item, rx.UploadFile) for item in value
            ):
                return False
            continue
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return False
    return True


def guarded(
    need: Need, area: Area | None = None, *, section: str | None = None, background: bool = False
):
    """Declare what a handler needs, check it on every call, then run the handler.

    ``section`` (with Need.CONTACT) is a portal section the customer's effective
    access must include, e.g. ``"balance"``.
    """
    if (need is Need.AREA) != (area is not None):
        raise ValueError("Need.AREA takes an area; other needs take none")
    if section is not None and need is not Need.CONTACT:
        raise ValueError("only Need.CONTACT takes a section")

    def decorate(fn: Callable) -> Any:
        types = _arg_types(fn)

        @functools.wraps(fn)
        async def wrapper(self, *args, **kwargs):
            if not _args_ok(types, args, kwargs):
                log.warning("refused %s.%s: malformed arguments", type(self).__name__, fn.__name__)
                yield rx.toast.error("That request was malformed.", id="guard-refusal")
                return
            ctx = None
            if need is Need.CONTACT:
                ctx, refusal = await _check_contact(
                    self, section, f"{type(self).__name__}.{fn.__name__}"
                )
                if ctx is None:
                    for event in refusal:
                        yield event
                    return
                who = ctx.actor
            elif need is not Need.PUBLIC and not _on_control_host(self):
                # Operator handlers do not exist on brand hosts. The host is the
                # client's word, so this only hides; the session check below decides.
                return
            else:
                token = "" if need is Need.PUBLIC else str(self.session_token or "")
                who = resolve_actor(token) if token else None
            reason = None if ctx is not None else _decide(need, area, who)
            if reason is not None:
                log.warning(
                    "refused %s.%s: %s (actor=%s)",
                    type(self).__name__,
                    fn.__name__,
                    reason,
                    who.label if who else None,
                )
                for event in _refusal(self, reason, who is not None):
                    yield event
                return
            _current.set(who)
            _portal.set(ctx)
            try:
                result = fn(self, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                if inspect.isasyncgen(result):
                    # Reflex may resume a handler after a yield from another context:
                    # set the checked identity again before every step.
                    while True:
                        _current.set(who)
                        _portal.set(ctx)
                        try:
                            event = await result.__anext__()
                        except StopAsyncIteration:
                            break
                        yield event
                elif inspect.isgenerator(result):
                    for event in result:
                        yield event
                elif result is not None:
                    yield result
            finally:
                _current.set(None)
                _portal.set(None)

        setattr(wrapper, NEED_ATTR, (need, area or section))
        return rx.event(wrapper, background=background) if background else rx.event(wrapper)

    return decorate


def checked(value: object) -> bool:
    """A checkbox or switch in form data: "on" (or true) when ticked, absent when not."""
    return value is True or value in ("on", "true")
