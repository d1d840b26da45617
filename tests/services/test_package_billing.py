"""Charging Auto Decrement Credit packages on a real database (SQLite and PostgreSQL):
the period schedule, one CHARGE per due period and a second run charging nothing, the
balance going down by exactly the retail, packages that must not be charged, and two
workers charging at the same moment giving one ledger entry per period."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from portal_app.models import (
    AuditEvent,
    Customer,
    CustomerPackage,
    LedgerEntry,
    PackageCharge,
    PortalDomain,
)
from portal_app.models.base import utcnow
from portal_app.services import customer_packages as cp
from portal_app.services import package_billing as pb
from portal_app.services import packages as pk
from portal_app.services.identity import SYSTEM
from portal_app.services.ledger import balance, ledger_record
from portal_app.services.package_periods import (
    MAX_BACKLOG,
    due_periods,
    next_period,
    period_start,
)
from tests.services.race import together

NOW = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "frequency", "expected"),
    [
        # Monthly keeps the anniversary and clamps without drifting.
        (_at(2026, 1, 31, 9), "monthly", ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]),
        (_at(2028, 1, 31, 9), "monthly", ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"]),
        (_at(2026, 11, 30, 9), "monthly", ["2026-11-30", "2026-12-30", "2027-01-30", "2027-02-28"]),
        # Yearly from a leap day: Feb 28 in other years, Feb 29 again in the next leap year.
        (_at(2028, 2, 29, 9), "yearly", ["2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28"]),
        (_at(2026, 12, 29, 9), "weekly", ["2026-12-29", "2027-01-05", "2027-01-12", "2027-01-19"]),
        (_at(2028, 2, 27, 9), "daily", ["2028-02-27", "2028-02-28", "2028-02-29", "2028-03-01"]),
        (_at(2026, 5, 17, 9), "one_off", ["2026-05-17"] * 4),
    ],
)
def test_period_starts_of_each_frequency(since, frequency, expected):
    starts = [period_start(since, frequency, n) for n in range(4)]
    assert [s.date().isoformat() for s in starts] == expected
    assert all(s.hour == 9 and s.tzinfo is not None for s in starts)
    assert period_start(_at(2028, 2, 29, 9), "yearly", 4).date().isoformat() == "2032-02-29"


def test_due_periods_only_up_to_now_one_off_once_and_the_backlog_capped():
    since = _at(2026, 1, 31, 9)
    assert [d.date().isoformat() for d in due_periods(since, "monthly", _at(2026, 3, 31, 8))] == [
        "2026-01-31",
        "2026-02-28",
    ]
    assert len(due_periods(since, "monthly", _at(2026, 3, 31, 9))) == 3  # the start is due
    assert due_periods(since, "monthly", _at(2026, 1, 30)) == []
    assert due_periods(since, "one_off", _at(2030, 1, 1)) == [since]
    assert due_periods(since, "one_off", _at(2030, 1, 1), after=since) == []
    years = due_periods(_at(2020, 1, 1), "daily", _at(2026, 1, 1))
    assert len(years) == MAX_BACKLOG and years[-1] == _at(2026, 1, 1)
    after = due_periods(since, "weekly", since + timedelta(days=21), after=since + timedelta(7))
    assert after == [since + timedelta(days=14), since + timedelta(days=21)]


def test_next_period_is_the_oldest_uncharged_or_the_next_start():
    since = _at(2026, 1, 31, 9)
    charged = _at(2026, 2, 28, 9)
    assert next_period(since, "monthly", _at(2026, 3, 1), after=charged) == _at(2026, 3, 31, 9)
    assert next_period(since, "monthly", _at(2026, 4, 1), after=charged) == _at(2026, 3, 31, 9)
    assert next_period(since, "one_off", _at(2026, 4, 1)) == since
    assert next_period(since, "one_off", _at(2026, 4, 1), after=since) is None


def _customer(db, name="Acme", currency="USD") -> Customer:
    customer = Customer(name=name, currency=currency)
    db.add(customer)
    db.commit()
    return customer


def _give(
    db,
    customer,
    *,
    name="Gold Plan",
    fee="19.00",
    frequency="monthly",
    since=None,
    enabled=True,
    auto_decrement=True,
):
    form = pk.PackageForm(
        name, "USD", fee, "0", frequency, enabled=enabled, auto_decrement=auto_decrement
    )
    package = pk.package_create(session=db, actor=SYSTEM, form=form)
    db.flush()
    if package.currency == customer.currency:
        cp.package_set(
            session=db, actor=SYSTEM, customer_id=customer.id, package_id=package.id, on=True
        )
    else:  # as a customer whose currency changed after the package was given
        db.add(CustomerPackage(customer_id=customer.id, package_id=package.id))
    db.flush()
    row = db.get(CustomerPackage, (customer.id, package.id))
    row.since = since or _at(2026, 9, 30, 12)
    db.commit()
    return package


def _entries(db, customer_id) -> list[LedgerEntry]:
    db.expire_all()
    return list(
        db.exec(
            select(LedgerEntry)
            .where(LedgerEntry.customer_id == customer_id)
            .order_by(LedgerEntry.id)
        ).all()
    )


def test_a_run_charges_the_due_periods_once_and_a_second_run_nothing(db, engine):
    customer = _customer(db)
    package = _give(db, customer)  # since 30 Sep: 30 Sep, 30 Oct, 30 Nov are due on 2 Dec
    first = pb.packages_charge(engine=engine, now=NOW)
    assert [d.period_start.date().isoformat() for d in first.charged] == [
        "2026-09-30",
        "2026-10-30",
        "2026-11-30",
    ]
    entries = _entries(db, customer.id)
    assert [(e.kind, e.amount, e.currency) for e in entries] == [("charge", -1900, "USD")] * 3
    assert [e.reference for e in entries] == [
        "Package Gold Plan, 2026-09-30",
        "Package Gold Plan, 2026-10-30",
        "Package Gold Plan, 2026-11-30",
    ]
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == -5700
    charges = db.exec(select(PackageCharge).order_by(PackageCharge.period_start)).all()
    assert [c.ledger_entry_id for c in charges] == [e.id for e in entries]
    audits = db.exec(select(AuditEvent).where(AuditEvent.action == "ledger.add")).all()
    assert [a.actor_label for a in audits] == ["system"] * 3

    second = pb.packages_charge(engine=engine, now=NOW + timedelta(hours=1))
    assert second.charged == [] and len(_entries(db, customer.id)) == 3
    due = cp.own_packages(session=db, actor=_contact(customer))[0].next_charge
    assert due == _at(2026, 12, 30, 12)
    assert pb.next_charges(session=db, customer_id=customer.id, now=NOW) == {
        package.id: _at(2026, 12, 30, 12)
    }

    third = pb.packages_charge(engine=engine, now=_at(2026, 12, 30, 12))
    assert len(third.charged) == 1
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == -5700 - 1900


def _contact(customer):
    from portal_app.services.identity import Actor

    return Actor(kind="contact", id=1, label="noc@example.com", customer_id=customer.id)


def test_a_one_off_package_is_charged_once_and_then_has_no_next_charge(db, engine):
    customer = _customer(db)
    package = _give(db, customer, name="Setup", fee="50.00", frequency="one_off")
    assert pb.next_charges(session=db, customer_id=customer.id, now=NOW) == {
        package.id: _at(2026, 9, 30, 12)
    }
    assert len(pb.packages_charge(engine=engine, now=NOW).charged) == 1
    assert pb.packages_charge(engine=engine, now=NOW + timedelta(days=400)).charged == []
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == -5000
    assert pb.next_charges(session=db, customer_id=customer.id, now=NOW) == {package.id: None}


@pytest.mark.parametrize("case", ["auto_decrement_off", "disabled", "other_currency", "template"])
def test_packages_that_must_not_be_charged_are_not(db, engine, case):
    customer = _customer(db, currency="EUR" if case == "other_currency" else "USD")
    if case == "template":  # a brand's Template Customer: its packages are only copied
        db.add(PortalDomain(host="t.example.com", brand_name="T", template_customer_id=customer.id))
        db.commit()
    package = _give(
        db,
        customer,
        auto_decrement=case != "auto_decrement_off",
        enabled=case != "disabled",
    )
    control = _give(db, _customer(db, "Control"), name="Control plan")  # positive control
    run = pb.packages_charge(engine=engine, now=NOW)
    assert [d.package_id for d in run.charged] == [control.id] * 3
    assert _entries(db, customer.id) == []
    assert pb.next_charges(session=db, customer_id=customer.id, now=NOW) == {package.id: None}
    assert run.skipped == (1 if case == "other_currency" else 0)


def _off_and_on(db, customer, package) -> None:
    for on in (False, True):
        cp.package_set(
            session=db, actor=SYSTEM, customer_id=customer.id, package_id=package.id, on=on
        )
        db.commit()


def test_a_package_given_back_within_a_paid_period_is_not_charged_again(db, engine):
    now = utcnow()
    customer = _customer(db)
    paid = _give(db, customer, since=now - timedelta(days=10))  # this month's to pay
    setup = _give(db, customer, name="Setup", fee="50.00", frequency="one_off")
    weekly = _give(
        db, customer, name="Weekly", fee="3.00", frequency="weekly", since=now - timedelta(20)
    )
    run = pb.packages_charge(engine=engine, now=now - timedelta(days=15))
    assert sorted(d.package_id for d in run.charged) == sorted([setup.id, weekly.id])
    _set(db, customer, weekly, False)  # off after its first week, which has ended since
    assert [d.package_id for d in pb.packages_charge(engine=engine, now=now).charged] == [paid.id]
    before = balance(session=db, actor=SYSTEM, customer_id=customer.id)
    for package in (paid, setup):
        _set(db, customer, package, False)
        _set(db, customer, package, True)
    _set(db, customer, weekly, True)
    run = pb.packages_charge(engine=engine, now=utcnow())
    # Positive control: the weekly one's paid week had ended, so it starts afresh.
    assert [d.package_id for d in run.charged] == [weekly.id]
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == before - 300
    nexts = pb.next_charges(session=db, customer_id=customer.id, now=utcnow())
    assert nexts[paid.id] == period_start(now - timedelta(days=10), "monthly", 1)
    assert nexts[setup.id] is None
    assert nexts[weekly.id] > now + timedelta(days=6)


def _set(db, customer, package, on: bool) -> None:
    cp.package_set(session=db, actor=SYSTEM, customer_id=customer.id, package_id=package.id, on=on)
    db.commit()


def _count(db, customer_id) -> int:
    db.expire_all()
    query = select(func.count()).select_from(LedgerEntry)
    return db.exec(query.where(LedgerEntry.customer_id == customer_id)).one()


def test_two_workers_charging_the_same_period_make_one_ledger_entry(db, engine):
    customer = _customer(db)
    _give(db, customer, since=_at(2026, 11, 30, 12))
    due, _ = pb.charges_due(session=db, now=NOW)
    assert len(due) == 1  # both workers read it as due before either charged it
    outcomes = together(engine, [lambda s: pb.package_charge(session=s, due=due[0])] * 2)
    assert sorted(type(o).__name__ for o in outcomes) == ["IntegrityError", "PackageCharge"]
    assert _count(db, customer.id) == 1
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == -1900

    # Positive control: the same two writers without the package_charge row both get
    # through, and the count above would have seen it.
    def bare(session):
        return ledger_record(
            session=session, actor=SYSTEM, customer_id=customer.id, kind="charge", amount="1"
        )

    together(engine, [bare, bare])
    assert _count(db, customer.id) == 3


def test_two_workers_running_the_charging_at_once_charge_each_period_once(db, engine):
    customers = [_customer(db, f"Customer {n}") for n in range(3)]
    for n, customer in enumerate(customers):
        _give(db, customer, name=f"Plan {n}", frequency="weekly", fee="2.50")
    runs: list[pb.Run] = []
    start = threading.Barrier(2)

    def work():
        start.wait()
        runs.append(pb.packages_charge(engine=engine, now=NOW))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    periods = len(due_periods(_at(2026, 9, 30, 12), "weekly", NOW))  # 10 weeks
    assert periods == 10
    assert sum(len(r.charged) for r in runs) == 3 * periods
    for customer in customers:
        assert _count(db, customer.id) == periods
        assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == -250 * periods
    total = db.exec(select(func.count()).select_from(PackageCharge)).one()
    assert total == 3 * periods
