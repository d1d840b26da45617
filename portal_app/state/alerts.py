"""The customer dialog's low-balance alerts (Alerts & contracts tab)."""

from __future__ import annotations

import dataclasses

from portal_app.services import alerts as svc
from portal_app.services import customers as customers_svc
from portal_app.services.db import session_scope
from portal_app.services.identity import Area
from portal_app.services.money import format_minor

from .base import AppState
from .customer_tab import tab_open, tab_run
from .guard import Need, actor, guarded


@dataclasses.dataclass
class Line:
    id: int
    text: str
    detail: str
    on: bool = False


class CustomerAlertsState(AppState):
    customer_id: int = 0
    currency: str = ""  # the customer's: alert thresholds are amounts of it
    alerts: list[Line] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    def _clear(self) -> None:
        self.alerts = []

    def _fetch(self) -> None:
        with session_scope() as session:
            who = actor()
            customer = customers_svc.customer_get(
                session=session, actor=who, customer_id=self.customer_id
            )
            rows = svc.alert_list(session=session, actor=who, customer_id=self.customer_id)
        currency = self.currency = customer.currency
        self.alerts = [
            Line(id=a.id, text=f"Below {format_minor(a.threshold, currency)}", detail=a.recipients)
            for a in rows
        ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_alerts(self, customer_id: int):
        return tab_open(self, customer_id)

    @guarded(Need.AREA, Area.CUSTOMER)
    def add_alert(self, form_data: dict):
        return tab_run(
            self,
            svc.alert_add,
            customer_id=self.customer_id,
            threshold=str(form_data.get("alert_threshold") or "")[:40],
            recipients=str(form_data.get("alert_recipients") or "")[:1000],
        )

    @guarded(Need.AREA, Area.CUSTOMER)
    def delete_alert(self, alert_id: int):
        if any(a.id == alert_id for a in self.alerts):
            return tab_run(self, svc.alert_delete, alert_id=alert_id)
