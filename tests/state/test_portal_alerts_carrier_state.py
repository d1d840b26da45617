"""The portal's Alerts and Carrier Portal sections through their handlers, as the
browser calls them: a contact edits its alerts within the domain's limits (a refused
value stays in the field with its message, nothing stored), sends a test; the section
must be on for the domain; a carrier's contact sees its month of traffic, its rates
and its balance; a customer's contact gets none of it; the operator names routes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from portal_app.models import (
    Cdr,
    Customer,
    CustomerAlert,
    OutboxMessage,
    PortalDomain,
    RateCard,
    RateEntry,
)
from portal_app.models.base import utcnow
from portal_app.services import carrier_routes
from portal_app.services.identity import SYSTEM
from portal_app.state.carrier_routes import CarrierRoutesState
from portal_app.state.portal import PortalState
from portal_app.state.portal_alerts import AlertRow, PortalAlertsState
from portal_app.state.portal_balance import PortalBalanceState
from portal_app.state.portal_carrier import PortalCarrierState

from .helpers import call, count, make_state
from .portal_seed import seed_tenant, sent_text


def _open(db, tenant, *sections, **domain_values):
    domain = db.get(PortalDomain, tenant.domain_id)
    domain.access = [*domain.access, *sections]
    for key, value in domain_values.items():
        setattr(domain, key, value)
    db.add(domain)
    db.commit()


def test_a_contact_edits_its_alerts_within_the_limits_and_sends_a_test(db):
    tenant = seed_tenant(db, "ALPHA", "alpha.example.test", entries=1)
    _open(db, tenant, "alerts", alert_editable=True, alert_min=5, alert_max=100)
    state = make_state(PortalAlertsState, token=tenant.token, **tenant.router("/portal/alerts"))
    call(state, "load")
    assert state.editable and state.can_add and state.alerts == []
    assert state.limits_text == "Thresholds from €5.00 to €100.00, at most 3 alerts."
    assert state.form["alert_recipients"] == tenant.email
    call(state, "save", form_data={"alert_threshold": "100.01", "alert_recipients": tenant.email})
    assert state.errors == {"alert_threshold": "Enter an amount from €5.00 to €100.00."}
    assert state.form["alert_threshold"] == "100.01"  # kept as typed, next to its message
    assert count(db, CustomerAlert) == 0
    out = call(state, "save", form_data={"alert_threshold": "20", "alert_recipients": tenant.email})
    assert out.toasts == [("success", "Alert added.")] and state.errors == {}
    [row] = state.alerts
    assert (row.threshold, row.recipients) == ("€20.00", tenant.email)
    call(state, "edit", alert_id=row.id)
    assert state.editing == row.id and state.form["alert_threshold"] == "20.00"
    call(state, "save", form_data={"alert_threshold": "35.50", "alert_recipients": tenant.email})
    assert [a.threshold for a in state.alerts] == ["€35.50"] and state.editing == 0
    out = call(state, "send_test", alert_id=row.id)
    assert out.toasts == [("success", f"Test email sent to {tenant.email}.")]
    assert db.exec(select(OutboxMessage.recipient)).all() == [tenant.email]
    # An id the page did not list is ignored (and another customer's is refused below).
    call(state, "delete", alert_id=row.id + 999)
    assert count(db, CustomerAlert) == 1
    call(state, "delete", alert_id=row.id)
    assert count(db, CustomerAlert) == 0 and state.alerts == []


def test_the_alerts_section_must_be_on_and_alerts_stay_the_customers_own(db):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test", entries=0)
    beta = seed_tenant(db, "BETA", "beta.example.test", entries=0)
    _open(db, beta, "alerts", alert_editable=True)
    theirs = CustomerAlert(customer_id=beta.customer_id, threshold=100, recipients=beta.email)
    db.add(theirs)
    db.commit()
    # Alpha's domain does not show Alerts: no menu entry, handlers refused.
    frame = make_state(PortalState, token=alpha.token, **alpha.router())
    call(frame, "load_portal")
    assert "alerts" not in [m.key for m in frame.menu]
    state = make_state(PortalAlertsState, token=alpha.token, **alpha.router("/portal/alerts"))
    out = call(state, "load")
    assert out.toasts == [("error", "This section is not available for your account.")]
    _open(db, alpha, "alerts", alert_editable=True)
    call(frame, "load_portal")
    assert "alerts" in [m.key for m in frame.menu]
    call(state, "load")
    assert state.alerts == []
    # Beta's alert id, forged into the list, is still refused by the service.
    state.alerts = [AlertRow(theirs.id, "€1.00", "1.00", beta.email)]
    for handler in ("send_test", "delete"):
        out = call(state, handler, alert_id=theirs.id)
        assert out.toasts == [("error", "That alert no longer exists.")]
    assert db.exec(select(OutboxMessage)).all() == []
    assert db.get(CustomerAlert, theirs.id) is not None


def _carrier_world(db):
    carrier_t = seed_tenant(db, "CARR", "carr.example.test", entries=2)
    shop_t = seed_tenant(db, "SHOP", "shop.example.test", entries=0)
    carrier = db.get(Customer, carrier_t.customer_id)
    carrier.kind = "carrier"
    db.add(carrier)
    card = RateCard(name="Carr supplier", currency="EUR")
    db.add(card)
    db.flush()
    db.add(
        RateEntry(
            card_id=card.id,
            prefix="44",
            destination="UK",
            rate=9_500,
            effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    db.commit()
    carrier_routes.carrier_route_add(
        session=db, actor=SYSTEM, customer_id=carrier.id, route="CARR-LON", card_id=card.id
    )
    now = utcnow()
    for n, (who, route) in enumerate(
        [(shop_t, "CARR-LON"), (shop_t, "CARR-LON"), (carrier_t, "ELSEWHERE")]
    ):
        db.add(
            Cdr(
                customer_id=who.customer_id,
                call_start=now,
                cli=f"CLI SHOP {n}" if who is shop_t else "CLI CARR",
                dialled=f"44207946{n:04d}",
                destination="United Kingdom",
                billed_duration=60,
                cost=55_555 if who is shop_t else 12_000,
                currency="EUR",
                route=route,
                sip_call_id=f"st-{n}",
            )
        )
    db.commit()
    for t in (carrier_t, shop_t):
        _open(db, t, "carrier_portal")
    return carrier_t, shop_t


def test_a_carrier_sees_its_traffic_rates_and_balance(db):
    carrier_t, shop_t = _carrier_world(db)
    frame = make_state(PortalState, token=carrier_t.token, **carrier_t.router())
    call(frame, "load_portal")
    assert "carrier_portal" in [m.key for m in frame.menu]
    state = make_state(PortalCarrierState, token=carrier_t.token, **carrier_t.router())
    out = call(state, "load")
    assert state.totals["sent_calls"] == "1" and state.totals["received_calls"] == "2"
    assert len(state.received) == 2 and {c.extra for c in state.received} == {"CARR-LON"}
    assert [c.extra for c in state.sent] == ["€0.0120"]
    assert [(r.prefix, r.destination) for r in state.rates] == [("44", "UK")]
    assert state.routes == "CARR-LON"
    text = sent_text(out)
    for secret in ("Customer SHOP", "CLI SHOP", "55555", "0.055", *shop_t.secrets):
        assert secret not in text
    call(state, "show_month", form_data={"month": "November 2026"})
    assert state.errors == {"month": "Enter a month like 2026-11."}
    # The balance and statement of the Balance section, though Balance itself is hidden.
    domain = db.get(PortalDomain, carrier_t.domain_id)
    domain.access = ["carrier_portal"]
    db.add(domain)
    db.commit()
    balance = make_state(PortalBalanceState, token=carrier_t.token, **carrier_t.router())
    call(balance, "load")
    assert balance.total == 2 and balance.balance == "€3.50"


def test_a_customer_gets_no_carrier_portal(db):
    _carrier_t, shop_t = _carrier_world(db)
    frame = make_state(PortalState, token=shop_t.token, **shop_t.router())
    call(frame, "load_portal")
    assert "carrier_portal" not in [m.key for m in frame.menu]
    state = make_state(PortalCarrierState, token=shop_t.token, **shop_t.router())
    for handler, payload in (
        ("load", {}),
        ("older", {"direction": "received"}),
        ("search_rates", {"form_data": {"rate_search": "4"}}),
    ):
        out = call(state, handler, **payload)
        assert out.toasts == [("error", "This section is not available for your account.")]
    assert state.received == [] and state.rates == []


def test_the_operator_names_a_carriers_routes(db, admin):
    carrier_t, shop_t = _carrier_world(db)
    state = make_state(CarrierRoutesState, token=admin.token)
    call(state, "open_routes", customer_id=shop_t.customer_id)
    assert not state.is_carrier and state.routes == []
    call(state, "open_routes", customer_id=carrier_t.customer_id)
    assert state.is_carrier and [r.text for r in state.routes] == ["CARR-LON"]
    assert [c[1] for c in state.cards] == ["Carr supplier"]
    call(state, "add_route", form_data={"carrier_route": "CARR-LON", "carrier_route_card": "none"})
    assert "already a route of Customer CARR" in state.errors["carrier_route"]
    call(state, "add_route", form_data={"carrier_route": "CARR-NYC", "carrier_route_card": "none"})
    assert [r.text for r in state.routes] == ["CARR-LON", "CARR-NYC"]
    assert state.routes[1].detail == "No rate card"
    call(state, "delete_route", route_id=state.routes[1].id)
    assert [r.text for r in state.routes] == ["CARR-LON"]
