"""The call rollups equal the raw CDRs after every write path, on SQLite and PostgreSQL:
a CSV import, a failed one, one taken back out after a clash, a re-import of
duplicates, ORM writes and deletes, a deleted customer and the demo generator. The
expected figures are recomputed here from the CDRs by a different method (bisecting
sorted starts and ends for the peaks), not by the code under test."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import chain

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import (
    AccountRollup,
    CallPeak,
    CallRollup,
    CallRollupDay,
    Cdr,
    Customer,
    PortalDomain,
)
from portal_app.services.call_rollups import PEAK_HORIZON, peaks, rollup_rebuild
from portal_app.services.errors import Conflict
from portal_app.services.identity import SYSTEM
from portal_app.services.imports import import_cdrs
from tests.services.import_child import cdr_lines

Q = timedelta(minutes=15)


def _q(at: datetime) -> datetime:
    return at - timedelta(minutes=at.minute % 15, seconds=at.second, microseconds=at.microsecond)


def raw(db: Session) -> dict:
    """Every rollup as the CDRs say it should be."""
    rows = db.exec(
        select(
            Cdr.customer_id,
            Cdr.call_start,
            Cdr.currency,
            Cdr.status,
            Cdr.duration,
            Cdr.billed_duration,
            Cdr.cost,
            Customer.kind,
        ).join(Customer, Customer.id == Cdr.customer_id)
    ).all()
    quarter, day, account = (defaultdict(lambda: [0] * 5) for _ in range(3))
    calls = {"all": [], "customer": []}
    for cid, at, cur, status, seconds, billed, cost, kind in rows:
        values = (1, int(status == "answered"), seconds, billed, cost)
        for table, key in (
            (quarter, (cid, _q(at), cur)),
            (day, (cid, at.date(), cur)),
            (account, (kind, _q(at), cur)),
        ):
            table[key] = [a + b for a, b in zip(table[key], values, strict=True)]
        if seconds:
            call = (at, at + min(timedelta(seconds=seconds), PEAK_HORIZON))
            calls["all"].append(call)
            if kind != "carrier":
                calls["customer"].append(call)
    peak = {}
    for scope, intervals in calls.items():
        starts = sorted(s for s, _ in intervals)
        ends = sorted(e for _, e in intervals)
        instants = set(starts)
        for s, e in intervals:  # the quarter starts a call is carried over
            b = _q(s) + Q
            while b < e:
                instants.add(b)
                b += Q
        for t in instants:
            n = bisect.bisect_right(starts, t) - bisect.bisect_right(ends, t)
            if n:
                key = (scope, _q(t))
                peak[key] = max(peak.get(key, 0), n)
    return {
        "quarter": {k: v for k, v in quarter.items()},
        "day": dict(day),
        "account": dict(account),
        "peak": peak,
    }


def stored(db: Session) -> dict:
    db.commit()
    sums = ("calls", "answered", "seconds", "billed_seconds", "cost")

    def table(model, keys):
        return {
            tuple(getattr(r, k) for k in keys): [getattr(r, s) for s in sums]
            for r in db.exec(select(model)).all()
        }

    return {
        "quarter": table(CallRollup, ("customer_id", "bucket_start", "currency")),
        "day": table(CallRollupDay, ("customer_id", "day", "currency")),
        "account": table(AccountRollup, ("kind", "bucket_start", "currency")),
        "peak": {(r.scope, r.bucket_start): r.peak for r in db.exec(select(CallPeak)).all()},
    }


def assert_in_step(db: Session) -> dict:
    expected, found = raw(db), stored(db)
    for name in expected:
        assert found[name] == expected[name], name
    return found


def _customer(db: Session, name: str = "Rollup Shop", kind: str = "customer") -> int:
    customer = Customer(name=name, currency="USD", kind=kind)
    db.add(customer)
    db.commit()
    return customer.id


def test_peaks_count_carried_calls_and_ends_before_starts():
    t0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    calls = [
        (t0 + timedelta(minutes=14), t0 + timedelta(minutes=40)),  # carried into 10:15
        (t0 + timedelta(minutes=20), t0 + timedelta(minutes=25)),
        (t0 + timedelta(minutes=25), t0 + timedelta(minutes=26)),  # starts as one ends
    ]
    found = peaks(calls, t0, t0 + timedelta(hours=1))
    assert found == {t0: 1, t0 + Q: 2, t0 + 2 * Q: 1}


def test_an_import_and_its_failures_keep_the_rollups_equal_to_the_calls(db, engine):
    shop = _customer(db)
    carrier = _customer(db, "Rollup Carrier", "carrier")
    lines = chain(cdr_lines(shop, 3000, "r"), list(cdr_lines(carrier, 400, "rc"))[1:])
    result = import_cdrs(session=db, actor=SYSTEM, lines=lines)
    assert result.imported == 3400
    before = assert_in_step(db)
    assert sum(v[0] for v in before["quarter"].values()) == 3400
    assert before["peak"] and before["peak"] != {
        k: v for k, v in before["peak"].items() if k[0] == "all"
    }  # the carrier's calls make the scopes differ
    # A re-import of the same file: every row is a duplicate, nothing changes.
    again = import_cdrs(session=db, actor=SYSTEM, lines=cdr_lines(shop, 3000, "r"))
    assert again.imported == 0 and again.error_count == 3000
    assert assert_in_step(db) == before
    # A file with one bad row fails whole.
    bad = chain(cdr_lines(shop, 50, "bad"), ["2026-11-02T00:00:00Z,nope,44,1,bad-x,0\n"])
    assert not import_cdrs(session=db, actor=SYSTEM, lines=bad).ok
    assert assert_in_step(db) == before


def test_an_import_taken_back_out_after_a_clash_leaves_the_rollups_as_before(db, engine):
    cid = _customer(db)
    late = f"2027-01-01T00:00:00Z,{cid},4420,60,g-late,0\n"
    written: list[int] = []

    def progress(done: int, total: int) -> None:
        if total and 0 < done < total and not written:  # after the first chunk: published
            written.append(done)
            assert stored(db)["quarter"]  # the first chunk's rollups are there meanwhile
            with Session(engine) as other:
                at = datetime(2027, 1, 1, tzinfo=UTC)
                other.add(
                    Cdr(
                        customer_id=cid,
                        call_start=at,
                        dialled="44",
                        duration=30,
                        sip_call_id="g-late",
                    )
                )
                other.commit()

    with pytest.raises(Conflict, match="clashed"):
        import_cdrs(
            session=db,
            actor=SYSTEM,
            lines=chain(cdr_lines(cid, 6000, "g"), [late]),
            progress=progress,
        )
    found = assert_in_step(db)
    assert written and sum(v[0] for v in found["quarter"].values()) == 1  # the other's call


def test_orm_writes_deletes_and_a_deleted_customer_follow(db):
    shop, other = _customer(db), _customer(db, "Other Shop")
    at = datetime(2026, 11, 3, 23, 50, tzinfo=UTC)
    for i, cid in enumerate([shop, shop, other, other, shop]):
        db.add(
            Cdr(
                customer_id=cid,
                call_start=at + timedelta(minutes=3 * i),
                dialled="44",
                duration=600,
                billed_duration=600,
                cost=1000 * (i + 1),
                status="answered",
                sip_call_id=f"orm-{i}",
            )
        )
    db.commit()
    found = assert_in_step(db)
    # 23:50 ends as 00:00 begins; 23:53, 23:56, 23:59 carried in; 00:02 starts: 4
    assert found["peak"][("all", datetime(2026, 11, 4, 0, 0, tzinfo=UTC))] == 4
    first = db.exec(select(Cdr).where(Cdr.sip_call_id == "orm-0")).one()
    first.call_start += timedelta(hours=2)
    first.cost = 7
    db.commit()
    assert_in_step(db)
    db.delete(db.exec(select(Cdr).where(Cdr.sip_call_id == "orm-1")).one())
    db.commit()
    assert_in_step(db)
    db.delete(db.get(Customer, other))
    db.commit()
    found = assert_in_step(db)
    assert {k[0] for k in found["quarter"]} == {shop}


def test_a_customer_that_becomes_a_carrier_moves_its_calls_between_kinds(db):
    shop, carrier = _customer(db), _customer(db, "Wholesale", kind="carrier")
    at = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    for i, cid in enumerate([shop, carrier, shop, shop]):
        db.add(
            Cdr(
                customer_id=cid,
                call_start=at + timedelta(hours=6 * i, minutes=5),
                dialled="44",
                duration=900,
                billed_duration=900,
                cost=100 * (i + 1),
                status="answered",
                sip_call_id=f"kind-{i}",
            )
        )
    db.commit()
    before = assert_in_step(db)
    assert {k[0] for k in before["account"]} == {"customer", "carrier"}
    customer = db.get(Customer, shop)
    customer.kind = "carrier"
    db.commit()
    found = assert_in_step(db)
    assert {k[0] for k in found["account"]} == {"carrier"}  # positive control: it moved
    assert not any(k[0] == "customer" for k in found["peak"])
    # Back again, with one of its calls changed in the same flush.
    customer.kind = "customer"
    call = db.exec(select(Cdr).where(Cdr.sip_call_id == "kind-2")).one()
    call.call_start += timedelta(days=1)
    call.cost = 9
    db.commit()
    assert_in_step(db)


def test_the_demo_generator_and_a_rebuild_agree_with_the_calls(db, engine):
    from portal_app.demo.calls import demo_cdrs

    domain = PortalDomain(host="rollups.localhost", brand_name="Rollups")
    db.add(domain)
    db.commit()
    for name in ("Demo One", "Demo Two"):
        db.add(Customer(name=name, currency="USD", domain_id=domain.id, status="active"))
    db.commit()
    demo_cdrs(engine, 1500, days=3)
    found = assert_in_step(db)
    assert sum(v[0] for v in found["quarter"].values()) == 1500
    with engine.begin() as conn:
        conn.execute(sa.delete(CallPeak.__table__))
        rollup_rebuild(conn)
    assert stored(db) == found
