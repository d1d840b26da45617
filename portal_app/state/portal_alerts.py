"""The portal's Alerts section: the customer's own low-balance alerts, editable within
the domain's Editable Balance Alert limits, and "Send test" (services/portal_alerts.py).
The customer comes from the session; an alert edited, removed or tested must be one the
page listed (and the service checks it is the customer's own)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import portal_alerts as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.money import format_minor, plain_minor

from .base import AppState
from .guard import Need, Writes, guarded, portal

SECTION = "alerts"
TOAST = "portal-alert"


@dataclasses.dataclass
class AlertRow:
    id: int
    threshold: str  # "$10.00"
    plain: str  # "10.00", for the edit form
    recipients: str


class PortalAlertsState(AppState):
    alerts: list[AlertRow] = []
    editable: bool = False
    can_add: bool = False
    limits_text: str = ""  # "From $5.00 to $500.00, at most 3 alerts."
    contacts_text: str = ""  # the addresses an alert may email
    currency: str = ""
    editing: int = 0  # the alert in the form, 0: a new one
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_key: int = 0

    def _fetch(self) -> None:
        with session_scope() as session:
            own = svc.own_alerts(session=session, actor=portal().actor)
        cur, lim = own.currency, own.limits
        self.currency, self.editable = cur, lim.editable
        self.alerts = [
            AlertRow(
                a.id, format_minor(a.threshold, cur), plain_minor(a.threshold, cur), a.recipients
            )
            for a in own.alerts
        ]
        self.can_add = lim.editable and len(own.alerts) < lim.max_count
        self.limits_text = (
            f"Thresholds from {format_minor(lim.min_minor, cur)} to "
            f"{format_minor(lim.max_minor, cur)}, at most {lim.max_count} alerts."
        )
        self.contacts_text = ", ".join(own.contacts)

    def _blank(self) -> None:
        self.editing, self.errors = 0, {}
        self.form = {"alert_threshold": "", "alert_recipients": portal().actor.label}
        self.form_key += 1

    @guarded(Need.CONTACT, section=SECTION)
    def load(self):
        self._fetch()
        self._blank()

    @guarded(Need.CONTACT, section=SECTION)
    def edit(self, alert_id: int):
        row = next((a for a in self.alerts if a.id == alert_id), None)
        if row is None:
            return
        self.editing, self.errors = row.id, {}
        self.form = {"alert_threshold": row.plain, "alert_recipients": row.recipients}
        self.form_key += 1

    @guarded(Need.CONTACT, section=SECTION)
    def cancel(self):
        self._blank()

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def save(self, form_data: dict):
        typed = {
            "alert_threshold": str(form_data.get("alert_threshold") or "")[:40],
            "alert_recipients": str(form_data.get("alert_recipients") or "")[:1000],
        }
        try:
            with session_scope() as session:
                svc.own_alert_save(
                    session=session,
                    actor=portal().actor,
                    alert_id=self.editing or None,
                    threshold=typed["alert_threshold"],
                    recipients=typed["alert_recipients"],
                )
        except ValidationError as exc:
            self.errors, self.form = exc.fields, typed
            self.form_key += 1
            return None
        except ServiceError as exc:
            return rx.toast.error(exc.message, id=TOAST)
        saved = "Alert saved." if self.editing else "Alert added."
        self._fetch()
        self._blank()
        return rx.toast.success(saved, id=TOAST)

    def _run(self, fn, alert_id: int, done):
        if not any(a.id == alert_id for a in self.alerts):
            return None
        try:
            with session_scope() as session:
                result = fn(session=session, actor=portal().actor, alert_id=alert_id)
        except ServiceError as exc:
            return rx.toast.error(exc.message, id=TOAST)
        self._fetch()
        return rx.toast.success(done(result) if callable(done) else done, id=TOAST)

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def delete(self, alert_id: int):
        if self.editing == alert_id:
            self._blank()
        return self._run(svc.own_alert_delete, alert_id, "Alert removed.")

    @guarded(Need.CONTACT, section=SECTION, writes=Writes.ACCOUNT)
    def send_test(self, alert_id: int):
        return self._run(
            svc.own_alert_test, alert_id, lambda to: "Test email sent to " + ", ".join(to) + "."
        )
