"""The portal's Payments section: Make Payment, the card step, and payment history.

The customer is always the session's (``portal()``); the attempt being paid lives in a
backend-only var, so nothing the browser sends names a customer or an attempt. The
Stripe client secret goes to the page only inside the script that confirms the card
(the card fields are components/stripe_card.py), never into a state var. The ledger is
credited from Stripe's own answer (a server-side retrieve here, or the webhook); an open
page hears of a settlement made elsewhere through ``watch``.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import reflex as rx

from portal_app import live, routes
from portal_app.services import payments as svc
from portal_app.services.db import session_scope
from portal_app.services.emails import portal_url
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.ledger import balance
from portal_app.services.money import format_minor
from portal_app.services.offloop import run_blocking
from portal_app.services.payment_reconcile import payment_reconcile_one
from portal_app.services.policy import Rule
from portal_app.services.portal import PortalContext
from portal_app.services.validation import parse_id
from portal_app.settings import get_settings

from .base import AppState
from .guard import Need, Writes, guarded, portal, recheck

SECTION = "payments"
WATCH_SECONDS = 600  # a watcher lives this long after the page's last load
RECHECK_SECONDS = 5  # with no change, the session is still re-checked this often
WATCH_RULE = Rule(Need.CONTACT, section=SECTION)


@dataclasses.dataclass
class GatewayOption:
    id: str
    name: str
    presets: list[str]
    limits: str
    surcharge: str


@dataclasses.dataclass
class PaymentRow:
    date: str
    gateway: str
    amount: str
    surcharge: str
    status: str
    reference: str


def confirm_script(client_secret: str) -> str:
    """The one script that sees the client secret: the card fields' glue
    (assets/stripe_card.jsx) confirms with Stripe.js's confirmCardPayment, which sends the
    card straight to Stripe and runs 3-D Secure if the bank asks."""
    return f"""(async () => {{
  if (!window.__portalStripeConfirm) {{
    return {{ok: false, message: 'The card fields are still loading. Please try again.'}};
  }}
  return await window.__portalStripeConfirm({json.dumps(client_secret)});
}})()"""


@dataclasses.dataclass(frozen=True)
class View:
    history: list[PaymentRow]
    balance: str
    statuses: dict[int, str]


def _view(ctx: PortalContext) -> View:
    """The customer's payment history and balance. Blocking."""
    with session_scope() as session:
        rows = svc.payment_history(session=session, actor=ctx.actor)
        money = balance(session=session, actor=ctx.actor, customer_id=ctx.customer.id)
    history = [PaymentRow(**{k: v for k, v in row.items() if k != "id"}) for row in rows]
    for row in history:
        row.date = row.date[:16].replace("T", " ")
    statuses = {int(row["id"]): str(row["status"]) for row in rows}
    return View(history, format_minor(money, ctx.customer.currency), statuses)


def _stamp() -> tuple[int, int, int]:
    with session_scope() as session:
        return svc.payment_stamp(session=session)


PAYMENTS = live.topic("payments", _stamp)


class PortalPaymentsState(AppState):
    options: list[GatewayOption] = []
    gateway_id: str = ""
    amount: str = ""
    quote: str = ""
    errors: dict[str, str] = {}
    history: list[PaymentRow] = []
    balance: str = ""
    step: str = "choose"  # choose, card, pending
    message: str = ""
    stripe_js: str = ""  # where Stripe.js loads from (PORTAL_STRIPE_JS_URL)
    stripe_key: str = ""  # the gateway's publishable key: public by design
    _attempt_id: int = 0
    _client_secret: str = ""
    _watch_id: int = 0

    def _show(self, view: View) -> Any:
        """Show ``view``; when the attempt being paid was settled meanwhile (the webhook,
        another tab), leave the card step and say so. A declined try ("failed" from
        Stripe's payment_failed event) keeps the step: the same intent takes another card."""
        self.history, self.balance = view.history, view.balance
        status = view.statuses.get(self._attempt_id) if self._attempt_id else None
        if self.step not in ("card", "pending") or status in (None, "pending", "failed"):
            return None
        self.step, self.amount, self.quote = "choose", "", ""
        self._attempt_id, self._client_secret = 0, ""
        if status == "succeeded":
            self.message = ""
            return rx.toast.success(f"Thank you: your balance is now {self.balance}.")
        self.message = f"The payment was {status}: nothing was charged."
        return None

    def _refresh(self) -> Any:
        return self._show(_view(portal()))

    @guarded(Need.CONTACT, section=SECTION)
    def load(self):
        with session_scope() as session:
            found = svc.payment_options(session=session, actor=portal().actor)
            # Back from PayPal (?token=<order id>): only this customer's order is found.
            token = str(self.router.url.query_parameters.get("token", ""))[:120]
            returned = token and svc.payment_returned(
                session=session, actor=portal().actor, provider_ref=token
            )
        self.options = [
            GatewayOption(
                id=str(o["id"]),
                name=o["name"],
                presets=o["presets"],
                limits=o["limits"],
                surcharge=o["surcharge"],
            )
            for o in found
        ]
        self.gateway_id = self.options[0].id if self.options else ""
        self.amount, self.quote, self.errors, self.step, self.message = "", "", {}, "choose", ""
        self._attempt_id, self._client_secret = 0, ""
        if returned:
            outcome = payment_reconcile_one(returned)  # captures the approved order
            self._refresh()
            if outcome.outcome in ("credited", "duplicate"):
                return rx.toast.success(f"Thank you: your balance is now {self.balance}.")
            self.message = "Your payment is pending: the balance updates when PayPal confirms."
            return
        self._refresh()

    def _quote(self) -> None:
        gid = parse_id(self.gateway_id)
        if not self.amount.strip() or gid is None:
            self.quote, self.errors = "", {}
            return
        try:
            with session_scope() as session:
                q = svc.payment_quote(
                    session=session, actor=portal().actor, gateway_id=gid, amount=self.amount
                )
        except ValidationError as exc:
            self.quote, self.errors = "", exc.fields
            return
        self.errors = {}
        self.quote = (
            f"Surcharge {format_minor(q.surcharge, q.currency)} · "
            f"you pay {format_minor(q.total, q.currency)}"
        )

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def choose(self, gateway_id: str):
        if any(o.id == gateway_id for o in self.options) and self.step == "choose":
            self.gateway_id = gateway_id
            self._quote()

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def set_amount(self, amount: str):
        if self.step == "choose":
            self.amount = str(amount)[:32]
            self._quote()

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def submit(self, form_data: dict):
        """Write the attempt, open it at the provider, then show the card fields."""
        if self.step != "choose" or not isinstance(form_data, dict):
            return
        self.amount = str(form_data.get("amount", self.amount))[:32]
        who = portal().actor
        try:
            with session_scope() as session:
                attempt = svc.payment_start(
                    session=session,
                    actor=who,
                    gateway_id=parse_id(self.gateway_id),
                    amount=self.amount,
                )
            back = portal_url(portal().domain.host, routes.PORTAL_PAYMENTS)
            with session_scope() as session:
                opened = svc.payment_open(
                    session=session, actor=who, attempt_id=attempt.id, return_url=back
                )
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except ServiceError as exc:
            self._refresh()
            return rx.toast.error(exc.message)
        if opened.approve_url:  # PayPal: the payer approves there and comes back here
            self.step, self.message = "pending", "Taking you to PayPal…"
            return rx.redirect(opened.approve_url)
        self._attempt_id, self._client_secret = opened.attempt_id, opened.client_secret
        self.stripe_js, self.stripe_key = get_settings().stripe_js_url, opened.public_key
        self.step, self.errors, self.message = "card", {}, ""
        self._refresh()

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def pay(self):
        if self.step != "card" or not self._client_secret:
            return
        self.step, self.message = "pending", "Confirming with your bank…"
        return rx.call_script(
            confirm_script(self._client_secret), callback=PortalPaymentsState.confirmed
        )

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def confirmed(self, result: dict):
        """Stripe.js finished: ask Stripe ourselves (the browser's word credits nothing)."""
        if self.step != "pending" or not self._attempt_id:
            return
        if isinstance(result, dict) and result.get("ok") is False:
            self.step, self.message = "card", str(result.get("message", ""))[:200]
            return
        payment_reconcile_one(self._attempt_id)
        shown = self._refresh()  # credited (by this answer or the webhook) ends the step
        if self.step == "pending":
            self.message = "Your payment is pending: the balance updates when the bank confirms."
        return shown

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def cancel(self):
        self.step, self.message, self._attempt_id, self._client_secret = "choose", "", 0, ""
        self._refresh()

    @guarded(Need.CONTACT, section=SECTION, background=True)
    async def watch(self):
        """While this page is open, settlements made elsewhere (Stripe's webhook, the
        reconciliation, another tab) show up live: woken by the worker's one poller
        (portal_app/live.py), the session re-checked with the policy every round."""
        async with self:
            self._watch_id += 1
            mine = self._watch_id
        until, seen = time.monotonic() + WATCH_SECONDS, PAYMENTS.version
        while time.monotonic() < until:
            version = await PAYMENTS.wait(seen, RECHECK_SECONDS)
            decision = await recheck(self, WATCH_RULE)
            if not decision.allowed or decision.portal is None:
                return
            view = await run_blocking(_view, decision.portal) if version != seen else None
            async with self:
                on_page = self.router.url.path.rstrip("/") == routes.PORTAL_PAYMENTS
                if self._watch_id != mine or not on_page:
                    return
                shown = self._show(view) if view is not None else None
            if shown is not None:
                yield shown
            seen = version
