"""The customer ledger, on SQLite and PostgreSQL: sign rules, corrections, balance,
permissions, audit, paging and the CSV export (amounts are parsed by services/money.py,
tested in test_money.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Customer, LedgerEntry
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.ledger import balance, ledger_add, ledger_csv, ledger_page
from portal_app.services.money import MAX_MINOR

CASHIER = Actor(kind="operator", id=1, label="cashier@example.com", grants={"payment": "allow"})


def make_customer(db: Session, currency: str = "USD", name: str = "Acme") -> Customer:
    customer = Customer(name=name, currency=currency)
    db.add(customer)
    db.commit()
    return customer


def add(db: Session, customer: Customer, kind: str, amount: str, **kw) -> LedgerEntry:
    entry = ledger_add(
        session=db, actor=CASHIER, customer_id=customer.id, kind=kind, amount=amount, **kw
    )
    db.commit()
    return entry


def refused(db: Session, customer: Customer, kind: str, amount: str, **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        ledger_add(
            session=db, actor=CASHIER, customer_id=customer.id, kind=kind, amount=amount, **kw
        )
    db.rollback()
    return info.value.fields


def test_sign_rules_per_kind(db):
    customer = make_customer(db)
    assert add(db, customer, "payment", "10.00").amount == 1000
    assert add(db, customer, "credit", "2.50").amount == 250
    charge = add(db, customer, "charge", "4")
    assert (charge.amount, charge.kind, charge.currency) == (-400, "charge", "USD")
    for kind in ("payment", "credit", "charge"):
        assert "amount" in refused(db, customer, kind, "-1.00")
    assert refused(db, customer, "refund", "1.00") == {
        "kind": "Choose payment, credit, charge or correction."
    }
    assert "amount" in refused(db, customer, "payment", "0.00")


def test_amount_uses_the_customers_currency(db):
    yen = make_customer(db, currency="JPY", name="Tokyo")
    entry = add(db, yen, "payment", "1500")
    assert (entry.amount, entry.currency) == (1500, "JPY")
    assert "amount" in refused(db, yen, "payment", "15.00")


def test_largest_amount_is_stored(db):
    customer = make_customer(db)
    add(db, customer, "payment", "10000000000.00")
    add(db, customer, "payment", "10000000000.00")
    # The sum is past 32 bits: the database must add in a wider type.
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == 2 * MAX_MINOR


def test_note_and_reference_limits(db):
    customer = make_customer(db)
    fields = refused(db, customer, "payment", "1", note="n" * 501, reference="r" * 121)
    assert set(fields) == {"note", "reference"}
    entry = add(db, customer, "payment", "1", note=" n" * 250, reference="r" * 120)
    assert (len(entry.note), len(entry.reference)) == (499, 120)


def test_balance_is_the_sum_of_entries(db):
    customer = make_customer(db)
    other = make_customer(db, name="Other")
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == 0
    add(db, customer, "payment", "100.00")
    add(db, customer, "charge", "30.25")
    add(db, customer, "credit", "5")
    add(db, other, "payment", "999")
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == 10000 - 3025 + 500
    assert balance(session=db, actor=SYSTEM, customer_id=other.id) == 99900


def test_correction_reverses_at_most_the_entry(db):
    customer = make_customer(db)
    payment = add(db, customer, "payment", "10.00")
    first = add(db, customer, "correction", "-4.00", corrects_id=payment.id)
    assert (first.amount, first.corrects_id) == (-400, payment.id)
    fields = refused(db, customer, "correction", "-6.01", corrects_id=payment.id)
    assert fields == {"amount": "A correction of this entry can be at most -$6.00."}
    assert "amount" in refused(db, customer, "correction", "1.00", corrects_id=payment.id)
    add(db, customer, "correction", "-6.00", corrects_id=payment.id)
    assert refused(db, customer, "correction", "-0.01", corrects_id=payment.id) == {
        "corrects_id": "That entry is already fully reversed."
    }
    charge = add(db, customer, "charge", "3.00")
    assert add(db, customer, "correction", "3", corrects_id=charge.id).amount == 300
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == 0


def test_correction_needs_an_entry_of_the_same_customer(db):
    customer = make_customer(db)
    other = make_customer(db, name="Other")
    theirs = add(db, other, "payment", "5")
    assert "corrects_id" in refused(db, customer, "correction", "-1")
    assert "corrects_id" in refused(db, customer, "correction", "-1", corrects_id=theirs.id)
    assert "corrects_id" in refused(db, customer, "correction", "-1", corrects_id=10**6)
    mine = add(db, customer, "payment", "5")
    correction = add(db, customer, "correction", "-1", corrects_id=mine.id)
    assert "corrects_id" in refused(db, customer, "correction", "1", corrects_id=correction.id)
    assert refused(db, customer, "payment", "1", corrects_id=mine.id) == {
        "corrects_id": "Only a correction refers to an earlier entry."
    }
    assert db.exec(
        select(LedgerEntry).where(LedgerEntry.customer_id == customer.id).order_by(LedgerEntry.id)
    ).all() == [
        mine,
        correction,
    ]


def test_permissions(db):
    customer = make_customer(db)
    add(db, customer, "payment", "1")
    viewer = Actor(kind="operator", id=2, label="v", grants={"customer": "allow"})
    nobody = Actor(kind="operator", id=3, label="x", grants={"payment": "deny"})
    for actor in (viewer, nobody):
        with pytest.raises(PermissionDenied):
            ledger_add(session=db, actor=actor, customer_id=customer.id, kind="payment", amount="1")
    db.rollback()
    assert ledger_page(session=db, actor=viewer, customer_id=customer.id)[1] == 1
    assert "payment" in ledger_csv(session=db, actor=viewer, customer_id=customer.id)
    with pytest.raises(PermissionDenied):
        ledger_page(session=db, actor=nobody, customer_id=customer.id)
    with pytest.raises(PermissionDenied):
        ledger_csv(session=db, actor=nobody, customer_id=customer.id)
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == 100


def test_add_writes_an_audit_row_in_the_same_transaction(db):
    customer = make_customer(db)
    entry = add(db, customer, "charge", "2.50", reference="INV-7", note="setup fee")
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "ledger.add")).one()
    assert (audit.entity, audit.entity_id, audit.actor_label) == (
        "customer",
        str(customer.id),
        "cashier@example.com",
    )
    assert audit.after["id"] == entry.id
    assert audit.after["amount"] == -250
    assert audit.after["reference"] == "INV-7"
    ledger_add(session=db, actor=SYSTEM, customer_id=customer.id, kind="payment", amount="1")
    db.rollback()  # the caller's transaction fails: neither the entry nor its audit stays
    assert len(db.exec(select(AuditEvent)).all()) == 1
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == -250


def test_page_is_newest_first_with_total(db):
    customer = make_customer(db)
    for n in range(1, 6):
        add(db, customer, "payment", str(n))
    rows, total = ledger_page(session=db, actor=CASHIER, customer_id=customer.id, limit=2)
    assert total == 5
    assert [r.amount for r in rows] == [500, 400]
    rows, total = ledger_page(session=db, actor=CASHIER, customer_id=customer.id, offset=4, limit=2)
    assert ([r.amount for r in rows], total) == ([100], 5)
    assert ledger_page(session=db, actor=CASHIER, customer_id=customer.id + 1) == ([], 0)


def test_csv_content_and_formula_escaping(db):
    customer = make_customer(db, currency="BHD")
    add(db, customer, "payment", "1.5", reference='=HYPERLINK("http://evil")', note="+1")
    add(db, customer, "charge", "0.250", reference="@SUM(A1)", note='-2, "quoted"')
    rows = list(
        csv.reader(io.StringIO(ledger_csv(session=db, actor=CASHIER, customer_id=customer.id)))
    )
    assert rows[0] == ["date (UTC)", "kind", "amount", "currency", "reference", "note", "who"]
    assert rows[1][1:] == [
        "payment",
        "1.500",
        "BHD",
        '\'=HYPERLINK("http://evil")',
        "'+1",
        "cashier@example.com",
    ]
    assert rows[2][1:] == [
        "charge",
        "-0.250",  # the amount stays a number a spreadsheet can add up
        "BHD",
        "'@SUM(A1)",
        '\'-2, "quoted"',
        "cashier@example.com",
    ]
    # In the account's date format (default YYYY-MM-DD), in the zone the header names.
    stamp = datetime.strptime(rows[1][0], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert abs((stamp - datetime.now(UTC)).total_seconds()) < 600

    assert len(rows) == 3
