"""Management › Pending Approval: confirmed sign-ups waiting for an operator.

Every open control-panel tab of an operator who may decide runs a background watcher
that reads a cheap (count, newest id) pair from the database each second and updates
the sidebar badge, the dashboard card and this list when it changes. The database is
the shared truth, so this works the same with several app workers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import reflex as rx
from sqlmodel import select

from portal_app.models import Area, Contact, Customer, CustomerStatus, PortalDomain
from portal_app.services import signups as svc
from portal_app.services.contacts import portal_url
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Actor
from portal_app.services.mail import MailError, send_mail, smtp_for_domain

from .base import AppState
from .guard import Need, actor, guarded

WATCH_SECONDS = 600  # a watcher lives this long after the tab's last page load
POLL_SECONDS = 0.5  # a count on an index: cheap enough for every open tab


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


def _may_decide(who: Actor) -> bool:
    return who.can(Area.CUSTOMER) or who.can(Area.CARRIER)


def _pending_now() -> tuple[int, int]:
    with session_scope() as session:
        return svc.pending_count(session=session)


def _rows(who: Actor) -> list[PendingRow]:
    with session_scope() as session:
        rows = session.exec(
            select(Customer, PortalDomain.host)
            .join(PortalDomain, PortalDomain.id == Customer.domain_id, isouter=True)
            .where(Customer.status == CustomerStatus.PENDING.value)
            .order_by(Customer.created_at.desc(), Customer.id.desc())
            .limit(200)
        ).all()
        contacts = {
            c.customer_id: c
            for c in session.exec(
                select(Contact).where(Contact.customer_id.in_([c.id for c, _ in rows]))
            ).all()
        }
    visible = {k for k, a in (("customer", Area.CUSTOMER), ("carrier", Area.CARRIER)) if who.can(a)}
    return [
        PendingRow(
            id=c.id,
            name=c.name,
            kind=c.kind,
            contact=contacts[c.id].name if c.id in contacts else "",
            email=contacts[c.id].email if c.id in contacts else "",
            phone=c.phone,
            country=c.country,
            currency=c.currency,
            domain=host or "",
            since=c.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
        for c, host in rows
        if c.kind in visible
    ]


def _decide(who: Actor, ids: list[int], approve: bool, reason: str) -> tuple[int, list[str]]:
    """Decide each sign-up in its own transaction; then email each applicant."""
    done, mails = 0, []
    for customer_id in ids:
        with session_scope() as session:
            if approve:
                customer = svc.signup_approve(session=session, actor=who, customer_id=customer_id)
            else:
                customer = svc.signup_reject(
                    session=session, actor=who, customer_id=customer_id, reason=reason
                )
            if customer is None:
                continue
            done += 1
            domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
            contact = session.exec(
                select(Contact).where(Contact.customer_id == customer.id)
            ).first()
            config = smtp_for_domain(session=session, domain=domain) if domain else None
            if contact and config:
                brand = domain.brand_name
                if approve:
                    subject = f"Your {brand} account is approved"
                    body = (
                        f"Hello {contact.name},\n\n{customer.name} is approved. Log in here:\n\n"
                        f"{portal_url(domain.host, '/portal/login')}\n\n{brand}\n"
                    )
                else:
                    subject = f"Your {brand} sign-up"
                    body = (
                        f"Hello {contact.name},\n\nWe could not approve {customer.name}: "
                        f"{reason}\n\n{brand}\n"
                    )
                mails.append((config, contact.email, subject, body))
    failed = []
    for config, to, subject, body in mails:
        try:
            send_mail(config, to=to, subject=subject, body=body)
        except MailError as exc:
            failed.append(f"{to}: {exc.message}")
    return done, failed


class PendingState(AppState):
    rows: list[PendingRow] = []
    selected: list[int] = []
    rejecting: bool = False
    errors: dict[str, str] = {}
    loaded: bool = False
    _watch_until: float = 0.0

    @guarded(Need.OPERATOR, background=True)
    async def watch(self):
        """Keep the badge (and this list, when open) in step with the database."""
        who = actor()
        if not _may_decide(who):
            return
        async with self:
            running = self._watch_until > time.time()
            self._watch_until = time.time() + WATCH_SECONDS
        if running:
            return  # the watcher of this tab is alive; its life was extended
        last = None
        while True:
            async with self:
                if time.time() > self._watch_until:
                    self._watch_until = 0.0
                    return
            now = await asyncio.to_thread(_pending_now)
            if now != last:
                rows = await asyncio.to_thread(_rows, who)
                async with self:
                    self.pending_count = len(rows)
                    if self.loaded:
                        self.rows = rows
                        self.selected = [i for i in self.selected if any(r.id == i for r in rows)]
                last = now
            await asyncio.sleep(POLL_SECONDS)

    @guarded(Need.OPERATOR)
    def load(self):
        who = actor()
        self.loaded, self.selected, self.rejecting, self.errors = True, [], False, {}
        self.rows = _rows(who) if _may_decide(who) else []
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
    async def approve(self):
        async for event in self._decide(True, ""):
            yield event

    @guarded(Need.OPERATOR)
    def ask_reject(self):
        self.rejecting, self.errors = bool(self.selected), {}

    @guarded(Need.OPERATOR)
    def cancel_reject(self):
        self.rejecting, self.errors = False, {}

    @guarded(Need.OPERATOR)
    async def reject(self, form_data: dict):
        reason = str(form_data.get("reason") or "").strip()[:600]
        if not reason:
            self.errors = {"reason": "Say why; the applicant is told."}
            return
        async for event in self._decide(False, reason):
            yield event

    async def _decide(self, approve: bool, reason: str):
        ids = list(self.selected)
        if not ids:
            return
        try:
            done, failed = await asyncio.to_thread(_decide, actor(), ids, approve, reason)
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
        for problem in failed:
            yield rx.toast.warning(f"The email could not be sent to {problem}", duration=12000)
