"""SMTP Details' SMS part (Personal Information page): From Mobile number, the SMS
gateway and Test Mobile. The browser never receives the gateway's secret."""

from __future__ import annotations

import reflex as rx

from portal_app.services import sms
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Actor, Area

from .base import AppState
from .guard import Need, actor, checked, guarded

FIELDS = ["from_mobile", "url", "username"]


def _send_test(who: Actor, to: str) -> str:
    with session_scope() as session:
        return sms.sms_test(session=session, actor=who, to=to)


class SmsState(AppState):
    values: dict[str, str] = {}
    has_secret: bool = False
    errors: dict[str, str] = {}
    can_edit: bool = False
    form_key: int = 0
    testing: bool = False
    test_answer: str = ""
    test_ok: bool = False

    def _fill(self, view: dict) -> None:
        self.values = {f: str(view.get(f) or "") for f in FIELDS}
        self.has_secret = bool(view.get("has_secret"))
        self.form_key += 1  # a fresh form: the secret box is empty again

    @guarded(Need.OPERATOR)
    def load(self):
        self.errors, self.test_answer = {}, ""
        self.can_edit = actor().can(Area.SETUP)
        if not self.can_edit:
            self.values, self.has_secret = {}, False
            return
        with session_scope() as session:
            self._fill(sms.account_sms_view(session=session, actor=actor()))

    @guarded(Need.AREA, Area.SETUP)
    def save(self, form_data: dict):
        # Prefixed names: the page also has the SMTP and the operator's own fields.
        data = {f: str(form_data.get(f"sms_{f}", ""))[:500] for f in FIELDS}
        data["secret"] = str(form_data.get("sms_secret", ""))[:300]
        data["clear_secret"] = checked(form_data.get("sms_clear_secret"))
        try:
            with session_scope() as session:
                view = sms.account_sms_update(session=session, actor=actor(), data=data)
        except ValidationError as exc:
            self.errors = {f"sms_{key}": message for key, message in exc.fields.items()}
            self.values = {f: data[f] for f in FIELDS}
            return
        self.errors = {}
        self._fill(view)
        return rx.toast.success("SMS details saved.")

    @guarded(Need.AREA, Area.SETUP)
    def send_test(self, form_data: dict):
        """Send the test SMS (to the number typed, else one's own mobile); show the answer."""
        to = str(form_data.get("sms_to", ""))[:40]
        self.testing, self.test_answer, self.errors = True, "", {}
        yield
        try:
            answer = _send_test(actor(), to)
        except ValidationError as exc:
            self.errors = exc.fields
        except ServiceError as exc:
            self.test_ok, self.test_answer = False, exc.message
        else:
            self.test_ok, self.test_answer = True, f"Sent. The gateway answered: {answer}"
        finally:
            self.testing = False
