"""An operator allowed cards and CDRs but not carriers, through the real handlers and the
real CSV route: no carrier's name, spend or route reaches the browser's vars, its toasts
or the CSV. The same steps with the Carrier permission are the positive control."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from portal_app.api.exports import export_routes
from portal_app.models import Cdr, Customer, Grant
from portal_app.models.base import utcnow
from portal_app.services.cdrs import today
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.state.dashboard import DashboardState
from portal_app.state.reports import OperatorReportState

from .helpers import call, make_state, seed_group, seed_operator
from .portal_seed import sent_text

CARRIER_NAME = "Transit Zeta"
CARRIER_ROUTE = "ZetaRouteSecret"
CARRIER_SPEND = "$38.85"  # 5 calls at 7.77


@pytest.fixture()
def world(db) -> dict[str, int]:
    shop = Customer(name="Shop Retail", currency="USD")
    carrier = Customer(name=CARRIER_NAME, kind="carrier", currency="USD")
    db.add_all([shop, carrier])
    db.commit()
    now = utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    at = max(now - timedelta(minutes=30), midnight + timedelta(seconds=10))  # today, UTC
    for who, n, cost in ((shop, 3, 10_000), (carrier, 5, 7_770_000)):
        for i in range(n):
            db.add(
                Cdr(
                    customer_id=who.id,
                    call_start=at - timedelta(seconds=i),
                    dialled=f"4420{i:07d}",
                    destination="United Kingdom",
                    prefix="44",
                    duration=60,
                    billed_duration=60,
                    cost=cost,
                    currency="USD",
                    route=CARRIER_ROUTE,
                    sip_call_id=f"{who.name}-{i}",
                )
            )
    db.commit()
    return {"shop": shop.id, "carrier": carrier.id}


def _operator(db, name: str, **grants: Grant):
    group = seed_group(db, name, **grants)
    return seed_operator(db, f"{name.lower().replace(' ', '-')}@example.com", group_id=group)


def _csv(token: str, customer_id: int) -> tuple[int, str]:
    """GET the export as the browser would (its cookie, a control host), over ASGI."""
    day = today("UTC").isoformat()
    params = {"customer": customer_id, "first": day, "last": day, "tz": "UTC"}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=Starlette(routes=export_routes()))
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://localhost:3000",
            cookies={SESSION_COOKIE: token},
        ) as client:
            return await client.get("/api/export/cdr.csv", params=params)

    reply = asyncio.run(go())
    return reply.status_code, reply.text


def _report(token: str, customer_id: int, loader: str = "load_cdr") -> tuple[object, str]:
    path = f"/management/customers/cdr?customer={customer_id}"
    state = make_state(OperatorReportState, token=token, path=path)
    sent = sent_text(call(state, loader))
    sent += sent_text(call(state, "set_tz", tz="UTC"))
    refresh = "refresh_breakout" if loader == "load_breakout" else "refresh_cdr"
    sent += sent_text(call(state, refresh))
    return state, sent


def test_cards_and_cdr_operator_never_receives_carrier_data(db, world):
    op = _operator(db, "Cards and CDR", card=Grant.ALLOW, cdr=Grant.ALLOW)
    dash = make_state(DashboardState, token=op.token)
    sent = sent_text(call(dash, "load_top"))
    assert [r["name"] for g in dash.top for r in g.rows] == ["Shop Retail"]
    assert dash.top[0].total == "$0.03" and dash.top[0].calls == "3"
    assert CARRIER_NAME not in sent and CARRIER_SPEND not in sent

    state, sent = _report(op.token, world["carrier"])
    assert state.customer_id == 0 and state.rows == [] and state.calls == ""
    assert CARRIER_NAME not in sent and CARRIER_ROUTE not in sent
    state, sent = _report(op.token, world["carrier"], "load_breakout")
    assert state.breakout_rows == [] and CARRIER_NAME not in sent
    out = call(state, "pick_customer", customer_id=world["carrier"])
    assert out.toasts == [("error", "That customer is not available to you.")]
    found = sent_text(call(state, "find_customers", text="Transit"))
    assert state.pick_rows == [] and CARRIER_NAME not in found

    state, sent = _report(op.token, world["shop"])
    assert state.customer_name == "Shop Retail" and len(state.rows) == 3
    assert "Route" not in state.headers and CARRIER_ROUTE not in sent

    assert _csv(op.token, world["carrier"])[0] == 403
    status, text = _csv(op.token, world["shop"])
    assert status == 200 and len(text.splitlines()) == 4
    assert CARRIER_ROUTE not in text and "Route" not in text.splitlines()[0]


def test_with_the_carrier_permission_the_same_steps_show_carrier_data(db, world):
    op = _operator(db, "Carrier desk", cdr=Grant.ALLOW, carrier=Grant.ALLOW)
    dash = make_state(DashboardState, token=op.token)
    call(dash, "load_top")
    assert [r["name"] for g in dash.top for r in g.rows] == [CARRIER_NAME, "Shop Retail"]
    assert dash.top[0].rows[0]["label"] == CARRIER_SPEND

    state, sent = _report(op.token, world["carrier"])
    assert state.customer_name == CARRIER_NAME and state.headers[-1] == "Route"
    assert state.rows[0][-1] == CARRIER_ROUTE and state.cost == CARRIER_SPEND
    call(state, "find_customers", text="transit")
    assert [r.label for r in state.pick_rows] == [f"{CARRIER_NAME} (carrier) · USD"]

    status, text = _csv(op.token, world["carrier"])
    assert status == 200 and CARRIER_ROUTE in text and "Route" in text.splitlines()[0]
