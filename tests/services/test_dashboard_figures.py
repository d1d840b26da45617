"""The dashboard's carrier figures (services/dashboard.py), on SQLite and PostgreSQL:
today's calls, minutes, ASR and ACD, and the customers near their credit limit (only the
kinds the operator may see)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app.models import Cdr, Customer
from portal_app.models.base import utcnow
from portal_app.services.dashboard import customers_near_limit, traffic_since
from portal_app.services.errors import PermissionDenied
from portal_app.services.identity import SYSTEM
from portal_app.services.ledger import ledger_add


def _call(db, customer_id: int, n: int, *, status: str, seconds: int, ago: timedelta):
    db.add(
        Cdr(
            customer_id=customer_id,
            call_start=utcnow() - ago,
            dialled="442071234567",
            duration=seconds,
            billed_duration=seconds,
            status=status,
            sip_call_id=f"dash-{n}",
        )
    )


def test_traffic_counts_calls_minutes_asr_and_acd_since_a_moment(db):
    customer = Customer(name="Caller", currency="USD")
    db.add(customer)
    db.commit()
    for n, (status, seconds) in enumerate([("answered", 60), ("answered", 180), ("busy", 0)]):
        _call(db, customer.id, n, status=status, seconds=seconds, ago=timedelta(minutes=n + 1))
    _call(db, customer.id, 9, status="answered", seconds=600, ago=timedelta(days=2))
    db.commit()
    since = utcnow() - timedelta(hours=1)
    t = traffic_since(session=db, actor=SYSTEM, since=since)
    assert (t.calls, t.answered, t.billed_seconds) == (3, 2, 240)
    assert round(t.asr, 1) == 66.7 and t.acd == 120.0
    empty = traffic_since(session=db, actor=SYSTEM, since=utcnow() + timedelta(hours=1))
    assert (empty.calls, empty.asr, empty.acd) == (0, 0.0, 0.0)


def test_near_the_limit_means_at_most_a_tenth_of_it_left(db, make_user, make_group, as_actor):
    rows = {
        "Nearly": ("customer", 10_000, "charge", "95"),  # $5 of $100 left
        "Over": ("customer", 10_000, "charge", "120"),  # -$20
        "Fine": ("customer", 10_000, "charge", "10"),
        "No limit": ("customer", 0, "charge", "10"),  # prepaid: not a credit question
        "Carrier": ("carrier", 10_000, "charge", "99"),
    }
    for name, (kind, limit, entry, amount) in rows.items():
        customer = Customer(name=name, kind=kind, currency="USD", credit_limit=limit)
        db.add(customer)
        db.commit()
        ledger_add(session=db, actor=SYSTEM, customer_id=customer.id, kind=entry, amount=amount)
    db.add(Customer(name="Suspended", currency="USD", credit_limit=100, status="suspended"))
    db.commit()
    near = customers_near_limit(session=db, actor=SYSTEM)
    assert [(r.name, r.available) for r in near] == [
        ("Over", -2_000),
        ("Carrier", 100),
        ("Nearly", 500),
    ]
    sales = as_actor(make_user(group=make_group({"customer": "allow"})))
    assert [r.name for r in customers_near_limit(session=db, actor=sales)] == ["Over", "Nearly"]
    nobody = as_actor(make_user())
    with pytest.raises(PermissionDenied):
        customers_near_limit(session=db, actor=nobody)
    with pytest.raises(PermissionDenied):
        traffic_since(session=db, actor=sales)
