"""CustomersState and LedgerState: paging in state, overrides, ledger entries, refusals."""

from __future__ import annotations

from sqlmodel import select

from portal_app.models import Customer, Grant, LedgerEntry, PaymentAttempt, PortalDomain
from portal_app.state.customers import CustomersState
from portal_app.state.ledger import LedgerState

from .helpers import call, count, fresh, make_state, preset, seed_group, seed_operator


def _domain(db) -> PortalDomain:
    domain = PortalDomain(
        host="portal.acme.test", brand_name="Acme", currencies=["USD"], access=["balance", "cdr"]
    )
    db.add(domain)
    db.commit()
    return domain


def test_save_keeps_portal_access_overrides_and_shows_effective_access(db, admin):
    domain = _domain(db)
    state = make_state(CustomersState, token=admin.token)
    call(state, "load")
    call(state, "open_customer", customer_id="new")
    call(state, "set_access", key="cdr", choice="hide")
    call(state, "set_access", key="breakout", choice="show")
    call(state, "set_access", key="nope", choice="show")  # ignored
    call(state, "set_access", key="balance", choice="maybe")  # ignored
    out = call(
        state,
        "save",
        form_data={
            "name": "Bluebird",
            "kind": "customer",
            "status": "active",
            "currency": "USD",
            "credit_limit": "250",
            "domain_id": str(domain.id),
        },
    )
    assert out.toasts == [("success", "Customer added. Add its contacts on the Contacts tab.")]
    (customer,) = fresh(db, Customer)
    # The dialog stays open on the new customer, so its contacts can be added now.
    assert state.editing == str(customer.id) and state.form["name"] == "Bluebird"
    assert customer.portal_access == {"cdr": "hide", "breakout": "show"}
    assert [r.name for r in state.rows] == ["Bluebird"]
    call(state, "open_customer", customer_id=str(customer.id))
    effective = {a.key: a.effective for a in state.access}
    assert effective["balance"] and effective["breakout"] and not effective["cdr"]
    assert {a.key: a.choice for a in state.access}["cdr"] == "hide"


def test_ledger_add_and_refusal_without_payment(db, admin, clerk):
    customer = Customer(name="Northwind", currency="EUR", credit_limit=10_000)
    db.add(customer)
    db.commit()
    ledger = make_state(LedgerState, token=admin.token)
    call(ledger, "open_ledger", customer_id=customer.id)
    assert ledger.balance == "€0.00" and ledger.available == "€100.00"
    call(ledger, "add_entry", form_data={"kind": "payment", "amount": "12.345"})
    assert "amount" in ledger.errors and count(db, LedgerEntry) == 0
    call(ledger, "add_entry", form_data={"kind": "payment", "amount": "25"})
    assert ledger.balance == "€25.00" and ledger.total == 1

    clerk_ledger = make_state(LedgerState, token=clerk.token)
    preset(clerk_ledger, customer_id=customer.id)
    out = call(clerk_ledger, "add_entry", form_data={"kind": "credit", "amount": "1000"})
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert count(db, LedgerEntry) == 1


def test_a_correction_is_a_new_entry_that_reverses_an_earlier_one(db, admin):
    customer = Customer(name="Bluebird", currency="USD")
    db.add(customer)
    db.commit()
    ledger = make_state(LedgerState, token=admin.token)
    call(ledger, "open_ledger", customer_id=customer.id)
    call(ledger, "add_entry", form_data={"kind": "payment", "amount": "25"})
    first = ledger.rows[0].id
    call(ledger, "start_correction", entry_id=first)
    assert ledger.correcting == first
    call(ledger, "add_entry", form_data={"kind": "correction", "amount": "-5.00"})
    assert ledger.balance == "$20.00" and ledger.correcting == 0
    amounts = [e.amount for e in fresh(db, LedgerEntry)]
    assert sorted(amounts) == [-500, 2500]
    call(ledger, "start_correction", entry_id=99999)  # not on the page: ignored
    assert ledger.correcting == 0


def test_balance_tab_shows_runway_and_latest_payments_to_the_payment_area(db, admin):
    customer = Customer(name="Bluebird", currency="USD", credit_limit=1_000)
    db.add(customer)
    db.flush()
    db.add(
        PaymentAttempt(
            customer_id=customer.id,
            gateway_name="Cards",
            provider="stripe",
            amount=2_500,
            currency="USD",
            status="succeeded",
            provider_ref="pi_balance_tab",
            idempotency_key="balance-tab-1",
        )
    )
    db.commit()
    ledger = make_state(LedgerState, token=admin.token)
    call(ledger, "open_ledger", customer_id=customer.id)
    assert ledger.runway == "No calls cost anything in the last 7 days."
    assert [(p.amount, p.status, p.reference) for p in ledger.payments] == [
        ("$25.00", "succeeded", "pi_balance_tab")
    ]
    # The Customer area without the Payment area: the balance, but no payments.
    desk = seed_operator(
        db, "desk@example.com", group_id=seed_group(db, "Desk", customer=Grant.ALLOW)
    )
    theirs = make_state(LedgerState, token=desk.token)
    assert call(theirs, "open_ledger", customer_id=customer.id).toasts == []
    assert theirs.available == "$10.00" and not theirs.can_pay and theirs.payments == []


def test_the_list_pages_by_key_and_a_save_keeps_the_page(db, admin):
    db.add_all([Customer(name=f"Shop {n:02d}", currency="USD") for n in range(30)])
    db.commit()
    state = make_state(CustomersState, token=admin.token)
    call(state, "load")
    assert len(state.rows) == 25 and state.rows[0].name == "Shop 00"
    call(state, "go_page", delta=1)
    assert [r.name for r in state.rows] == [f"Shop {n}" for n in range(25, 30)]
    assert state.page_label == "26–30 of 30" and not state.has_next
    call(state, "go_page", delta=1)  # nothing after the last page
    assert state.page == 1 and len(state.rows) == 5
    # Another operator renames a customer on this page: a reload shows this page again.
    shop = db.exec(select(Customer).where(Customer.name == "Shop 27")).one()
    shop.name = "Shop 27 renamed"
    db.add(shop)
    db.commit()
    call(state, "open_customer", customer_id=str(shop.id))
    call(state, "save", form_data=state.form | {"credit_limit": "5"})
    assert [r.name for r in state.rows][:3] == ["Shop 25", "Shop 26", "Shop 27 renamed"]
    call(state, "go_page", delta=-1)
    assert state.page == 0 and state.rows[0].name == "Shop 00" and len(state.rows) == 25
