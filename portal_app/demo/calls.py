"""Demo rate cards and realistic call records, fast enough for a million rows.

Calls follow a working-day curve over the last days, about 55 % are answered with
exponentially distributed durations, and each is rated on its customer's card (60/1
billing plus the connection fee). Rows go in through the DB-API ``executemany`` in
large batches: a million take well under a minute on SQLite.
"""

from __future__ import annotations

import math
import random
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import CarrierRoute, Cdr, Customer, CustomerRateCard, RateCard, RateEntry
from portal_app.services.call_rollups import rollup_refresh
from portal_app.services.money import parse_micros

from .data import DEMO_CARRIER_ROUTES

# prefix, destination, USD per minute
DESTINATIONS = [
    ("1", "USA", "0.0060"),
    ("1212", "USA New York", "0.0055"),
    ("27", "South Africa", "0.0520"),
    ("33", "France", "0.0105"),
    ("336", "France Mobile", "0.0420"),
    ("44", "United Kingdom", "0.0120"),
    ("447", "United Kingdom Mobile", "0.0350"),
    ("49", "Germany", "0.0110"),
    ("4915", "Germany Mobile", "0.0480"),
    ("52", "Mexico", "0.0150"),
    ("61", "Australia", "0.0190"),
    ("81", "Japan", "0.0450"),
    ("86", "China", "0.0120"),
    ("91", "India", "0.0180"),
    ("234", "Nigeria", "0.1100"),
    ("971", "United Arab Emirates", "0.1300"),
]
OUTCOMES = [  # status, release reason, weight
    ("answered", "16 Normal call clearing", 55),
    ("no_answer", "19 No answer", 20),
    ("busy", "17 User busy", 12),
    ("failed", "34 No circuit available", 10),
    ("cancelled", "487 Request terminated", 3),
]
ROUTES = ["CarrierA-LON", "CarrierB-FRA", "CarrierC-NYC"]
EUR_PER_USD = "0.92"
CONNECTION_FEE = 2_000  # micro-units: 0.002 a call


def demo_rate_cards(*, session: Session) -> dict[str, RateCard]:
    """One standard card per currency the customers use, assigned to each of them."""
    from decimal import ROUND_HALF_UP, Decimal

    customers = session.exec(select(Customer)).all()
    cards: dict[str, RateCard] = {}
    since = datetime(2026, 1, 1, tzinfo=UTC)
    for currency in sorted({c.currency for c in customers}):
        card = RateCard(name=f"Standard {currency}", currency=currency)
        session.add(card)
        session.flush()
        factor = Decimal(EUR_PER_USD) if currency == "EUR" else Decimal(1)
        for prefix, name, usd in DESTINATIONS:
            session.add(
                RateEntry(
                    card_id=card.id,
                    prefix=prefix,
                    destination=name,
                    rate=int((parse_micros(usd, "USD") * factor).to_integral_value(ROUND_HALF_UP)),
                    connection_fee=CONNECTION_FEE,
                    increment_first=60,
                    increment_next=1,
                    effective_from=since,
                )
            )
        cards[currency] = card
    for customer in customers:
        session.add(CustomerRateCard(customer_id=customer.id, card_id=cards[customer.currency].id))
    by_name = {c.name: c for c in customers}
    for name, route in DEMO_CARRIER_ROUTES:  # each carrier is paid on its currency's card
        carrier = by_name[name]
        session.add(
            CarrierRoute(customer_id=carrier.id, route=route, card_id=cards[carrier.currency].id)
        )
    return cards


def _weights_by_hour() -> list[float]:
    """Calls per hour of the day: quiet at night, busy in working hours."""
    return [0.15 + math.exp(-((h - 13) ** 2) / 18) for h in range(24)]


def demo_cdrs(engine: sa.Engine, count: int, *, days: int = 30, seed: int = 7) -> float:
    """Add ``count`` calls over the last ``days`` days for every active customer with a
    portal domain (carriers send more). Returns the seconds it took."""
    started = time.perf_counter()
    rnd = random.Random(seed)
    with Session(engine) as session:
        from portal_app.models import PortalDomain

        templates = select(PortalDomain.template_customer_id).where(
            PortalDomain.template_customer_id.is_not(None)
        )
        # Only active customers make calls: not sign-ups waiting for approval, not templates.
        customers = session.exec(
            select(Customer.id, Customer.currency, Customer.kind).where(
                Customer.domain_id.is_not(None),
                Customer.status == "active",
                Customer.id.not_in(templates),
            )
        ).all()
        rates = {
            (cid, e.prefix): (e.rate, e.connection_fee)
            for cid, e in session.exec(
                select(CustomerRateCard.customer_id, RateEntry).join(
                    RateEntry, RateEntry.card_id == CustomerRateCard.card_id
                )
            ).all()
        }
        first_id = (session.exec(select(sa.func.max(Cdr.id))).one() or 0) + 1
    if not customers:
        return 0.0
    weights = [5 if kind == "carrier" else 1 for _, _, kind in customers]
    hours = _weights_by_hour()
    outcome_names = [o[:2] for o in OUTCOMES]
    outcome_weights = [o[2] for o in OUTCOMES]
    now = datetime.now(UTC).replace(microsecond=0)
    base = (now - timedelta(days=days)).replace(minute=0, second=0)
    span_hours = days * 24
    hour_weights = [hours[(base + timedelta(hours=h)).hour] for h in range(span_hours)]
    cols = [c.name for c in Cdr.__table__.columns if c.name != "id"]
    sql = f"INSERT INTO cdr ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    picks_customer = rnd.choices(customers, weights, k=count)
    picks_hour = rnd.choices(range(span_hours), hour_weights, k=count)
    picks_outcome = rnd.choices(outcome_names, outcome_weights, k=count)
    picks_dest = rnd.choices(DESTINATIONS, k=count)
    batch: list[tuple] = []
    # One transaction: the calls and their rollups (services/call_rollups.py) together.
    with engine.begin() as conn:
        cur = conn.connection.driver_connection.cursor()
        if engine.dialect.name != "sqlite":
            sql = sql.replace("?", "%s")
        for i in range(count):
            cid, currency, _ = picks_customer[i]
            prefix, name, _ = picks_dest[i]
            status, reason = picks_outcome[i]
            at = base + timedelta(hours=picks_hour[i], seconds=rnd.randrange(3600))
            if at > now:
                at = now - timedelta(seconds=rnd.randrange(3600))
            rate, fee = rates.get((cid, prefix), (0, 0))
            if status == "answered":
                seconds = min(3600, int(rnd.expovariate(1 / 150)) + 1)
                billed = max(60, seconds)
                cost = fee + rate * billed // 60
            else:
                seconds = billed = cost = 0
            number = prefix + str(rnd.randrange(10**7, 10**8))
            batch.append(
                (
                    cid,
                    at,
                    "outbound",
                    f"4420{cid:04d}{i % 10000:04d}",
                    number,
                    name,
                    prefix,
                    seconds,
                    billed,
                    rate,
                    cost,
                    currency,
                    status,
                    reason,
                    rnd.randrange(800, 4000),
                    ROUTES[i % len(ROUTES)],
                    f"demo-{seed}-{first_id + i}@sbc.example",
                )
            )
            if len(batch) >= 20_000:
                cur.executemany(sql, _adapt(batch, engine))
                batch.clear()
        if batch:
            cur.executemany(sql, _adapt(batch, engine))
        rollup_refresh(conn, base, now, now + timedelta(hours=1))
    return time.perf_counter() - started


def _adapt(batch: list[tuple], engine: sa.Engine) -> list[tuple]:
    """SQLite gets times as the ISO text the UTCDateTime column type stores."""
    if engine.dialect.name != "sqlite":
        return batch
    return [(r[0], r[1].strftime("%Y-%m-%d %H:%M:%S.000000"), *r[2:]) for r in batch]
