"""The one authorization guard every event handler goes through.

The browser can call any public event handler with any arguments, so each handler
states what it needs with ``@guarded(...)``, and the check runs on the server before
the handler body. ``tests/test_guard_coverage.py`` walks every State class and fails
when a handler is not guarded. Inside a handler, ``actor()`` is the identity that was
checked; it raises when the handler was not called through the guard.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, NamedTuple

import reflex as rx

from portal_app.services.identity import Actor, Area
from portal_app.services.logs import RateLimitedLog
from portal_app.services.offloop import run_blocking, run_in_context
from portal_app.services.policy import Decision, Need, Rule, Writes, authorize
from portal_app.services.portal import PortalContext, portal_context
from portal_app.services.principals import operator_for_token

from .arguments import ARG_TYPES, UPLOAD_FILES, arg_types, args_ok
from .session_cookie import session_token_of

__all__ = [
    "ARG_TYPES",
    "UPLOAD_FILES",
    "Need",
    "Writes",
    "actor",
    "checked",
    "guarded",
    "portal",
    "resolve_actor",
    "resolve_portal",
]

log = logging.getLogger("portal.guard")

NEED_ATTR = "__portal_need__"
RULE_ATTR = "__portal_rule__"
_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "portal_actor", default=None
)
_portal: contextvars.ContextVar[PortalContext | None] = contextvars.ContextVar(
    "portal_context", default=None
)
_END = object()


class NotGuarded(RuntimeError):
    """A handler asked for the actor without having been guarded."""


def actor() -> Actor:
    """The operator (or contact) checked by the guard for the running handler."""
    who = _current.get()
    if who is None:
        raise NotGuarded("actor() used outside a guarded handler")
    return who


def maybe_actor() -> Actor | None:
    """For Need.PUBLIC handlers: whoever the session is, or None."""
    return _current.get()


def portal() -> PortalContext:
    """The contact session checked by the guard for the running portal handler."""
    ctx = _portal.get()
    if ctx is None:
        raise NotGuarded("portal() used outside a Need.CONTACT handler")
    return ctx


def resolve_portal(token: str, host: str) -> PortalContext | None:
    """The contact behind a portal session on this host. Blocking: not on the loop."""
    return portal_context(session=None, token=token, host=host) if token else None


def resolve_actor(token: str) -> Actor | None:
    """The operator behind a session token. Blocking: not on the loop."""
    return operator_for_token(None, token) if token else None


def _host(state: Any) -> str:
    return state.router.url.netloc or state.router.headers.host


def _path(state: Any) -> str:
    try:
        return state.router.url.path
    except AttributeError:
        return ""


def _authorize(rule: Rule, token: str, host: str) -> Decision:
    return authorize(rule, token=token, host=host)


async def recheck(state: Any, rule: Rule) -> Decision:
    """For background watchers: ask the policy again about this tab's session.

    A watcher calls this on every round before it pushes anything, so a logout, a
    disabled account or a revoked permission stops it at once.
    """
    token, host = session_token_of(state), _host(state)
    return await run_blocking(_authorize, rule, token, host)


def _refusal(decision: Decision, rule: Rule, path: str = "") -> list:
    from portal_app.routes import LOGIN, PERSONAL, PORTAL_LOGIN

    if decision.silent:
        return []
    if decision.totp_setup:  # off to Personal Information, where 2FA is set up
        if path.rstrip("/") == PERSONAL:
            return []
        return [rx.redirect(PERSONAL), rx.toast.error(decision.reason, id="guard-refusal")]
    if decision.login:
        # Without a session the login page explains itself.
        return [rx.redirect(PORTAL_LOGIN if rule.need is Need.CONTACT else LOGIN)]
    # A refused permission gets a toast so the person knows why nothing happened.
    return [rx.toast.error(decision.reason, id="guard-refusal")]


def guarded(
    need: Need,
    area: Area | tuple[Area, ...] | None = None,
    *,
    section: str | tuple[str, ...] | None = None,
    background: bool = False,
    before_totp: bool = False,
    writes: str | None = None,
):
    """Declare what a handler needs, check it on every call, then run the handler.

    ``section`` (with Need.CONTACT) is a portal section the customer's effective
    access must include, e.g. ``"balance"``. ``before_totp``: also for an operator who
    must still set up two-factor authentication (My Account › Settings requires it).
    ``writes`` (contacts, a ``Writes`` value): what the handler changes, refused to a
    read-only role or session as services/policy.py decides.
    """
    rule = Rule(need, area, section, before_totp, writes)

    def decorate(fn: Callable) -> Any:
        types = arg_types(fn)
        is_async = inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)
        if background and not is_async:
            raise TypeError(f"{fn.__qualname__}: a background handler must be async")

        def check_and_run(token: str, host: str, args: tuple, kwargs: dict):
            """In a worker thread: the policy, then (plain handlers) the body; a generator
            is stepped to its first event in the same trip to the pool."""
            decision = _authorize(rule, token, host)
            if not decision.allowed or is_async:
                return decision, None
            _current.set(decision.actor)
            _portal.set(decision.portal)
            result = fn(*args, **kwargs)
            if inspect.isgenerator(result):
                return decision, _Started(result, next(result, _END))
            return decision, result

        @functools.wraps(fn)
        async def wrapper(self, *args, **kwargs):
            name = f"{type(self).__name__}.{fn.__name__}"
            if not args_ok(types, args, kwargs):
                _REFUSALS.warning(f"{name} malformed", "refused %s: malformed arguments", name)
                yield rx.toast.error("That request was malformed.", id="guard-refusal")
                return
            token = session_token_of(self)
            ctx = contextvars.copy_context()
            try:
                decision, result = await run_in_context(
                    ctx, check_and_run, token, _host(self), (self, *args), kwargs
                )
            except Exception as exc:
                yield _failed(name, exc)
                return
            if not decision.allowed:
                if not decision.silent:
                    who = decision.actor.label if decision.actor else None
                    _REFUSALS.warning(
                        f"{name} {decision.reason} {who}",
                        "refused %s: %s (actor=%s)",
                        name,
                        decision.reason,
                        who,
                    )
                for event in _refusal(decision, rule, _path(self)):
                    yield event
                return
            if not is_async:
                try:
                    async for event in _drain_sync(ctx, result):
                        yield event
                except Exception as exc:
                    yield _failed(name, exc)
                return
            who, where = decision.actor, decision.portal
            _current.set(who)
            _portal.set(where)
            try:
                result = fn(self, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                if inspect.isasyncgen(result):
                    # Reflex may resume a handler after a yield from another context:
                    # set the checked identity again before every step.
                    while True:
                        _current.set(who)
                        _portal.set(where)
                        try:
                            event = await result.__anext__()
                        except StopAsyncIteration:
                            break
                        yield event
                elif result is not None:
                    yield result
            except Exception as exc:
                yield _failed(name, exc)
            finally:
                _current.set(None)
                _portal.set(None)

        setattr(wrapper, NEED_ATTR, (need, area or section))
        setattr(wrapper, RULE_ATTR, rule)
        return rx.event(wrapper, background=background) if background else rx.event(wrapper)

    return decorate


_FAILURES = RateLimitedLog(log, every_seconds=60)
_REFUSALS = RateLimitedLog(log, every_seconds=60)


def _failed(name: str, exc: Exception):
    """A handler raised: the person gets a plain message, the log one line per kind a
    minute (with the traceback the first time), never a flood, and nothing is half
    written (each service call is its own transaction)."""
    _FAILURES.exception(f"{name}: {type(exc).__name__}", "handler %s failed", name, exc=exc)
    return rx.toast.error(
        "Something went wrong and nothing was changed. Please try again.", id="guard-failure"
    )


class _Started(NamedTuple):
    """A plain handler's generator and its first event (or _END)."""

    generator: Any
    first: Any


async def _drain_sync(ctx: contextvars.Context, result: Any):
    """The events of a plain handler's result: a generator (with its first event, which
    ``check_and_run`` already took) is stepped on in the pool."""
    if isinstance(result, _Started):
        generator, event = result
        while event is not _END:
            yield event
            event = await run_in_context(ctx, next, generator, _END)
    elif result is not None:
        yield result


def checked(value: object) -> bool:
    """A checkbox or switch in form data: "on" (or true) when ticked, absent when not."""
    return value is True or value in ("on", "true")
