"""The customer dialog's Alerts & Contracts tab: low-balance alerts, packages, contracts."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import extras as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.money import format_minor

from .base import AppState
from .guard import Need, actor, guarded


@dataclasses.dataclass
class Line:
    id: int
    text: str
    detail: str
    on: bool = False


class ExtrasState(AppState):
    customer_id: int = 0
    currency: str = ""  # the customer's: alert thresholds are amounts of it
    alerts: list[Line] = []
    packages: list[Line] = []
    contracts: list[Line] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    def _fetch(self) -> None:
        with session_scope() as session:
            data = svc.extras_get(session=session, actor=actor(), customer_id=self.customer_id)
        currency = self.currency = data.currency
        self.alerts = [
            Line(id=a.id, text=f"Below {format_minor(a.threshold, currency)}", detail=a.recipients)
            for a in data.alerts
        ]
        self.packages = [
            Line(
                id=p.id,
                text=p.name,
                detail=f"{format_minor(p.monthly_fee, p.currency)} a month, "
                f"{p.included_minutes:,} minutes",
                on=on,
            )
            for p, on in data.packages
        ]
        self.contracts = [
            Line(
                id=c.id,
                text=c.name,
                detail=f"{c.months} months from {c.starts_at:%Y-%m-%d}"
                + (f" · {c.notes}" if c.notes else ""),
            )
            for c in data.contracts
        ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_extras(self, customer_id: int):
        self.customer_id, self.errors = max(customer_id, 0), {}
        self.alerts, self.packages, self.contracts = [], [], []
        if self.customer_id:
            try:
                self._fetch()
            except ServiceError as exc:
                self.customer_id = 0
                return rx.toast.error(exc.message)

    def _run(self, fn, **kw):
        if not self.customer_id:
            return None
        try:
            with session_scope() as session:
                fn(session=session, actor=actor(), **kw)
        except ValidationError as exc:
            self.errors = exc.fields
            return None
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        self.form_key += 1
        self._fetch()
        return None

    @guarded(Need.AREA, Area.CUSTOMER)
    def add_alert(self, form_data: dict):
        return self._run(
            svc.alert_add,
            customer_id=self.customer_id,
            threshold=str(form_data.get("alert_threshold") or "")[:40],
            recipients=str(form_data.get("alert_recipients") or "")[:1000],
        )

    @guarded(Need.AREA, Area.CUSTOMER)
    def delete_alert(self, alert_id: int):
        if any(a.id == alert_id for a in self.alerts):
            return self._run(svc.alert_delete, alert_id=alert_id)

    @guarded(Need.AREA, Area.CUSTOMER)
    def toggle_package(self, package_id: int, on: bool):
        return self._run(
            svc.package_set, customer_id=self.customer_id, package_id=package_id, on=on
        )

    @guarded(Need.AREA, Area.CUSTOMER)
    def add_contract(self, form_data: dict):
        return self._run(
            svc.contract_add,
            customer_id=self.customer_id,
            name=str(form_data.get("contract_name") or "")[:200],
            months=str(form_data.get("contract_months") or "")[:4],
            notes=str(form_data.get("contract_notes") or "")[:1000],
        )

    @guarded(Need.AREA, Area.CUSTOMER)
    def delete_contract(self, contract_id: int):
        if any(c.id == contract_id for c in self.contracts):
            return self._run(svc.contract_delete, contract_id=contract_id)
