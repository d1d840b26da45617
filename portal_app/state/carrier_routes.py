"""A carrier's routes on the customer dialog's Alerts & contracts tab: the route names
its calls carry in the CDRs and the rate card it is paid on (services/carrier_routes.py).
Customers that are not carriers have none; the tab then shows nothing of it."""

from __future__ import annotations

from portal_app.services import carrier_routes as svc
from portal_app.services.customers import customer_get
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Area
from portal_app.services.policy import CUSTOMERS_OR_CARRIERS, sees_carriers
from portal_app.services.rates import card_list
from portal_app.services.validation import parse_id

from .alerts import Line
from .base import AppState
from .customer_tab import tab_open, tab_run
from .guard import Need, actor, guarded


class CarrierRoutesState(AppState):
    customer_id: int = 0
    is_carrier: bool = False
    routes: list[Line] = []
    cards: list[list[str]] = []  # [id, name] of the cards in the carrier's currency
    errors: dict[str, str] = {}
    form_key: int = 0

    def _clear(self) -> None:
        self.is_carrier, self.routes, self.cards = False, [], []

    def _fetch(self) -> None:
        who = actor()
        with session_scope() as session:
            customer = customer_get(session=session, actor=who, customer_id=self.customer_id)
            self.is_carrier = customer.kind == "carrier" and sees_carriers(who)
            if not self.is_carrier:
                return
            rows = svc.carrier_routes_list(session=session, actor=who, customer_id=self.customer_id)
            try:
                cards = card_list(session=session, actor=who)
            except ServiceError:  # no Card or Customer area: routes without a card
                cards = []
        self.routes = [
            Line(id=r.id, text=r.route, detail=f"Paid on {name}" if name else "No rate card")
            for r, name in rows
        ]
        self.cards = [[str(c.id), c.name] for c, _n in cards if c.currency == customer.currency]

    @guarded(Need.AREA, CUSTOMERS_OR_CARRIERS)
    def open_routes(self, customer_id: int):
        return tab_open(self, customer_id)

    @guarded(Need.AREA, Area.CARRIER)
    def add_route(self, form_data: dict):
        card = str(form_data.get("carrier_route_card") or "none")[:20]
        return tab_run(
            self,
            svc.carrier_route_add,
            customer_id=self.customer_id,
            route=str(form_data.get("carrier_route") or "")[:100],
            card_id=None if card == "none" else (parse_id(card) or -1),
        )

    @guarded(Need.AREA, Area.CARRIER)
    def delete_route(self, route_id: int):
        if any(r.id == route_id for r in self.routes):
            return tab_run(self, svc.carrier_route_delete, route_id=route_id)
