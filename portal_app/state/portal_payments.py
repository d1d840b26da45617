"""The portal's Payments section: Make Payment, the card step, and payment history.

The customer is always the session's (``portal()``); the attempt being paid lives in a
backend-only var, so nothing the browser sends names a customer or an attempt. The
Stripe client secret goes to the page only inside the script that confirms the card
(Stripe.js, loaded from PORTAL_STRIPE_JS_URL), never into a state var. The ledger is
credited from Stripe's own answer (a server-side retrieve here, or the webhook).
"""

from __future__ import annotations

import dataclasses
import json

import reflex as rx

from portal_app import routes
from portal_app.services import payments as svc
from portal_app.services.db import session_scope
from portal_app.services.emails import portal_url
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.ledger import balance
from portal_app.services.money import format_minor
from portal_app.services.payment_settle import payment_reconcile_one
from portal_app.services.validation import parse_id
from portal_app.settings import get_settings

from .base import AppState
from .guard import Need, guarded, portal

SECTION = "payments"


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


def _mount_script(js_url: str, public_key: str) -> str:
    return f"""(async () => {{
  if (!window.Stripe) {{
    await new Promise((ok, fail) => {{
      const s = document.createElement('script');
      s.src = {json.dumps(js_url)}; s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    }});
  }}
  window.__portalStripe = window.Stripe({json.dumps(public_key)});
  window.__portalCard = window.__portalStripe.elements().create('card');
  window.__portalCard.mount('#portal-card');
  return true;
}})()"""


def _confirm_script(client_secret: str) -> str:
    # confirmCardPayment sends the card straight to Stripe and runs 3-D Secure if asked.
    return f"""(async () => {{
  const r = await window.__portalStripe.confirmCardPayment({json.dumps(client_secret)},
    {{payment_method: {{card: window.__portalCard}}}});
  return r.error ? {{ok: false, message: String(r.error.message || 'The card was declined.')}}
                 : {{ok: true, status: String(r.paymentIntent.status)}};
}})()"""


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
    _attempt_id: int = 0
    _client_secret: str = ""

    def _refresh(self) -> None:
        ctx = portal()
        with session_scope() as session:
            self.history = [
                PaymentRow(**{k: v for k, v in row.items() if k != "id"})
                for row in svc.payment_history(session=session, actor=ctx.actor)
            ]
            money = balance(session=session, actor=ctx.actor, customer_id=ctx.customer.id)
        self.balance = format_minor(money, ctx.customer.currency)
        for row in self.history:
            row.date = row.date[:16].replace("T", " ")

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

    @guarded(Need.CONTACT, section=SECTION)
    def choose(self, gateway_id: str):
        if any(o.id == gateway_id for o in self.options) and self.step == "choose":
            self.gateway_id = gateway_id
            self._quote()

    @guarded(Need.CONTACT, section=SECTION)
    def set_amount(self, amount: str):
        if self.step == "choose":
            self.amount = str(amount)[:32]
            self._quote()

    @guarded(Need.CONTACT, section=SECTION)
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
        self.step, self.errors, self.message = "card", {}, ""
        self._refresh()
        return rx.call_script(_mount_script(get_settings().stripe_js_url, opened.public_key))

    @guarded(Need.CONTACT, section=SECTION)
    def pay(self):
        if self.step != "card" or not self._client_secret:
            return
        self.step, self.message = "pending", "Confirming with your bank…"
        return rx.call_script(
            _confirm_script(self._client_secret), callback=PortalPaymentsState.confirmed
        )

    @guarded(Need.CONTACT, section=SECTION)
    def confirmed(self, result: dict):
        """Stripe.js finished: ask Stripe ourselves (the browser's word credits nothing)."""
        if self.step != "pending" or not self._attempt_id:
            return
        if isinstance(result, dict) and result.get("ok") is False:
            self.step, self.message = "card", str(result.get("message", ""))[:200]
            return
        outcome = payment_reconcile_one(self._attempt_id)
        self._refresh()
        if outcome.outcome in ("credited", "duplicate"):
            self.step, self.message, self.amount, self.quote = "choose", "", "", ""
            self._attempt_id, self._client_secret = 0, ""
            return rx.toast.success(f"Thank you: your balance is now {self.balance}.")
        self.message = "Your payment is pending: the balance updates when the bank confirms."

    @guarded(Need.CONTACT, section=SECTION)
    def cancel(self):
        self.step, self.message, self._attempt_id, self._client_secret = "choose", "", 0, ""
        self._refresh()
