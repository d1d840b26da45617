"""Money on the screens: amounts in each currency's own decimals, bad amounts and a
locked currency shown next to their fields, and the dashboard's one chart per currency."""

from __future__ import annotations

from datetime import timedelta

from portal_app.models import Cdr, Customer, CustomerAlert, LedgerEntry, PortalDomain
from portal_app.models.base import utcnow
from portal_app.state.alerts import CustomerAlertsState
from portal_app.state.customers import CustomersState
from portal_app.state.dashboard import DashboardState
from portal_app.state.domains import DomainsState

from .helpers import call, count, fresh, make_state

FORM = {"name": "Tokyo Trading", "kind": "customer", "status": "active", "domain_id": "none"}


def test_a_yen_credit_limit_is_stored_and_shown_in_yen(db, admin):
    state = make_state(CustomersState, token=admin.token)
    call(state, "load")
    call(state, "open_customer", customer_id="new")
    out = call(state, "save", form_data=FORM | {"currency": "JPY", "credit_limit": "500"})
    assert out.toasts == [("success", "Customer added. Add its contacts on the Contacts tab.")]
    (customer,) = fresh(db, Customer)
    assert customer.credit_limit == 500  # was 50000
    assert [(r.currency, r.credit_limit) for r in state.rows] == [("JPY", "¥500")]
    call(state, "open_customer", customer_id=str(customer.id))
    assert state.form["credit_limit"] == "500"  # what the field shows, ready to save again


def test_a_bad_credit_limit_is_shown_next_to_the_field_and_saves_nothing(db, admin):
    state = make_state(CustomersState, token=admin.token)
    call(state, "load")
    call(state, "open_customer", customer_id="new")
    for typed, words in [("inf", "Enter a number"), ("1e3", "exponent"), ("1.5", "no decimals")]:
        out = call(state, "save", form_data=FORM | {"currency": "JPY", "credit_limit": typed})
        assert out.toasts == []
        assert set(state.errors) == {"credit_limit"} and words in state.errors["credit_limit"]
        assert state.form["credit_limit"] == typed and state.editing == "new"
    assert count(db, Customer) == 0


def test_a_customer_with_a_ledger_keeps_its_currency(db, admin):
    customer = Customer(name="Tokyo Trading", currency="USD", credit_limit=1234)
    db.add(customer)
    db.flush()
    db.add(
        LedgerEntry(
            customer_id=customer.id, amount=1234, currency="USD", kind="payment", actor_label="x"
        )
    )
    db.commit()
    state = make_state(CustomersState, token=admin.token)
    call(state, "load")
    call(state, "open_customer", customer_id=str(customer.id))
    assert state.form["credit_limit"] == "12.34"
    out = call(state, "save", form_data=FORM | {"currency": "JPY", "credit_limit": "1234"})
    assert out.toasts == []
    assert state.errors == {"currency": "The currency stays USD: this customer has ledger entries."}
    (kept,) = fresh(db, Customer)
    assert (kept.currency, kept.credit_limit) == ("USD", 1234)
    out = call(state, "save", form_data=FORM | {"currency": "USD", "credit_limit": "20"})
    assert out.toasts == [("success", "Customer saved.")]
    assert fresh(db, Customer)[0].credit_limit == 2000


def test_the_domain_editor_reads_the_customer_limit_in_the_first_currency(db, admin):
    domain = PortalDomain(
        host="portal.yen.test", brand_name="Yen", currencies=["JPY", "USD"], customer_limit=500
    )
    db.add(domain)
    db.commit()
    state = make_state(DomainsState, token=admin.token)
    call(state, "load")
    call(state, "open_editor", domain_id=str(domain.id))
    assert state.form["customer_limit"] == "500"  # not "5.00"
    base = {"host": "portal.yen.test", "brand_name": "Yen"}
    call(state, "save", form_data=base | {"customer_limit": "5.00"})
    assert state.errors == {"customer_limit": "JPY has no decimals."}
    call(state, "save", form_data=base | {"customer_limit": "800"})
    assert state.errors == {} and fresh(db, PortalDomain)[0].customer_limit == 800


def test_an_alert_at_zero_is_accepted_and_shown_in_the_currency(db, admin):
    customer = Customer(name="Bahrain Link", currency="BHD")
    db.add(customer)
    db.commit()
    state = make_state(CustomerAlertsState, token=admin.token)
    call(state, "open_alerts", customer_id=customer.id)
    form = {"alert_recipients": "ops@example.com"}
    call(state, "add_alert", form_data=form | {"alert_threshold": "1.2345"})
    assert state.errors == {"alert_threshold": "BHD has 3 decimals."}
    call(state, "add_alert", form_data=form | {"alert_threshold": "0"})
    call(state, "add_alert", form_data=form | {"alert_threshold": "2.5"})
    assert state.errors == {}
    assert sorted(a.text for a in state.alerts) == ["Below BHD0.000", "Below BHD2.500"]
    assert count(db, CustomerAlert) == 2


def test_the_dashboard_has_one_chart_per_currency(db, admin):
    now = utcnow()
    for name, currency, cost in [
        ("Dollar Co", "USD", 12_345_000),
        ("Euro Co", "EUR", 99_000_000),
        ("Yen Co", "JPY", 1_500_000_000),
    ]:
        customer = Customer(name=name, currency=currency)
        db.add(customer)
        db.flush()
        db.add(
            Cdr(
                customer_id=customer.id,
                call_start=now - timedelta(hours=1),
                dialled="447700900001",
                cost=cost,
                currency=currency,
                sip_call_id=f"dash-{currency}",
            )
        )
    db.commit()
    state = make_state(DashboardState, token=admin.token)
    call(state, "load_top")
    by_currency = {g.currency: g for g in state.top}
    assert sorted(by_currency) == ["EUR", "JPY", "USD"]
    usd, jpy = by_currency["USD"], by_currency["JPY"]
    assert (usd.axis, usd.total, jpy.axis, jpy.total) == (
        "Spend (USD)",
        "$12.35",
        "Spend (JPY)",
        "¥1,500",
    )
    assert usd.rows == [{"name": "Dollar Co", "calls": 1, "spend": 12.35, "label": "$12.35"}]
    assert jpy.rows[0]["spend"] == 1500.0 and by_currency["EUR"].rows[0]["label"] == "€99.00"
