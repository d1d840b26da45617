"""The package catalogue and the number lookup service on a real database (SQLite and
PostgreSQL): edits and deletes are checked and audited, the lookup answers from
phonenumbers' own data, only a customer with an enabled lookup package may use it, and
every answered number is counted once per customer and day."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from portal_app.models import AuditEvent, Customer, CustomerPackage, LookupUsage, Package
from portal_app.services import customer_packages as cp
from portal_app.services import number_lookup as nl
from portal_app.services import packages as pk
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor

LOOKUP = pk.PackageForm("Lookups", "USD", "5.00", "0", "monthly", "number_lookup")


def _customer(db, name: str = "Acme", currency: str = "USD") -> Customer:
    customer = Customer(name=name, currency=currency)
    db.add(customer)
    db.commit()
    return customer


def _contact(customer: Customer) -> Actor:
    return Actor(kind="contact", id=1, label="noc@example.com", customer_id=customer.id)


def _give(db, customer: Customer, form: pk.PackageForm = LOOKUP) -> Package:
    package = pk.package_create(session=db, actor=SYSTEM, form=form)
    db.flush()
    cp.package_set(
        session=db, actor=SYSTEM, customer_id=customer.id, package_id=package.id, on=True
    )
    db.commit()
    return package


def _refused(fn, **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return info.value.fields


@pytest.mark.parametrize(
    ("number", "country", "region", "line_type", "carrier"),
    [
        ("+44 20 7946 0000", "United Kingdom", "London", "Fixed line", ""),
        ("+447400123456", "United Kingdom", "", "Mobile", "Three"),
        ("+33 6 12 34 56 78", "France", "", "Mobile", "SFR"),
        ("+1 800 555 0199", "United States", "", "Toll-free", ""),
        ("+49 30 123456", "Germany", "Berlin", "Fixed line", ""),
    ],
)
def test_a_number_gets_its_country_region_line_type_and_carrier(
    number, country, region, line_type, carrier
):
    info = nl.number_info(number)
    assert info.valid and info.e164 == "+" + "".join(c for c in number if c.isdigit())
    assert (info.country, info.region, info.line_type, info.carrier) == (
        country,
        region,
        line_type,
        carrier,
    )


@pytest.mark.parametrize("text", ["", "12345", "+44 20", "+1 555 0100 ext", "=1+2", "x" * 80])
def test_what_is_not_a_valid_international_number_has_no_answer(text):
    info = nl.number_info(text)
    assert not info.valid and (info.country, info.line_type) == ("", "")


def test_packages_are_edited_with_messages_next_to_fields_and_audited(db):
    acme = _customer(db)
    starter = _give(db, acme, pk.PackageForm("Starter", "USD", "19.00", "1000"))
    pk.package_create(session=db, actor=SYSTEM, form=pk.PackageForm("Other", "USD", "1"))
    db.commit()
    bad = pk.PackageForm("Other", "EUR", "1.234", "many", "hourly", "fax")
    fields = _refused(pk.package_update, session=db, actor=SYSTEM, package_id=starter.id, form=bad)
    assert set(fields) == {
        "package_name",
        "package_currency",
        "package_fee",
        "package_minutes",
        "package_frequency",
        "package_service",
    }
    assert "1 customer(s) have this package in USD" in fields["package_currency"]
    db.rollback()
    good = pk.PackageForm("Starter Plus", "USD", "24.50", "1500", "weekly", "number_lookup")
    pk.package_update(session=db, actor=SYSTEM, package_id=starter.id, form=good)
    db.commit()
    row = db.get(Package, starter.id)
    assert (row.name, row.retail, row.frequency, row.service, row.enabled) == (
        "Starter Plus",
        2450,
        "weekly",
        "number_lookup",
        True,
    )
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "package.update")).one()
    assert audit.before["retail"] == 1900 and audit.after["retail"] == 2450
    assert "auto_decrement" not in audit.after  # only what changed
    cards_only = Actor(kind="operator", id=9, label="c@example.com", grants={"customer": "allow"})
    with pytest.raises(PermissionDenied):
        pk.package_update(session=db, actor=cards_only, package_id=starter.id, form=good)


def test_delete_takes_the_package_from_its_customers_and_keeps_their_usage(db):
    acme, globex = _customer(db), _customer(db, "Globex")
    package = _give(db, acme)
    cp.package_set(session=db, actor=SYSTEM, customer_id=globex.id, package_id=package.id, on=True)
    nl.lookup_number(session=db, actor=_contact(acme), number="+442079460000")
    db.commit()
    assert pk.package_customers(session=db, actor=SYSTEM, package_id=package.id) == [
        "Acme",
        "Globex",
    ]
    assert pk.package_delete(session=db, actor=SYSTEM, package_id=package.id) == ["Acme", "Globex"]
    db.commit()
    assert db.exec(select(CustomerPackage)).all() == []
    assert db.get(Package, package.id) is None
    assert [u.lookups for u in db.exec(select(LookupUsage)).all()] == [1]
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "package.delete")).one()
    assert audit.before["customers"] == ["Acme", "Globex"] and audit.before["name"] == "Lookups"
    with pytest.raises(PermissionDenied, match="do not include number lookup"):
        nl.lookup_number(session=db, actor=_contact(acme), number="+442079460000")


def test_only_an_enabled_lookup_package_grants_the_lookup(db):
    acme = _customer(db)
    contact = _contact(acme)
    with pytest.raises(PermissionDenied):  # no package at all
        nl.lookup_number(session=db, actor=contact, number="+442079460000")
    _give(db, acme, pk.PackageForm("Minutes only", "USD", "10"))
    with pytest.raises(PermissionDenied):  # a package, but without the service
        nl.lookup_number(session=db, actor=contact, number="+442079460000")
    package = _give(db, acme)
    off = pk.PackageForm(**{**LOOKUP.__dict__, "enabled": False})
    pk.package_update(session=db, actor=SYSTEM, package_id=package.id, form=off)
    db.commit()
    with pytest.raises(PermissionDenied):  # the service's package is disabled
        nl.lookup_number(session=db, actor=contact, number="+442079460000")
    pk.package_update(session=db, actor=SYSTEM, package_id=package.id, form=LOOKUP)
    db.commit()
    assert nl.lookup_number(session=db, actor=contact, number="+442079460000").region == "London"
    with pytest.raises(PermissionDenied):  # operators have the usage, not the service
        nl.lookup_number(session=db, actor=SYSTEM, number="+442079460000")


def test_each_answered_lookup_is_counted_per_customer_and_day(db):
    acme, globex = _customer(db), _customer(db, "Globex")
    _give(db, acme)
    contact = _contact(acme)
    for _ in range(3):
        nl.lookup_number(session=db, actor=contact, number="+33612345678")
        db.commit()
    fields = _refused(nl.lookup_number, session=db, actor=contact, number="+44 20")
    assert fields == {"lookup_number": nl.PHONE_MESSAGE}
    db.rollback()
    days = nl.usage_list(session=db, actor=SYSTEM, customer_id=acme.id)
    assert [n for _, n in days] == [3]
    assert nl.usage_list(session=db, actor=SYSTEM, customer_id=globex.id) == []
    with pytest.raises(PermissionDenied):  # a contact sees only its own customer's
        nl.usage_list(session=db, actor=contact, customer_id=globex.id)


def test_a_csv_of_numbers_is_answered_as_csv_and_its_answers_counted(db):
    acme = _customer(db)
    _give(db, acme)
    upload = 'number\n+442079460000\n+18005550199\n=HYPERLINK("x")\n\n+447400123456\n'
    text, answered = nl.lookup_csv(session=db, actor=_contact(acme), data=upload.encode())
    db.commit()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == nl.CSV_COLUMNS
    assert [(r[1], r[2], r[3], r[5]) for r in rows[1:]] == [
        ("+442079460000", "yes", "United Kingdom", "Fixed line"),
        ("+18005550199", "yes", "United States", "Toll-free"),
        ("", "no", "", ""),
        ("+447400123456", "yes", "United Kingdom", "Mobile"),
    ]
    assert rows[3][0] == '\'=HYPERLINK("x")'  # a formula stays text in a spreadsheet
    assert answered == 3
    assert [n for _, n in nl.usage_list(session=db, actor=SYSTEM, customer_id=acme.id)] == [3]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"number\n", "no numbers"),
        (b"\xff\xfe+44", "not UTF-8"),
        (b"+442079460000\n" * 5001, "At most 5,000"),
        (b"x" * (nl.MAX_CSV_BYTES + 1), "over 256 KB"),
    ],
)
def test_a_bad_csv_is_refused_with_a_message_and_nothing_counted(db, data, words):
    acme = _customer(db)
    _give(db, acme)
    fields = _refused(nl.lookup_csv, session=db, actor=_contact(acme), data=data)
    assert set(fields) == {"lookup_file"} and words in fields["lookup_file"]
    db.rollback()
    assert db.exec(select(LookupUsage)).all() == []


def test_the_portal_lists_the_customers_own_packages_in_the_anchors_columns(db):
    acme, globex = _customer(db), _customer(db, "Globex", "EUR")
    _give(db, acme)
    auto = pk.PackageForm("Support", "USD", "99", "0", "yearly", auto_decrement=True)
    _give(db, acme, auto)
    _give(db, globex, pk.PackageForm("Euro minutes", "EUR", "9"))
    own = cp.own_packages(session=db, actor=_contact(acme))
    assert [(p.name, p.retail, p.frequency, p.auto_decrement, p.service) for p in own] == [
        ("Lookups", "$5.00", "Monthly", False, "Number lookup"),
        ("Support", "$99.00", "Yearly", True, ""),
    ]
    with pytest.raises(PermissionDenied):
        cp.own_packages(session=db, actor=SYSTEM)
