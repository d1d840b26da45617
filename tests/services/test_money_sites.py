"""Every place that used to parse money with float or by hand now goes through
services/money.py (SQLite and PostgreSQL): credit limits, the domain's Customer Limit,
alert thresholds, package fees, rate cards and imports; a customer's currency is locked
by its history; the dashboard's top customers never mix currencies."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.models import (
    AuditEvent,
    Cdr,
    Customer,
    CustomerAlert,
    Package,
    PortalDomain,
    RateEntry,
)
from portal_app.models.base import utcnow
from portal_app.services import alerts, packages, signups
from portal_app.services import customers as cust
from portal_app.services import domains as dom
from portal_app.services.dashboard import top_customers
from portal_app.services.errors import ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.imports import import_cdrs, import_rates
from portal_app.services.ledger import ledger_add
from portal_app.services.money import format_minor
from portal_app.services.rates import card_create
from portal_app.settings import Settings

SETTINGS = Settings(
    control_hosts=("panel.carrier.test",), cname_target="portal.carrier.test", secret_key="k" * 40
)


def _customer(db, currency: str = "USD", name: str = "Acme", **kw) -> Customer:
    customer = Customer(name=name, currency=currency, **kw)
    db.add(customer)
    db.commit()
    return customer


def _refused(fn, **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return info.value.fields


def _alert(db, customer):
    db.add(CustomerAlert(customer_id=customer.id, threshold=1000, recipients="a@example.com"))


# Credit limit (services/customers.py: was round(float(x) * 100)) -------------------


@pytest.mark.parametrize(
    ("currency", "typed", "stored", "shown"),
    [
        ("JPY", "500", 500, "¥500"),  # was stored 50000 and shown ¥50,000
        ("USD", "12.34", 1234, "$12.34"),
        ("BHD", "1.234", 1234, "BHD1.234"),
        ("EUR", "0", 0, "€0.00"),  # no credit is a valid limit
        ("USD", "", 0, "$0.00"),  # so is an empty field
    ],
)
def test_credit_limit_is_read_in_the_customers_currency(db, currency, typed, stored, shown):
    customer = cust.customer_create(
        session=db,
        actor=SYSTEM,
        data={"name": "Tokyo", "currency": currency, "credit_limit": typed},
    )
    db.commit()
    assert customer.credit_limit == stored
    assert format_minor(customer.credit_limit, customer.currency) == shown


@pytest.mark.parametrize(
    ("currency", "typed", "words"),
    [
        ("USD", "inf", "Enter a number"),  # crashed the handler before
        ("USD", "nan", "Enter a number"),
        ("USD", "1e3", "without an exponent"),  # was accepted as 1000
        ("USD", "1,000.00", "no thousands separators"),
        ("USD", "--1", "Enter an amount"),
        ("USD", "-5", "zero or more"),
        ("JPY", "1.5", "JPY has no decimals."),
        ("BHD", "1.2345", "BHD has 3 decimals."),
        ("USD", "100000000000000", "too large"),
    ],
)
def test_bad_credit_limits_get_a_message_next_to_the_field(db, currency, typed, words):
    fields = _refused(
        cust.customer_create,
        session=db,
        actor=SYSTEM,
        data={"name": "Acme", "currency": currency, "credit_limit": typed},
    )
    assert set(fields) == {"credit_limit"} and words in fields["credit_limit"]
    db.rollback()
    assert db.exec(select(Customer)).first() is None


# The currency lock ----------------------------------------------------------------


def _update(db, customer: Customer, **data):
    base = {"name": customer.name, "currency": customer.currency, "credit_limit": "0"}
    result = cust.customer_update(
        session=db, actor=SYSTEM, customer_id=customer.id, data=base | data
    )
    db.commit()
    return result


def test_a_customer_without_history_may_change_currency(db):
    customer = _customer(db, "USD", credit_limit=1234)
    changed = _update(db, customer, currency="JPY", credit_limit="1234")
    assert (changed.currency, changed.credit_limit) == ("JPY", 1234)
    assert format_minor(changed.credit_limit, changed.currency) == "¥1,234"


def _entry(db, customer):
    ledger_add(session=db, actor=SYSTEM, customer_id=customer.id, kind="payment", amount="12.34")


def _call(db, customer):
    db.add(
        Cdr(
            customer_id=customer.id,
            call_start=utcnow(),
            dialled="447700900001",
            cost=12_340_000,
            currency=customer.currency,
            sip_call_id=f"lock-{customer.id}",
        )
    )


@pytest.mark.parametrize(
    ("history", "why"),
    [
        (_entry, "ledger entries"),
        (_call, "call records"),
        (_alert, "low-balance alerts (delete them first)"),
    ],
)
def test_history_locks_the_currency_with_a_message_next_to_it(db, history, why):
    customer = _customer(db, "USD")
    history(db, customer)
    db.commit()
    fields = _refused(
        cust.customer_update,
        session=db,
        actor=SYSTEM,
        customer_id=customer.id,
        data={"name": "Renamed", "currency": "JPY", "credit_limit": "0"},
    )
    assert fields == {"currency": f"The currency stays USD: this customer has {why}."}
    db.rollback()
    db.expire_all()
    kept = db.get(Customer, customer.id)
    assert (kept.currency, kept.name) == ("USD", "Acme")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "customer.update")).all() == []
    # Everything else about the customer may still change.
    assert _update(db, kept, name="Renamed", credit_limit="5").credit_limit == 500


# The domain's Customer Limit (services/domain_validation.py: was round(float(x) * 100)) -


def _domain(db, currencies, limit: str, host: str = "portal.acme.com") -> PortalDomain:
    domain = dom.domain_create(
        session=db,
        actor=SYSTEM,
        data={
            "host": host,
            "brand_name": "Acme",
            "currencies": currencies,
            "customer_limit": limit,
            "customer_signup": True,
        },
        settings=SETTINGS,
    )
    db.commit()
    return domain


@pytest.mark.parametrize(
    ("currencies", "typed", "stored"),
    [(["JPY", "USD"], "500", 500), (["USD", "JPY"], "5.00", 500), (["BHD"], "5", 5000)],
)
def test_customer_limit_is_an_amount_of_the_first_currency(db, currencies, typed, stored):
    assert _domain(db, currencies, typed).customer_limit == stored


@pytest.mark.parametrize(
    ("currencies", "typed", "words"),
    [
        (["USD"], "inf", "Enter a number"),
        (["USD"], "1e3", "without an exponent"),
        (["JPY", "USD"], "5.00", "JPY has no decimals."),  # read in the first currency
        (["USD"], "-1", "zero or more"),
    ],
)
def test_bad_customer_limits_are_refused_next_to_the_field(db, currencies, typed, words):
    fields = _refused(
        dom.domain_create,
        session=db,
        actor=SYSTEM,
        data={
            "host": "portal.acme.com",
            "brand_name": "Acme",
            "currencies": currencies,
            "customer_limit": typed,
        },
        settings=SETTINGS,
    )
    assert set(fields) == {"customer_limit"} and words in fields["customer_limit"]


SIGNUP = {
    "kind": "customer",
    "company_name": "Newco Telecom",
    "contact_name": "Nina New",
    "password": "newco-password-1",
    "phone": "+44 20 7946 0999",
    "country": "GB",
    "terms": "on",
}


@pytest.mark.parametrize(("currency", "credit"), [("JPY", 500), ("USD", 0)])
def test_sign_ups_get_the_customer_limit_only_in_its_currency(db, currency, credit):
    domain = _domain(db, ["JPY", "USD"], "500")
    started = signups.signup_start(
        session=db,
        domain=domain,
        data=SIGNUP | {"email": f"nina-{currency.lower()}@newco.example", "currency": currency},
    )
    db.commit()
    customer = signups.signup_confirm(session=db, token=started.token)
    db.commit()
    # ¥500 for a yen sign-up; a dollar sign-up is not handed 500 cents (no exchange rates).
    assert (customer.currency, customer.credit_limit) == (currency, credit)


# Alerts and packages (services/alerts.py, services/packages.py) ----------------------


def test_an_alert_threshold_of_zero_is_valid_and_bad_ones_are_refused(db):
    yen = _customer(db, "JPY")
    alert = alerts.alert_add(
        session=db, actor=SYSTEM, customer_id=yen.id, threshold="0", recipients="a@example.com"
    )
    db.commit()
    assert alert.threshold == 0
    assert (
        alerts.alert_add(
            session=db,
            actor=SYSTEM,
            customer_id=yen.id,
            threshold="1000",
            recipients="a@example.com",
        ).threshold
        == 1000
    )
    for typed, words in [("-1", "zero or more"), ("1.5", "JPY has no decimals."), ("inf", "")]:
        fields = _refused(
            alerts.alert_add,
            session=db,
            actor=SYSTEM,
            customer_id=yen.id,
            threshold=typed,
            recipients="a@example.com",
        )
        assert set(fields) == {"alert_threshold"} and words in fields["alert_threshold"]


def test_template_alerts_are_copied_only_in_the_same_currency(db):
    template = _customer(db, "USD", name="Template")
    _alert(db, template)
    dollars, yen = _customer(db, "USD", name="Dollars"), _customer(db, "JPY", name="Yen")
    assert alerts.alerts_copy(session=db, template=template, customer=dollars)["alerts"] == 1
    # $10.00 would have become ¥1,000.
    assert alerts.alerts_copy(session=db, template=template, customer=yen)["alerts"] == 0


def test_package_fees_are_read_in_the_packages_currency(db):
    form = packages.PackageForm
    create = packages.package_create
    free = create(session=db, actor=SYSTEM, form=form("Free", "JPY", "0", "60"))
    yen = create(session=db, actor=SYSTEM, form=form("Yen", "jpy", "1500", "0", "yearly"))
    db.commit()
    assert [(p.retail, p.currency) for p in (free, yen)] == [(0, "JPY"), (1500, "JPY")]
    fields = _refused(create, session=db, actor=SYSTEM, form=form("Odd", "XYZ", "1"))
    assert set(fields) == {"package_currency"} and "ISO 4217" in fields["package_currency"]
    fields = _refused(create, session=db, actor=SYSTEM, form=form("Odd", "BHD", "1.2345"))
    assert fields == {"package_fee": "BHD has 3 decimals."}
    db.rollback()
    assert len(db.exec(select(Package)).all()) == 2
    assert [
        (r.name, r.currency, r.price, r.minutes)
        for r in packages.package_list(session=db, actor=SYSTEM)
    ] == [("Free", "JPY", "¥0 a month", 60), ("Yen", "JPY", "¥1,500 a year", 0)]


# Rate cards and imports (services/rates.py, services/imports.py) ---------------------


def test_a_rate_card_needs_a_real_currency(db):
    fields = _refused(card_create, session=db, actor=SYSTEM, name="Odd", currency="ABC")
    assert set(fields) == {"card_currency"} and "ISO 4217" in fields["card_currency"]
    assert card_create(session=db, actor=SYSTEM, name="Yen", currency="jpy").currency == "JPY"


def test_rate_imports_refuse_what_is_not_a_plain_decimal(db):
    card = card_create(session=db, actor=SYSTEM, name="Yen", currency="JPY")
    db.commit()
    text = (
        "prefix,destination,rate,connection_fee\n"
        "44,UK,1e3,0\n"
        "33,France,inf,0\n"
        "49,Germany,-0.01,0\n"
        "81,Japan,0.0000001,0\n"
        '86,China,0.05,"1,000"\n'
        "91,India,,0\n"
    )
    result = import_rates(session=db, actor=SYSTEM, card_id=card.id, lines=io.StringIO(text))
    db.rollback()
    messages = dict(result.errors)
    assert sorted(messages) == [2, 3, 4, 5, 6, 7]
    assert "rate" in messages[2] and "exponent" in messages[2]
    assert "Enter a number" in messages[3]
    assert "zero or more" in messages[4]
    assert "6 decimals" in messages[5]
    assert "connection_fee" in messages[6] and "thousands" in messages[6]
    assert "Enter an amount" in messages[7]
    good = "prefix,destination,rate,connection_fee\n81,Japan,0.45,0.002000\n"
    result = import_rates(session=db, actor=SYSTEM, card_id=card.id, lines=io.StringIO(good))
    db.commit()
    assert result.ok
    entry = db.exec(select(RateEntry)).one()
    assert (entry.rate, entry.connection_fee) == (450_000, 2_000)


def test_cdr_imports_refuse_bad_costs(db):
    customer = _customer(db, "USD")
    header = "call_start,customer_id,dialled,duration,sip_call_id,cost\n"
    rows = [
        f"2026-11-25T10:00:00Z,{customer.id},447700900001,60,c-1,1e-2",
        f"2026-11-25T10:01:00Z,{customer.id},447700900002,60,c-2,nan",
        f"2026-11-25T10:02:00Z,{customer.id},447700900003,60,c-3,-0.05",
    ]
    result = import_cdrs(session=db, actor=SYSTEM, lines=io.StringIO(header + "\n".join(rows)))
    db.rollback()
    assert [line for line, _ in result.errors] == [2, 3, 4]
    assert all(message.startswith("cost: ") for _, message in result.errors)
    assert db.exec(select(Cdr)).first() is None


# The dashboard's top customers (services/dashboard.py) -------------------------------


def test_top_customers_are_ranked_per_currency_and_never_added_across(db):
    now = utcnow()
    spend = {  # customer: (currency, cost per call in micro-units, calls)
        "Big Yen": ("JPY", 900_000_000, 2),  # ¥900 a call: a huge number, a small amount
        "Dollar One": ("USD", 2_000_000, 3),
        "Dollar Two": ("USD", 5_000_000, 1),
        "Euro": ("EUR", 1_000_000, 1),
    }
    for name, (currency, cost, calls) in spend.items():
        customer = _customer(db, currency, name=name)
        for i in range(calls):
            db.add(
                Cdr(
                    customer_id=customer.id,
                    call_start=now - timedelta(hours=i + 1),
                    dialled="447700900001",
                    cost=cost,
                    currency=currency,
                    sip_call_id=f"{name}-{i}",
                )
            )
    old = _customer(db, "USD", name="Last Month")
    db.add(
        Cdr(
            customer_id=old.id,
            call_start=now - timedelta(days=30),
            dialled="1",
            cost=10**12,
            currency="USD",
            sip_call_id="old",
        )
    )
    db.commit()
    groups = top_customers(session=db, actor=SYSTEM, days=7)
    assert [(g.currency, g.calls, g.cost) for g in groups] == [
        ("USD", 4, 11_000_000),  # the busiest currency (by calls) first
        ("JPY", 2, 1_800_000_000),
        ("EUR", 1, 1_000_000),
    ]
    assert [(t.name, t.calls, t.cost) for t in groups[0].top] == [
        ("Dollar One", 3, 6_000_000),
        ("Dollar Two", 1, 5_000_000),
    ]
    assert [t.name for t in groups[1].top] == ["Big Yen"]
    two = top_customers(session=db, actor=SYSTEM, days=7, limit=1)
    assert [[t.name for t in g.top] for g in two] == [["Dollar One"], ["Big Yen"], ["Euro"]]
