"""Usage and daily charts from the rollups, in half-hour and 45-minute zones: calls a
minute either side of local midnight land on different local days (and, the positive
control, on one UTC day); the account's Usage per day and month, peaks and carriers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from portal_app.models import Cdr, Customer
from portal_app.services import usage
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor

CDR_ONLY = Actor(kind="operator", id=7, label="cdr@example.com", grants={"cdr": "allow"})
REPORT_ONLY = Actor(kind="operator", id=8, label="r@example.com", grants={"report": "allow"})
SALES = Actor(kind="operator", id=9, label="s@example.com", grants={"customer": "allow"})
DAY = date(2026, 11, 20)


def _customer(db: Session, name: str, kind: str = "customer", currency: str = "USD") -> int:
    customer = Customer(name=name, currency=currency, kind=kind)
    db.add(customer)
    db.commit()
    return customer.id


def _call(db: Session, cid: int, at: datetime, n: int, seconds: int = 120, cost: int = 1000):
    db.add(
        Cdr(
            customer_id=cid,
            call_start=at,
            dialled="44",
            duration=seconds,
            billed_duration=seconds,
            cost=cost,
            currency=db.get(Customer, cid).currency,
            status="answered" if seconds else "busy",
            sip_call_id=f"usage-{cid}-{n}",
        )
    )


def _midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)


@pytest.mark.parametrize("tz", ["Asia/Kolkata", "Asia/Kathmandu"])
def test_a_minute_either_side_of_local_midnight_is_two_local_days(db, tz):
    cid = _customer(db, "Zone Shop")
    day = usage.today(tz)  # the viewer's today, so the chart of the last days shows it
    midnight = _midnight(day, tz)  # 18:30 or 18:15 UTC the day before
    assert midnight.minute in (30, 15)
    _call(db, cid, midnight - timedelta(minutes=1), 1)
    _call(db, cid, midnight + timedelta(minutes=1), 2, cost=5000)
    db.commit()
    before = (midnight - timedelta(minutes=1)).date()
    assert before == (midnight + timedelta(minutes=1)).date()  # one UTC day (control)
    local = usage.periods(day - timedelta(days=1), day, tz)
    assert [p.lo for p in local][1] == midnight
    rows = usage.usage_report(
        session=db, actor=SYSTEM, first=day - timedelta(days=1), last=day, tz=tz
    )
    assert [(r.label, r.calls, r.spend) for r in rows] == [
        ((day - timedelta(days=1)).isoformat(), 1, {"USD": 1000}),
        (day.isoformat(), 1, {"USD": 5000}),
    ]
    utc = usage.usage_report(session=db, actor=SYSTEM, first=before, last=before, tz="UTC")
    assert [(r.calls, r.spend) for r in utc] == [(2, {"USD": 6000})]
    # The customer's own chart (the portal Overview) folds the same way.
    points = usage.customer_daily(session=db, actor=SYSTEM, customer_id=cid, days=3, tz=tz)
    assert [(p.day, p.calls, p.cost) for p in points][-2:] == [
        ((day - timedelta(days=1)).isoformat(), 1, 1000),
        (day.isoformat(), 1, 5000),
    ]
    flat = usage.customer_daily(session=db, actor=SYSTEM, customer_id=cid, days=3, tz="UTC")
    assert [p.calls for p in flat if p.day == before.isoformat()] == [2]


def test_usage_per_month_with_peaks_currencies_and_carriers_hidden(db):
    shop = _customer(db, "Usage Shop")
    euro = _customer(db, "Usage Euro", currency="EUR")
    carrier = _customer(db, "Usage Carrier", "carrier")
    at = datetime(2026, 10, 31, 18, 20, tzinfo=UTC)  # 00:05 on 1 November in Kathmandu
    for n, cid in enumerate([shop, euro, carrier, carrier]):
        _call(db, cid, at + timedelta(minutes=n), n, seconds=600, cost=2_000_000)
    _call(db, shop, datetime(2026, 11, 15, 9, tzinfo=UTC), 9, seconds=0, cost=0)
    db.commit()
    rows = usage.usage_report(
        session=db,
        actor=SYSTEM,
        first=date(2026, 10, 1),
        last=date(2026, 11, 30),
        tz="Asia/Kathmandu",
        by="month",
    )
    assert [r.label for r in rows] == ["2026-10", "2026-11"]
    october, november = rows
    assert october.calls == 0 and october.peak == 0
    assert (november.calls, november.answered, november.billed_seconds) == (5, 4, 2400)
    assert november.spend == {"USD": 6_000_000, "EUR": 2_000_000} and november.peak == 4
    [hidden] = usage.usage_report(
        session=db,
        actor=CDR_ONLY,
        first=date(2026, 11, 1),
        last=date(2026, 11, 30),
        tz="Asia/Kathmandu",
        by="month",
    )
    assert (hidden.calls, hidden.peak, hidden.spend) == (3, 2, {"USD": 2_000_000, "EUR": 2_000_000})
    usage.usage_check(REPORT_ONLY)
    contact = Actor(kind="contact", id=1, label="c@example.com", customer_id=shop)
    for who in (SALES, contact):
        with pytest.raises(PermissionDenied):
            usage.usage_report(session=db, actor=who, first=DAY, last=DAY, tz="UTC")


def test_the_period_is_checked():
    assert usage.parse_period("2026-01-01", "2026-03-31", "day")[2] == "day"
    for first, last, by, key in [
        ("2026-01-01", "2026-06-01", "day", "last"),
        ("2024-01-01", "2026-06-01", "month", "last"),
        ("yesterday", "2026-06-01", "day", "first"),
        ("2026-06-02", "2026-06-01", "month", "last"),
    ]:
        with pytest.raises(ValidationError) as err:
            usage.parse_period(first, last, by)
        assert key in err.value.fields
