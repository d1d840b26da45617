"""The SMTP Details card (Personal Information page): the account's outgoing mail.

The browser never receives the SMTP password, only whether one is saved.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import smtp_details
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Actor, Area

from .base import AppState
from .guard import Need, actor, checked, guarded

FIELDS = ["email", "username", "server", "from"]


def _send_test(who: Actor) -> str:
    with session_scope() as session:
        return smtp_details.smtp_test(session=session, actor=who, to=who.label)


class SmtpState(AppState):
    values: dict[str, str] = {}
    has_password: bool = False
    errors: dict[str, str] = {}
    can_edit: bool = False
    form_key: int = 0
    testing: bool = False
    test_answer: str = ""
    test_ok: bool = False

    def _fill(self, view: dict) -> None:
        self.values = {f: str(view.get(f) or "") for f in FIELDS}
        self.has_password = bool(view.get("has_password"))
        self.form_key += 1  # a fresh form: the password box is empty again

    @guarded(Need.OPERATOR)
    def load(self):
        self.errors, self.test_answer = {}, ""
        self.can_edit = actor().can(Area.SETUP)
        if not self.can_edit:
            self.values, self.has_password = {}, False
            return
        with session_scope() as session:
            self._fill(smtp_details.account_smtp_view(session=session, actor=actor()))

    @guarded(Need.AREA, Area.SETUP)
    def save(self, form_data: dict):
        # The page prefixes these names: it also holds the operator's own email field.
        data = {f: str(form_data.get(f"smtp_{f}", ""))[:300] for f in FIELDS}
        data["password"] = str(form_data.get("smtp_password", ""))[:300]
        data["clear_password"] = checked(form_data.get("smtp_clear_password"))
        try:
            with session_scope() as session:
                view = smtp_details.account_smtp_update(session=session, actor=actor(), data=data)
        except ValidationError as exc:
            self.errors = {f"smtp_{key}": message for key, message in exc.fields.items()}
            self.values = {f: data[f] for f in FIELDS}
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        self._fill(view)
        return rx.toast.success("SMTP details saved.")

    @guarded(Need.AREA, Area.SETUP)
    def send_test(self):
        """Send the test email to oneself through the saved details; show the answer."""
        who = actor()
        self.testing, self.test_answer = True, ""
        yield
        try:
            answer = _send_test(who)
        except ServiceError as exc:
            self.test_ok, self.test_answer = False, exc.message
        else:
            self.test_ok = True
            self.test_answer = f"Sent to {who.label}. The server answered: {answer}"
        finally:
            self.testing = False
