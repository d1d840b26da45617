"""The demo world at carrier scale, loaded in bulk for the state-size test.

The demo data (operators, brands, customers with portal contacts, rate cards) first,
then ``CDRS`` calls through the demo generator (``portal demo --cdrs N``), so the demo
customers the contacts belong to hold thousands of calls each; then ``CUSTOMERS`` more
customers on the demo brands (both kinds, every status) and ``RATES`` more rates on the
card Bluebird Call Centre is billed on. Rows go in with one multi-row INSERT per table, as
bench/bench_customers.py loads them, so the whole load takes seconds.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.demo import DEMO_CONTACTS, demo_cdrs, demo_load
from portal_app.models import (
    Contact,
    Customer,
    CustomerRateCard,
    OperatorUser,
    PortalDomain,
    RateEntry,
)
from portal_app.models.base import utcnow
from portal_app.services.sessions import session_create

CUSTOMERS = 20_000
CDRS = 100_000
RATES = 50_000
STATUSES = ["active"] * 7 + ["pending", "suspended", "rejected"]


@dataclasses.dataclass(frozen=True)
class World:
    operator_token: str
    contact_token: str
    contact_host: str  # the brand host the contact logs in under
    customer_id: int  # the contact's customer (thousands of calls, the big rate card)
    card_id: int  # the rate card with RATES entries
    domain_id: int


def load_world(db: Session) -> World:
    assert demo_load(session=db)
    db.commit()
    engine = db.get_bind()
    demo_cdrs(engine, CDRS, seed=11)
    customer_name, _name, email, *_ = DEMO_CONTACTS[0]
    customer = db.exec(select(Customer).where(Customer.name == customer_name)).one()
    domain_ids = list(db.exec(select(PortalDomain.id)).all())
    rnd = random.Random(14)
    now = utcnow()
    rows = [
        {
            "name": f"Bulk {rnd.choice(['River', 'Summit', 'Nova', 'Apex'])} Telecom {i}",
            "kind": "carrier" if rnd.random() < 0.2 else "customer",
            "status": rnd.choice(STATUSES),
            "currency": rnd.choice(["USD", "EUR", "GBP"]),
            "credit_limit": rnd.randrange(0, 100_000),
            "company_name": f"Bulk Company {i} Ltd",
            "address": "",
            "country": "GB",
            "domain_id": rnd.choice(domain_ids),
            "portal_access": {},
            "created_at": now,
        }
        for i in range(CUSTOMERS)
    ]
    card_id = db.exec(
        select(CustomerRateCard.card_id).where(CustomerRateCard.customer_id == customer.id)
    ).first()
    since = datetime(2026, 1, 1, tzinfo=UTC)
    rates = [
        {
            "card_id": card_id,
            "prefix": f"9{i:07d}",
            "destination": f"Bulk destination {i}",
            "rate": 1000 + i,
            "connection_fee": 0,
            "increment_first": 60,
            "increment_next": 1,
            "effective_from": since,
        }
        for i in range(RATES)
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(Customer.__table__), rows)
        conn.execute(sa.insert(RateEntry.__table__), rates)
    admin = db.exec(select(OperatorUser).order_by(OperatorUser.id)).first()
    contact = db.exec(select(Contact).where(Contact.email == email)).one()
    operator_token = session_create(session=db, user_id=admin.id)
    contact_token = session_create(session=db, user_id=contact.id, principal="contact")
    db.commit()
    domain = db.get(PortalDomain, customer.domain_id)
    return World(
        operator_token=operator_token,
        contact_token=contact_token,
        contact_host=domain.host,
        customer_id=customer.id,
        card_id=card_id,
        domain_id=domain.id,
    )
