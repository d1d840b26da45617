"""The balance runway: available money against the last 7 days' call cost, in the
customer's own currency, readable only by whoever may read the balance."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from portal_app.models import Cdr, Customer, LedgerEntry
from portal_app.services.errors import PermissionDenied
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.runway import balance_runway

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_IDS = itertools.count(1)


def _customer(db, currency="USD", credit_limit=0, money=0, name="Runway Co") -> Customer:
    customer = Customer(name=name, currency=currency, credit_limit=credit_limit)
    db.add(customer)
    db.flush()
    if money:
        db.add(
            LedgerEntry(
                customer_id=customer.id,
                amount=money,
                currency=currency,
                kind="payment",
                actor_label="test",
            )
        )
    db.commit()
    return customer


def _call(db, customer, days_ago: float, cost_micros: int) -> None:
    db.add(
        Cdr(
            customer_id=customer.id,
            call_start=NOW - timedelta(days=days_ago),
            dialled="+442079460000",
            cost=cost_micros,
            currency=customer.currency,
            sip_call_id=f"runway-{customer.id}-{next(_IDS)}",
        )
    )
    db.commit()


def _runway(db, customer, actor=SYSTEM):
    return balance_runway(session=db, actor=actor, customer_id=customer.id, now=NOW)


def test_days_left_at_the_last_seven_days_spend(db):
    customer = _customer(db, money=3000, credit_limit=500)  # $35.00 available
    for day in range(7):
        _call(db, customer, day + 0.5, 1_000_000)  # $1.00 a day for a week
    _call(db, customer, 8, 500_000_000)  # older than the window: not counted
    runway = _runway(db, customer)
    assert (runway.available, runway.daily_spend, runway.days) == (3500, 100, 35.0)
    assert runway.text == "About 35 days at the last 7 days' spend ($1.00 a day)."


@pytest.mark.parametrize(
    ("money", "week_micros", "text"),
    [
        (0, 0, "No calls cost anything in the last 7 days."),
        (-200, 7_000_000, "Nothing left to spend, at the last 7 days' $1.00 a day."),
        (50, 7_000_000, "Less than a day at the last 7 days' spend ($1.00 a day)."),
        (100, 7_000_000, "About 1 day at the last 7 days' spend ($1.00 a day)."),
        (400_00, 7_000_000, "More than a year at the last 7 days' spend ($1.00 a day)."),
    ],
)
def test_runway_words(db, money, week_micros, text):
    customer = _customer(db, money=money)
    if week_micros:
        _call(db, customer, 1, week_micros)
    assert _runway(db, customer).text == text


def test_a_currency_without_minor_units(db):
    customer = _customer(db, currency="JPY", money=10_000)  # ¥10,000
    _call(db, customer, 2, 7_000 * 1_000_000)  # ¥7,000 in a week: ¥1,000 a day
    runway = _runway(db, customer)
    assert (runway.daily_spend, runway.days) == (1000, 10.0)
    assert runway.text == "About 10 days at the last 7 days' spend (¥1,000 a day)."


def test_only_whoever_reads_the_balance_reads_the_runway(db):
    mine, other = _customer(db, money=100), _customer(db, money=100, name="Other Co")
    contact = Actor(kind="contact", id=1, label="c@example.test", customer_id=mine.id)
    assert _runway(db, mine, contact).available == 100  # positive control
    with pytest.raises(PermissionDenied):
        _runway(db, other, contact)
    nobody = Actor(kind="operator", id=9, label="dns@example.test", grants={"portal": "allow"})
    with pytest.raises(PermissionDenied):
        _runway(db, mine, nobody)


def test_the_week_is_exact_at_its_ends_between_quarter_hours(db):
    """The spend comes from the quarter-hour rollups plus the calls of the part-quarters
    at both ends: a call a second inside either end counts, a second outside does not."""
    now = datetime(2026, 11, 20, 12, 7, 30, tzinfo=UTC)  # mid-quarter
    customer = _customer(db, money=100_000)
    week = timedelta(days=7)
    for at, micros in [
        (now - week - timedelta(seconds=1), 400_000_000),  # a second too old
        (now - week + timedelta(seconds=1), 1_000_000),  # in the first part-quarter
        (now - week + timedelta(minutes=8), 2_000_000),  # the first whole quarter
        (now - timedelta(days=3), 3_000_000),
        (now - timedelta(seconds=1), 4_000_000),  # in the last part-quarter
        (now, 800_000_000),  # the window is half-open
    ]:
        _call(db, customer, (NOW - at) / timedelta(days=1), micros)
    runway = balance_runway(session=db, actor=SYSTEM, customer_id=customer.id, now=now)
    assert (runway.daily_spend, runway.days) == (143, 700.0)  # $10.00 a week: $1.43 a day


def test_the_runway_and_the_statement_see_the_sessions_own_unflushed_entry(db):
    # They read on the cursor (services/cursor_reads.py), past the ORM: they must still see
    # what this session added and has not flushed, as an ORM query would.
    from portal_app.services.ledger import ledger_page

    customer = _customer(db, money=100)
    assert _runway(db, customer).available == 100  # before: the committed entry only
    db.add(
        LedgerEntry(
            customer_id=customer.id, amount=250, currency="USD", kind="credit", actor_label="t"
        )
    )
    assert _runway(db, customer).available == 350
    rows, total = ledger_page(session=db, actor=SYSTEM, customer_id=customer.id)
    assert (total, [r.amount for r in rows]) == (2, [250, 100])
