"""No state var grows with the number of customers, CDRs or rates (issue #14).

With the demo world loaded at carrier scale (tests/state/bulk_seed.py: 20,000 more
customers, 100,000 CDRs, a rate card of 50,000 rates), every page is driven as the
browser drives it, once as an operator on the control host and once as a portal contact
on the brand's host: the page's on_load events run through the real handlers, and every
event they chain (the page gate's loaders) runs after them, as Reflex's event processor
would; then the screens that hold the most data are opened (a customer, the domain
editor, the rate card of 50,000 rates, the report pickers). After each page every var of
the whole state tree is serialized as the browser gets it (Reflex's ``_serialize_var``)
and none may exceed 64 KB.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from reflex.istate.data import RouterData
from reflex.state import State, _serialize_var
from reflex_base.event import EventHandler

import portal_app.portal_app as app_module
from portal_app import routes
from portal_app.state.contacts import ContactsState
from portal_app.state.customers import CustomersState
from portal_app.state.domains import DomainsState
from portal_app.state.ledger import LedgerState
from portal_app.state.portal_rates import PortalRatesState
from portal_app.state.rate_card_detail import RateCardDetailState
from portal_app.state.reports import OperatorReportState, PortalReportState
from tests.conftest import empty_tables

from .bulk_seed import CUSTOMERS, RATES, World, load_world
from .helpers import call, router_data

LIMIT = 64 * 1024
PAGES = app_module.app._unevaluated_pages


def _route(path: str) -> str:
    return path.strip("/") or "index"


def _path(route: str) -> str:
    return "/" if route == "index" else "/" + route


def _tab(path: str, token: str, host: str) -> State:
    """One browser tab's state tree on ``path`` of ``host``, its cookie holding ``token``."""
    root = State(_reflex_internal_init=True)
    data = router_data(token=token, host=f"{host}:3000", origin=f"http://{host}:3000", path=path)
    root.router_data = data
    root.router = RouterData.from_router_data(data)
    root._clean()
    return root


def _run(root: State, state_name: str, handler: str, payload: dict[str, Any]) -> None:
    """Run one event and every event it chains, as the event processor would; background
    watchers (they loop until the tab closes) are not started."""
    queue = [(state_name, handler, payload)]
    while queue:
        name, method, args = queue.pop(0)
        state = root.get_substate(name.split("."))
        if type(state).event_handlers[method].is_background:
            continue
        outcome = call(state, method, **args)
        for event in outcome.events:
            owner, _, chained = event.name.rpartition(".")
            if owner and not chained.startswith("_"):
                queue.append((owner, chained, dict(event.payload)))


def _load_page(root: State, route: str) -> None:
    on_load = PAGES[route].on_load or []
    for item in on_load if isinstance(on_load, list) else [on_load]:
        handler = item.handler if not isinstance(item, EventHandler) else item
        _run(root, handler.state_full_name, handler.fn.__name__, {})


def sizes(root: State) -> dict[str, int]:
    """Every var of the tree, with the bytes of its value as the browser gets it."""
    return {
        f"{state_name}.{var}": len(_serialize_var(value).encode())
        for state_name, values in root.dict().items()
        for var, value in values.items()
    }


def oversized(root: State) -> dict[str, int]:
    """Every var of the tree whose serialized value exceeds LIMIT, with its size."""
    return {name: size for name, size in sizes(root).items() if size > LIMIT}


def _action(root: State, cls: type, handler: str, **payload: Any) -> None:
    _run(root, cls.get_full_name(), handler, payload)


def _operator_actions(world: World) -> dict[str, list[tuple[type, str, dict]]]:
    cid = world.customer_id
    return {
        _route(routes.CUSTOMERS): [
            (CustomersState, "apply_filters", {"form_data": {"search": "Bulk"}}),
            (CustomersState, "open_customer", {"customer_id": str(cid)}),
            (ContactsState, "open_contacts", {"customer_id": cid}),
            (LedgerState, "open_ledger", {"customer_id": cid}),
        ],
        _route(routes.PORTAL_DOMAINS): [
            (DomainsState, "open_editor", {"domain_id": str(world.domain_id)}),
            (DomainsState, "find_customers", {"text": "Bulk"}),
        ],
        _route(routes.RATE_CARDS): [(RateCardDetailState, "open_card", {"card_id": world.card_id})],
        _route(routes.CDR_REPORT): [
            (OperatorReportState, "find_customers", {"text": "Bulk"}),
            (OperatorReportState, "pick_customer", {"customer_id": cid}),
            (OperatorReportState, "set_tz", {"tz": "UTC"}),
        ],
        _route(routes.BREAKOUT_REPORT): [
            (OperatorReportState, "pick_customer", {"customer_id": cid})
        ],
        # The reports start once the browser has said its time zone.
        _route(routes.PORTAL_CDR): [(PortalReportState, "set_tz", {"tz": "UTC"})],
        _route(routes.PORTAL_BREAKOUT): [(PortalReportState, "set_tz", {"tz": "UTC"})],
    }


@pytest.fixture()
def world(db, engine) -> Iterator[World]:
    yield load_world(db)
    db.close()  # TRUNCATE waits for every other holder of a table's lock
    empty_tables(engine, bulk=True)


def test_no_state_var_grows_with_the_data(world):
    checked: dict[str, dict[str, int]] = {}
    actions = _operator_actions(world)
    tabs, largest = {}, {}
    for route in sorted(PAGES):
        portal = route.startswith("portal")
        host, token = (
            (world.contact_host, world.contact_token)
            if portal
            else ("localhost", world.operator_token)
        )
        root = _tab(_path(route), token, host)
        _load_page(root, route)
        for cls, handler, payload in actions.get(route, []):
            _action(root, cls, handler, **payload)
        measured = sizes(root)
        checked[route] = {name: size for name, size in measured.items() if size > LIMIT}
        largest[route] = max(measured.items(), key=lambda item: item[1])
        tabs[route] = root
    # The data really is on the screens measured: the lists are full pages of big tables.
    customers = tabs[_route(routes.CUSTOMERS)].get_substate(
        CustomersState.get_full_name().split(".")
    )
    assert customers.total > CUSTOMERS // 2 and customers.rows and customers.editing
    rates = tabs[_route(routes.PORTAL_RATES)].get_substate(
        PortalRatesState.get_full_name().split(".")
    )
    assert rates.total >= RATES and rates.rows
    detail = tabs[_route(routes.RATE_CARDS)].get_substate(
        RateCardDetailState.get_full_name().split(".")
    )
    assert detail.total >= RATES and detail.rows
    cdr = tabs[_route(routes.PORTAL_CDR)].get_substate(PortalReportState.get_full_name().split("."))
    assert cdr.rows, "the contact's CDR report is empty: the page did not load"
    report = tabs[_route(routes.CDR_REPORT)].get_substate(
        OperatorReportState.get_full_name().split(".")
    )
    assert report.rows and report.customer_id == world.customer_id
    for route, (name, size) in sorted(largest.items(), key=lambda item: -item[1][1])[:8]:
        print(f"largest var on {route}: {name.rsplit('.', 1)[-1]} {size:,} bytes")
    assert len(checked) >= 30
    assert {route: big for route, big in checked.items() if big} == {}


def test_a_var_over_the_limit_is_caught(db):
    """Positive control: the same measure finds a var that holds every row."""
    root = _tab("/management/customers", "", "localhost")
    customers = root.get_substate(CustomersState.get_full_name().split("."))
    assert oversized(root) == {}
    customers.domain_options = [[str(i), f"Domain number {i}"] for i in range(5_000)]
    found = oversized(root)
    assert list(found) == [f"{CustomersState.get_full_name()}.domain_options_rx_state_"]
    assert found[next(iter(found))] > LIMIT
