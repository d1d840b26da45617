"""Management › Pending Approval: confirmed sign-ups waiting for an operator.

The sidebar badge, the dashboard card and this list follow the database live: one
poller for the app (portal_app/live.py; with Redis, the lease holder) reads a cheap
stamp twice a second and wakes
the watchers of the open tabs, which re-check their session with the policy on every
round and stop as soon as it fails (logout, disabled, permission revoked).
"""

from __future__ import annotations

import dataclasses
import time

import reflex as rx

from portal_app import live
from portal_app.services import pending as queue
from portal_app.services import signup_decisions as svc
from portal_app.services.db import session_scope
from portal_app.services.email_log import delivery_note
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Actor
from portal_app.services.offloop import run_blocking
from portal_app.services.policy import Rule

from .base import AppState
from .guard import Need, actor, guarded, recheck

WATCH_SECONDS = 600  # a watcher lives this long after the tab's last page load
RECHECK_SECONDS = 5  # with no change, the session is still re-checked this often
WATCH_RULE = Rule(Need.OPERATOR)


@dataclasses.dataclass
class PendingRow:
    id: int
    name: str
    kind: str
    contact: str
    email: str
    phone: str
    country: str
    currency: str
    domain: str
    since: str


def _stamp() -> tuple[int, int]:
    with session_scope() as session:
        return queue.pending_stamp(session=session)


PENDING = live.topic("pending", _stamp)


def _rows(who: Actor) -> list[PendingRow]:
    """The queue as this operator may see it ([] for those who may not decide)."""
    if not queue.pending_may_decide(who):
        return []
    with session_scope() as session:
        items = queue.pending_list(session=session, actor=who)
    return [PendingRow(**dataclasses.asdict(item)) for item in items]


def _decide(who: Actor, ids: list[int], approve: bool, reason: str) -> tuple[int, str]:
    """Decide each sign-up in its own transaction (each queues its applicant's email);
    how many were decided, and where mail goes when there is no SMTP."""
    done, note = 0, ""
    for customer_id in ids:
        with session_scope() as session:
            customer = svc.signup_decide(
                session=session, actor=who, customer_id=customer_id, approve=approve, reason=reason
            )
            if customer is not None:
                done += 1
                note = note or delivery_note(session=session, domain_id=customer.domain_id)
    return done, note


class PendingState(AppState):
    rows: list[PendingRow] = []
    selected: list[int] = []
    rejecting: bool = False
    errors: dict[str, str] = {}
    loaded: bool = False
    _watch_gen: int = 0

    @guarded(Need.OPERATOR, background=True)
    async def watch(self):
        """Keep the badge (and this list, when open) in step with the database.

        Every page load starts a new watcher for the tab and the older one stops, so
        navigation and reloads never leave a tab without one (or with two).
        """
        async with self:
            self._watch_gen += 1
            mine = self._watch_gen
        until = time.monotonic() + WATCH_SECONDS
        seen = -1
        while time.monotonic() < until:
            version = await PENDING.wait(seen, RECHECK_SECONDS)
            decision = await recheck(self, WATCH_RULE)
            if not decision.allowed:
                async with self:  # logged out, disabled or revoked: show nothing more
                    self.pending_count, self.rows = 0, []
                return
            rows = await run_blocking(_rows, decision.actor) if version != seen else None
            async with self:
                if self._watch_gen != mine:
                    return
                if rows is not None:
                    self.pending_count = len(rows)
                    if self.loaded:
                        self.rows = rows
                        self.selected = [i for i in self.selected if any(r.id == i for r in rows)]
            seen = version

    @guarded(Need.OPERATOR)
    def load(self):
        self.loaded, self.selected, self.rejecting, self.errors = True, [], False, {}
        self.rows = _rows(actor())
        self.pending_count = len(self.rows)

    @guarded(Need.OPERATOR)
    def toggle(self, customer_id: int, checked: bool):
        ids = [i for i in self.selected if i != customer_id]
        if checked and any(r.id == customer_id for r in self.rows):
            ids.append(customer_id)
        self.selected = ids

    @guarded(Need.OPERATOR)
    def toggle_all(self, checked: bool):
        self.selected = [r.id for r in self.rows] if checked else []

    @guarded(Need.OPERATOR)
    def approve(self):
        yield from self._decide(True, "")

    @guarded(Need.OPERATOR)
    def ask_reject(self):
        self.rejecting, self.errors = bool(self.selected), {}

    @guarded(Need.OPERATOR)
    def cancel_reject(self):
        self.rejecting, self.errors = False, {}

    @guarded(Need.OPERATOR)
    def reject(self, form_data: dict):
        reason = str(form_data.get("reason") or "").strip()[:600]
        if not reason:
            self.errors = {"reason": "Say why; the applicant is told."}
            return
        yield from self._decide(False, reason)

    def _decide(self, approve: bool, reason: str):
        ids = list(self.selected)
        if not ids:
            return
        try:
            done, note = _decide(actor(), ids, approve, reason)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except ServiceError as exc:
            yield rx.toast.error(exc.message)
            return
        self.rows = _rows(actor())
        self.pending_count = len(self.rows)
        self.selected, self.rejecting = [], False
        what = "Approved" if approve else "Rejected"
        yield rx.toast.success(f"{what} {done} sign-up{'s' if done != 1 else ''}.")
        if note:
            yield rx.toast.info(note, duration=12000)
