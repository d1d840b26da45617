"""The portal's "Automatic top-up" card (Payments section): save a card, set "when my
available balance falls below X, add Y", turn it on or off, see how the last try went.

The customer is the session's (``portal()``); no handler takes an id from the browser.
The SetupIntent's client secret reaches the page only inside the script that mounts
and confirms the card fields (Stripe.js ``confirmCardSetup``: the card goes straight
to Stripe), never a state var; what was saved is then asked of Stripe by the server.
The card fields live in their own container and functions, apart from Make Payment's.
"""

from __future__ import annotations

import json

import reflex as rx

from portal_app.services import autotopup as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.settings import get_settings

from .base import AppState
from .guard import Need, Writes, checked, guarded, portal

SECTION = "payments"
CARD_BOX = "autotopup-card"


def _setup_script(js_url: str, public_key: str, client_secret: str) -> str:
    """Mount card fields in CARD_BOX and keep the confirm step for ``confirm_script``."""
    return f"""(async () => {{
  if (!window.Stripe) {{
    await new Promise((ok, fail) => {{
      const s = document.createElement('script');
      s.src = {json.dumps(js_url)}; s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    }});
  }}
  const stripe = window.Stripe({json.dumps(public_key)});
  const card = stripe.elements().create('card');
  card.mount('#{CARD_BOX}');
  window.__portalTopupConfirm = async () => {{
    const r = await stripe.confirmCardSetup({json.dumps(client_secret)},
      {{payment_method: {{card: card}}}});
    return r.error ? {{ok: false, message: String(r.error.message || 'The card was refused.')}}
                   : {{ok: true}};
  }};
  return true;
}})()"""


CONFIRM_SCRIPT = """(async () => window.__portalTopupConfirm
  ? await window.__portalTopupConfirm() : {ok: false, message: 'Start again.'})()"""


class PortalAutoTopupState(AppState):
    offered: bool = False
    currency: str = ""
    minimum: str = ""
    card: str = ""
    enabled: bool = False
    threshold: str = ""
    amount: str = ""
    failures: int = 0
    last_try: str = ""
    last_message: str = ""
    step: str = "view"  # view, card (fields mounted), saving
    message: str = ""
    errors: dict[str, str] = {}

    def _show(self) -> None:
        with session_scope() as session:
            view = svc.autotopup_get(session=session, actor=portal().actor)
        self.offered = bool(view.get("offered"))
        for key in ("currency", "minimum", "card", "threshold", "amount", "last_try"):
            setattr(self, key, str(view.get(key, "")))
        self.enabled, self.failures = bool(view.get("enabled")), int(view.get("failures", 0))
        self.last_message = str(view.get("last_message", ""))

    @guarded(Need.CONTACT, section=SECTION)
    def load(self):
        self.step, self.message, self.errors = "view", "", {}
        self._show()

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def start_card(self):
        """Create the SetupIntent and mount the card fields."""
        try:
            with session_scope() as session:
                key, secret = svc.autotopup_card_start(session=session, actor=portal().actor)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.step, self.message, self.errors = "card", "", {}
        return rx.call_script(_setup_script(get_settings().stripe_js_url, key, secret))

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def confirm_card(self):
        if self.step != "card":
            return
        self.step, self.message = "saving", "Saving the card with Stripe…"
        return rx.call_script(CONFIRM_SCRIPT, callback=PortalAutoTopupState.card_confirmed)

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def card_confirmed(self, result: dict):
        """Stripe.js finished: ask Stripe what was saved (the browser's word saves nothing)."""
        if self.step != "saving":
            return
        if isinstance(result, dict) and result.get("ok") is False:
            self.step, self.message = "card", str(result.get("message", ""))[:200]
            return
        try:
            with session_scope() as session:
                label = svc.autotopup_card_saved(session=session, actor=portal().actor)
        except ValidationError as exc:
            self.step, self.message = "card", exc.fields.get("card", exc.message)
            return
        except ServiceError as exc:
            self.step = "view"
            return rx.toast.error(exc.message)
        self.step, self.message = "view", ""
        self._show()
        return rx.toast.success(f"Card saved: {label}.")

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def cancel_card(self):
        self.step, self.message = "view", ""

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def save(self, form_data: dict):
        if not isinstance(form_data, dict):
            return
        self.threshold = str(form_data.get("threshold", ""))[:32]
        self.amount = str(form_data.get("topup_amount", ""))[:32]
        self.enabled = checked(form_data.get("topup_enabled"))  # a refusal shows what was typed
        try:
            with session_scope() as session:
                svc.autotopup_configure(
                    session=session,
                    actor=portal().actor,
                    threshold=self.threshold,
                    amount=self.amount,
                    enabled=self.enabled,
                )
        except ValidationError as exc:
            self.errors = {
                ("topup_amount" if k == "amount" else k): v for k, v in exc.fields.items()
            }
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        self._show()
        return rx.toast.success("Automatic top-up saved.")

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def forget_card(self):
        with session_scope() as session:
            svc.autotopup_forget_card(session=session, actor=portal().actor)
        self._show()
        return rx.toast.success("The saved card is forgotten; automatic top-up is off.")
