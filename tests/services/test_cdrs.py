"""CDRs and rate cards on SQLite and PostgreSQL: imports checked row by row and all or
nothing, days in the viewer's zone across DST, keyset pages, totals and breakout, the
domain's columns, the route hidden from customers, and each customer's own calls only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from portal_app.models import Cdr, Customer, RateCard, RateEntry
from portal_app.services import cdr_breakout, cdr_export, cdrs
from portal_app.services.errors import PermissionDenied
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.imports import import_cdrs, import_rates
from portal_app.services.rates import card_create, customer_cards_set, customer_rates
from portal_app.services.usage import customer_daily

HEADER = "call_start,customer_id,dialled,duration,sip_call_id,currency,status,cost,route\n"


def customers(db: Session) -> tuple[Customer, Customer]:
    a, b = Customer(name="Alpha", currency="USD"), Customer(name="Bravo", currency="EUR")
    db.add_all([a, b])
    db.commit()
    return a, b


def contact_of(customer: Customer) -> Actor:
    return Actor(kind="contact", id=99, label="c@example.com", customer_id=customer.id)


def load(db: Session, text: str, progress=None):
    result = import_cdrs(session=db, actor=SYSTEM, lines=io.StringIO(text), progress=progress)
    if result.ok:
        db.commit()
    else:
        db.rollback()
    return result


def test_cdr_import_reports_every_bad_row_and_writes_nothing(db):
    a, b = customers(db)
    text = HEADER + "\n".join(
        [
            f"2026-11-25T10:00:00Z,{a.id},447700900001,60,id-1,USD,answered,0.05,R1",
            f"2026-11-25T10:00:00,{a.id},447700900002,60,id-2,USD,answered,0.05,R1",
            f"2026-11-25T10:01:00Z,{a.id},447700900003,60,id-1,USD,answered,0.05,R1",
            f"2026-11-25T10:02:00Z,{b.id},447700900004,60,id-4,USD,answered,0.05,R1",
            f"2026-11-25T10:03:00Z,{a.id},4477abc,60,id-5,USD,answered,0.05,R1",
            "2026-11-25T10:04:00Z,999999,447700900006,60,id-6,USD,answered,0.05,R1",
            f"2026-11-25T10:05:00Z,{a.id},447700900007,-3,id-7,USD,answered,0.05,R1",
            f"2026-11-25T10:06:00Z,{a.id},447700900008,60,id-8,USD,ringing,0.05,R1",
        ]
    )
    result = load(db, text)
    assert not result.ok and result.imported == 0
    assert [line for line, _ in result.errors] == [3, 4, 5, 6, 7, 8, 9]
    messages = dict(result.errors)
    assert "zone" in messages[3] and "repeats line 2" in messages[4]
    assert "currency USD is not the customer's (EUR)" in messages[5]
    assert "digits" in messages[6] and "does not exist" in messages[7]
    assert "negative" in messages[8] and "status" in messages[9]
    assert db.exec(select(func.count()).select_from(Cdr)).one() == 0


def test_cdr_import_writes_a_good_file_and_refuses_it_twice(db):
    a, _ = customers(db)
    rows = [
        f"2026-11-25T10:{n % 60:02d}:00+01:00,{a.id},4477009{n:05d},{n},call-{n},,"
        f"answered,0.0123,R{n % 3}"
        for n in range(1, 1201)
    ]
    seen = []
    result = load(db, HEADER + "\n".join(rows), progress=lambda done, total: seen.append(done))
    assert result.ok and result.imported == 1200 and seen[-1] == 1200
    first = db.exec(select(Cdr).where(Cdr.sip_call_id == "call-1")).one()
    assert first.call_start == datetime(2026, 11, 25, 9, 1, tzinfo=UTC)
    assert first.cost == 12_300 and first.currency == "USD"
    again = load(db, HEADER + rows[5])
    assert again.errors == [(2, "sip_call_id call-6 was imported before")]
    missing = load(db, "call_start,dialled\n2026-11-25T10:00:00Z,44\n")
    assert missing.errors[0][0] == 1 and "customer_id" in missing.errors[0][1]


def test_days_are_the_viewers_days_across_daylight_saving(db):
    spring = cdrs.day_range(date(2026, 3, 29), date(2026, 3, 29), "Europe/London")
    autumn = cdrs.day_range(date(2026, 10, 25), date(2026, 10, 25), "Europe/London")
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    assert autumn[0] == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    a, _ = customers(db)
    # 23:30 UTC on the 24th is 00:30 BST on the 25th; 23:30 UTC on the 25th is the 25th
    # in London still (GMT again), 00:30 UTC on the 26th is the 26th.
    for n, at in enumerate(
        [
            "2026-10-24T22:30:00Z",
            "2026-10-24T23:30:00Z",
            "2026-10-25T23:30:00Z",
            "2026-10-26T00:30:00Z",
        ]
    ):
        db.add(
            Cdr(
                customer_id=a.id,
                call_start=datetime.fromisoformat(at),
                dialled="44",
                sip_call_id=f"d{n}",
            )
        )
    db.commit()
    query = cdrs.CdrQuery(customer_id=a.id, start=autumn[0], end=autumn[1])
    rows, _ = cdrs.cdr_page(session=db, actor=SYSTEM, query=query)
    assert sorted(r.sip_call_id for r in rows) == ["d1", "d2"]
    text = "".join(
        cdr_export.cdr_csv(
            session=db, actor=SYSTEM, query=query, columns=["call_start"], tz="Europe/London"
        )
    )
    assert "2026-10-25 00:30:00" in text and "2026-10-25 23:30:00" in text
    assert text.splitlines()[0].startswith("Call start (Europe/London)")


def _calls(db: Session, customer: Customer, n: int, at: datetime, **kw) -> None:
    for i in range(n):
        db.add(
            Cdr(
                customer_id=customer.id,
                call_start=at,  # all at the same second: the id breaks ties
                dialled=f"4420{i:07d}",
                destination="UK" if i % 2 else "France",
                prefix="44" if i % 2 else "33",
                status="answered" if i % 4 else "busy",
                duration=60 if i % 4 else 0,
                billed_duration=60 if i % 4 else 0,
                cost=10_000 if i % 4 else 0,
                currency=customer.currency,
                route="SecretCarrier",
                sip_call_id=f"{customer.name}-{i}",
                **kw,
            )
        )
    db.commit()


def test_keyset_pages_are_complete_and_disjoint_even_with_equal_times(db):
    a, b = customers(db)
    at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    _calls(db, a, 23, at)
    _calls(db, b, 5, at)
    query = cdrs.CdrQuery(
        customer_id=a.id, start=at - timedelta(hours=1), end=at + timedelta(hours=1)
    )
    seen, cursor = [], None
    while True:
        rows, cursor = cdrs.cdr_page(session=db, actor=SYSTEM, query=query, after=cursor, limit=5)
        seen += [r.sip_call_id for r in rows]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 23 and all(s.startswith("Alpha-") for s in seen)
    totals = cdrs.cdr_totals(session=db, actor=SYSTEM, query=query)
    assert (totals.calls, totals.answered) == (23, 17)
    assert totals.asr == pytest.approx(100 * 17 / 23) and totals.acd == 60
    # The export reads in keyset batches too, oldest first: a batch of 5 splits the ties.
    text = cdr_export.cdr_csv(
        session=db, actor=SYSTEM, query=query, columns=["dialled"], tz="UTC", batch_size=5
    )
    dialled = [line.split(",")[0] for line in "".join(text).splitlines()[1:]]
    assert dialled == [f"4420{i:07d}" for i in range(23)]
    rows = cdr_breakout.breakout(session=db, actor=SYSTEM, query=query)
    assert {r.key: (r.calls, r.connected) for r in rows} == {"UK": (11, 11), "France": (12, 6)}
    assert rows[0].key == "UK"  # costliest first


def test_columns_follow_the_domain_and_the_route_never_reaches_a_customer(db):
    a, b = customers(db)
    at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    _calls(db, a, 3, at)
    query = cdrs.CdrQuery(
        customer_id=a.id, start=at - timedelta(hours=1), end=at + timedelta(hours=1)
    )
    chosen = ["cost", "dialled", "call_start"]
    contact = contact_of(a)
    assert cdrs.columns_for(chosen, contact) == chosen
    assert cdrs.columns_for(chosen, SYSTEM) == [*chosen, "route"]
    customer_csv = "".join(
        cdr_export.cdr_csv(session=db, actor=contact, query=query, columns=chosen, tz="UTC")
    )
    table = list(csv.reader(io.StringIO(customer_csv)))
    assert table[0] == ["Cost", "Called number", "Call start (UTC)"]
    assert "SecretCarrier" not in customer_csv and table[2][0] == "0.01"
    assert cdrs.cell(db.exec(select(Cdr)).first(), "route", cdrs.zone("UTC"), contact) == ""
    operator_csv = "".join(
        cdr_export.cdr_csv(session=db, actor=SYSTEM, query=query, columns=chosen, tz="UTC")
    )
    assert "SecretCarrier" in operator_csv
    # A contact never reads another customer's calls, whatever it asks for.
    other = cdrs.CdrQuery(customer_id=b.id, start=query.start, end=query.end)
    for read in (cdrs.cdr_page, cdrs.cdr_totals, cdr_breakout.breakout):
        with pytest.raises(PermissionDenied):
            read(session=db, actor=contact, query=other)
    with pytest.raises(PermissionDenied):
        next(cdr_export.cdr_csv(session=db, actor=contact, query=other, columns=[], tz="UTC"))
    nobody = Actor(kind="operator", id=5, label="x@example.com", grants={"customer": "allow"})
    with pytest.raises(PermissionDenied):
        cdrs.cdr_page(session=db, actor=nobody, query=query)


def test_daily_folds_hours_into_the_viewers_days(db):
    a, _ = customers(db)
    today = cdrs.today("Asia/Kolkata")
    local_noon = datetime.combine(
        today, datetime.min.time(), cdrs.zone("Asia/Kolkata")
    ) + timedelta(hours=12)
    _calls(db, a, 8, local_noon.astimezone(UTC))
    points = customer_daily(session=db, actor=SYSTEM, customer_id=a.id, days=7, tz="Asia/Kolkata")
    assert len(points) == 7 and points[-1].day == today.isoformat()
    assert points[-1].calls == 8 and points[-1].minutes == 6.0 and points[-1].cost == 60_000
    assert sum(p.calls for p in points[:-1]) == 0


def test_rate_import_and_the_prices_in_force(db):
    a, b = customers(db)
    card = card_create(session=db, actor=SYSTEM, name="Retail USD", currency="USD")
    db.commit()
    bad = (
        "prefix,destination,rate,increments,effective_from\n"
        "44,UK,0.01,60/1,2026-01-01\n"
        "x4,UK,0.01,60/1,\n"
        "44,UK,0.02,60/1,2026-01-01\n"
        "447,UK Mobile,abc,60/1,\n"
        "33,France,0.01,0/1,\n"
    )
    result = import_rates(session=db, actor=SYSTEM, card_id=card.id, lines=io.StringIO(bad))
    db.rollback()
    assert [line for line, _ in result.errors] == [3, 4, 5, 6]
    assert db.exec(select(func.count()).select_from(RateEntry)).one() == 0
    good = (
        "prefix,destination,rate,connection_fee,increments,effective_from\n"
        "44,United Kingdom,0.0100,0,60/1,2026-01-01\n"
        "44,United Kingdom,0.0090,0,60/1,2026-06-01\n"
        "44,United Kingdom,0.0080,0,60/1,2099-01-01\n"
        "447,United Kingdom Mobile,0.0300,0.002,1/1,2026-01-01\n"
    )
    result = import_rates(session=db, actor=SYSTEM, card_id=card.id, lines=io.StringIO(good))
    db.commit()
    assert result.ok and result.imported == 4
    customer_cards_set(session=db, actor=SYSTEM, customer_id=a.id, card_ids=[card.id])
    db.commit()
    page = customer_rates(session=db, actor=contact_of(a), customer_id=a.id)
    assert [(r.prefix, r.rate) for r in page.rows] == [("44", 9_000), ("447", 30_000)]
    assert (
        customer_rates(session=db, actor=contact_of(a), customer_id=a.id, search="mob").total == 1
    )
    with pytest.raises(PermissionDenied):
        customer_rates(session=db, actor=contact_of(b), customer_id=a.id)
    from portal_app.services.errors import Conflict

    with pytest.raises(Conflict):  # a USD card for a EUR customer
        customer_cards_set(session=db, actor=SYSTEM, customer_id=b.id, card_ids=[card.id])
    assert db.exec(select(RateCard)).one().name == "Retail USD"
