"""The customer dialog's contracts (Alerts & contracts tab)."""

from __future__ import annotations

from portal_app.services import contracts as svc
from portal_app.services import dates
from portal_app.services.db import session_scope
from portal_app.services.identity import Area

from .alerts import Line
from .base import AppState
from .customer_tab import tab_open, tab_run
from .guard import Need, actor, guarded


class CustomerContractsState(AppState):
    customer_id: int = 0
    contracts: list[Line] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    def _clear(self) -> None:
        self.contracts = []

    def _fetch(self) -> None:
        with session_scope() as session:
            rows = svc.contract_list(session=session, actor=actor(), customer_id=self.customer_id)
            fmt = dates.formatter(session=session)
        self.contracts = [
            Line(
                id=c.id,
                text=c.name,
                detail=f"{c.months} months from {fmt.date(c.starts_at)}"
                + (f" · {c.notes}" if c.notes else ""),
            )
            for c in rows
        ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_contracts(self, customer_id: int):
        return tab_open(self, customer_id)

    @guarded(Need.AREA, Area.CUSTOMER)
    def add_contract(self, form_data: dict):
        return tab_run(
            self,
            svc.contract_add,
            customer_id=self.customer_id,
            name=str(form_data.get("contract_name") or "")[:200],
            months=str(form_data.get("contract_months") or "")[:4],
            notes=str(form_data.get("contract_notes") or "")[:1000],
        )

    @guarded(Need.AREA, Area.CUSTOMER)
    def delete_contract(self, contract_id: int):
        if any(c.id == contract_id for c in self.contracts):
            return tab_run(self, svc.contract_delete, contract_id=contract_id)
