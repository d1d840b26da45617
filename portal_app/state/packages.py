"""The packages a customer has, on the customer dialog's Alerts & contracts tab."""

from __future__ import annotations

from portal_app.services import packages as svc
from portal_app.services.db import session_scope
from portal_app.services.identity import Area
from portal_app.services.money import format_minor

from .alerts import Line
from .base import AppState
from .customer_tab import tab_open, tab_run
from .guard import Need, actor, guarded


class CustomerPackagesState(AppState):
    customer_id: int = 0
    packages: list[Line] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    def _clear(self) -> None:
        self.packages = []

    def _fetch(self) -> None:
        with session_scope() as session:
            rows = svc.package_choices(session=session, actor=actor(), customer_id=self.customer_id)
        self.packages = [
            Line(
                id=p.id,
                text=p.name,
                detail=f"{format_minor(p.monthly_fee, p.currency)} a month, "
                f"{p.included_minutes:,} minutes",
                on=on,
            )
            for p, on in rows
        ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_packages(self, customer_id: int):
        return tab_open(self, customer_id)

    @guarded(Need.AREA, Area.CUSTOMER)
    def toggle_package(self, package_id: int, on: bool):
        return tab_run(
            self, svc.package_set, customer_id=self.customer_id, package_id=package_id, on=on
        )
