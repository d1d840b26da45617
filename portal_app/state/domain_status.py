"""The Portal page's DNS statuses: Verify now, and the live watch that shows what the
background checks found while the page is open.

A mixin of DomainsState (its only user), so its handlers are guarded here; the concrete
state provides ``rows``.
"""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from portal_app import live, routes
from portal_app.services import domains as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Area
from portal_app.services.offloop import run_blocking
from portal_app.services.policy import Rule
from portal_app.services.validation import parse_id
from portal_app.settings import get_settings

from .domain_rows import domain_rows
from .guard import Need, actor, guarded, recheck

WATCH_SECONDS = 1800  # half an hour; reopening the page starts a new watch
RECHECK_SECONDS = 5  # with no change, the session is still re-checked this often
WATCH_RULE = Rule(Need.AREA, Area.PORTAL)


class DomainStatusMixin(rx.State, mixin=True):
    checking: str = ""  # id of the domain being verified now
    _watch_id: int = 0

    @guarded(Need.AREA, Area.PORTAL, background=True)
    async def verify_now(self, domain_id: str):
        """Check DNS now, off the event loop; the page stays responsive meanwhile."""
        target = parse_id(domain_id)
        if target is None:
            return
        if not await run_blocking(_verify_allowed, target):
            yield rx.toast.info("Checked a moment ago: try again in a few seconds.")
            return
        async with self:
            self.checking = domain_id
        try:
            result, _changed = await asyncio.to_thread(_check, target)
        except ServiceError as exc:  # deleted meanwhile
            yield rx.toast.error(exc.message)
            return
        finally:
            rows = await run_blocking(domain_rows, actor())
            async with self:
                self.checking = ""
                self.rows = rows
        yield (
            rx.toast.success(result.explanation)
            if result.outcome == "verified"
            else rx.toast.warning(result.explanation)
        )

    @guarded(Need.AREA, Area.PORTAL, background=True)
    async def watch(self):
        """While this page is open, statuses found by the background checks show up live
        (woken by the worker's one poller; the session is re-checked every round)."""
        async with self:
            self._watch_id += 1
            mine = self._watch_id
        until, seen = time.monotonic() + WATCH_SECONDS, DOMAINS.version
        while time.monotonic() < until:
            version = await DOMAINS.wait(seen, RECHECK_SECONDS)
            decision = await recheck(self, WATCH_RULE)
            if not decision.allowed:
                return
            rows = await run_blocking(domain_rows, decision.actor) if version != seen else None
            async with self:
                on_page = self.router.url.path.rstrip("/") == routes.PORTAL_DOMAINS
                if self._watch_id != mine or not on_page:
                    return
                if rows is not None:
                    self.rows = rows
            seen = version


def _stamp() -> tuple:
    with session_scope() as session:
        return svc.domain_status_stamp(session=session)


DOMAINS = live.topic("domains", _stamp)


def _verify_allowed(domain_id: int) -> bool:
    from portal_app.services import domain_checks

    with session_scope() as session:
        return domain_checks.verify_allowed(session=session, domain_id=domain_id)


def _check(domain_id: int):
    from portal_app.services import domain_checks

    with session_scope() as session:
        return domain_checks.domain_check_now(
            session=session, domain_id=domain_id, settings=get_settings()
        )
