"""The packages a customer has, on the customer dialog's Alerts & contracts tab, and
the number lookups its contacts made per day."""

from __future__ import annotations

from portal_app.services import customer_packages as svc
from portal_app.services import dates, number_lookup, package_billing
from portal_app.services.db import session_scope
from portal_app.services.identity import Area
from portal_app.services.packages import price_label

from .alerts import Line
from .base import AppState
from .customer_tab import tab_open, tab_run
from .guard import Need, actor, guarded


class CustomerPackagesState(AppState):
    customer_id: int = 0
    packages: list[Line] = []
    usage: list[Line] = []  # text: the day, detail: its lookups
    usage_total: str = ""
    errors: dict[str, str] = {}
    form_key: int = 0

    def _clear(self) -> None:
        self.packages, self.usage, self.usage_total = [], [], ""

    def _fetch(self) -> None:
        with session_scope() as session:
            who, cid = actor(), self.customer_id
            rows = svc.package_choices(session=session, actor=who, customer_id=cid)
            days = number_lookup.usage_list(session=session, actor=who, customer_id=cid)
            fmt = dates.formatter(session=session)
            due = package_billing.next_charges(session=session, customer_id=cid)
        self.usage = [
            Line(id=i, text=fmt.date(d), detail=f"{n:,}") for i, (d, n) in enumerate(days)
        ]

        self.usage_total = f"{sum(n for _, n in days):,}"
        self.packages = [
            Line(
                id=p.id,
                text=p.name,
                detail=f"{price_label(p)}, {p.included_minutes:,} minutes"
                + (f", next charge {fmt.date(due[p.id])} (UTC)" if on and due.get(p.id) else ""),
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
