"""The Carrier Portal on a real database (SQLite and PostgreSQL): a carrier's contact sees
the calls it sent and the calls that left on its own routes, day by day, the rates of
its routes' cards, and nothing of other carriers or customers; customers have no such
section; operators name a carrier's routes (unique, audited, Carrier permission)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app.models import AuditEvent, Cdr, Customer, PortalDomain, RateCard, RateEntry
from portal_app.services import carrier_portal as cpt
from portal_app.services import carrier_routes as routes
from portal_app.services.customers import effective_access
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor

DAY = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
NO_CARRIER = Actor(kind="operator", id=9, label="op@example.com", grants={"customer": "allow"})


def _cdr(customer: Customer, n: int, route: str, at: datetime, **kw) -> Cdr:
    return Cdr(
        customer_id=customer.id,
        call_start=at,
        cli=f"CLI-{customer.name}-{n}",
        dialled=f"4420{n:07d}",
        destination="United Kingdom",
        prefix="44",
        duration=90,
        billed_duration=120,
        rate=12_000,
        cost=kw.pop("cost", 24_000),
        currency="USD",
        route=route,
        sip_call_id=f"{customer.name}-{route}-{n}",
        **kw,
    )


def _seed(db):
    domain = PortalDomain(host="carriers.example.test", brand_name="Acme", status="verified")
    db.add(domain)
    db.flush()
    zeta = Customer(name="Zeta Carrier", kind="carrier", currency="USD", domain_id=domain.id)
    omega = Customer(name="Omega Carrier", kind="carrier", currency="USD", domain_id=domain.id)
    shop = Customer(name="Shop Retail", currency="USD", domain_id=domain.id)
    db.add_all([zeta, omega, shop])
    db.flush()
    card = RateCard(name="Zeta supplier", currency="USD")
    other_card = RateCard(name="Omega supplier", currency="USD")
    db.add_all([card, other_card])
    db.flush()
    since = datetime(2026, 1, 1, tzinfo=UTC)
    db.add_all(
        [
            RateEntry(
                card_id=card.id, prefix="44", destination="UK", rate=9_000, effective_from=since
            ),
            RateEntry(
                card_id=card.id, prefix="33", destination="France", rate=8_000, effective_from=since
            ),
            RateEntry(
                card_id=other_card.id,
                prefix="49",
                destination="Germany",
                rate=7_777,
                effective_from=since,
            ),
        ]
    )
    db.commit()
    routes.carrier_route_add(
        session=db, actor=SYSTEM, customer_id=zeta.id, route="ZETA-LON", card_id=card.id
    )
    routes.carrier_route_add(
        session=db, actor=SYSTEM, customer_id=omega.id, route="OMEGA-FRA", card_id=other_card.id
    )
    # Shop sends 3 calls on Zeta's route and 2 on Omega's; Zeta sends 4 on Omega's.
    rows = [_cdr(shop, i, "ZETA-LON", DAY + timedelta(minutes=i), cost=99_000) for i in range(3)]
    rows += [_cdr(shop, 10 + i, "OMEGA-FRA", DAY + timedelta(minutes=i)) for i in range(2)]
    rows += [_cdr(zeta, 20 + i, "OMEGA-FRA", DAY + timedelta(days=1, minutes=i)) for i in range(4)]
    rows.append(_cdr(shop, 30, "ZETA-LON", DAY + timedelta(days=40)))  # next month: not shown
    db.add_all(rows)
    db.commit()
    actor = Actor(kind="contact", id=1, label="noc@zeta.example", customer_id=zeta.id)
    return zeta, omega, shop, actor


def test_a_carrier_sees_its_traffic_both_ways_and_nothing_else(db):
    zeta, omega, shop, actor = _seed(db)
    start, end = cpt.month_range(DAY.date().replace(day=1), "UTC")
    received, cursor = cpt.traffic_received(session=db, actor=actor, start=start, end=end)
    assert len(received) == 3 and cursor is None
    assert {r.route for r in received} == {"ZETA-LON"}
    text = str([tuple(r) for r in received])
    # Never the customer who sent it, its caller number or its price.
    assert "Shop" not in text and "CLI-" not in text and "99000" not in text
    assert not hasattr(received[0], "cost") and not hasattr(received[0], "customer_id")
    sent, _ = cpt.traffic_sent(session=db, actor=actor, start=start, end=end)
    assert len(sent) == 4 and {r.customer_id for r in sent} == {zeta.id}
    days = {
        d.day: d for d in cpt.traffic_days(session=db, actor=actor, first=start.date(), tz="UTC")
    }
    assert len(days) == 30
    assert (days["2026-11-10"].received_calls, days["2026-11-10"].received_seconds) == (3, 360)
    assert (days["2026-11-11"].sent_calls, days["2026-11-11"].sent_cost) == (4, 96_000)
    assert sum(d.received_calls for d in days.values()) == 3
    # Keyset pages: two pages of two, then the end.
    page1, after = cpt.traffic_received(session=db, actor=actor, start=start, end=end, limit=2)
    page2, after2 = cpt.traffic_received(
        session=db, actor=actor, start=start, end=end, limit=2, after=after
    )
    assert len(page1) == 2 and len(page2) == 1 and after2 is None
    assert {r.id for r in page1}.isdisjoint({r.id for r in page2})
    rates = cpt.supplier_rates(session=db, actor=actor)
    assert [(r.prefix, r.rate) for r in rates.rows] == [("33", 8_000), ("44", 9_000)]
    assert cpt.supplier_rates(session=db, actor=actor, search="fra").total == 1
    assert cpt.route_names(session=db, actor=actor) == ["ZETA-LON"]


def test_customers_have_no_carrier_portal(db):
    zeta, omega, shop, _actor = _seed(db)
    domain = db.get(PortalDomain, shop.domain_id)
    domain.access = ["balance", "carrier_portal"]
    assert "carrier_portal" in effective_access(zeta, domain)
    assert effective_access(shop, domain) == ["balance"]
    shop.portal_access = {"carrier_portal": "show"}  # not even by an override
    assert "carrier_portal" not in effective_access(shop, domain)
    buyer = Actor(kind="contact", id=2, label="a@shop.example", customer_id=shop.id)
    start, end = cpt.month_range(DAY.date().replace(day=1), "UTC")
    for fn in (cpt.traffic_received, cpt.traffic_sent):
        with pytest.raises(PermissionDenied):
            fn(session=db, actor=buyer, start=start, end=end)
    with pytest.raises(PermissionDenied):
        cpt.supplier_rates(session=db, actor=buyer)
    with pytest.raises(PermissionDenied):  # an operator is no carrier contact
        cpt.route_names(session=db, actor=SYSTEM)


def test_routes_are_unique_audited_and_need_the_carrier_permission(db):
    zeta, omega, shop, _actor = _seed(db)
    errors = pytest.raises(ValidationError)
    with errors as info:
        routes.carrier_route_add(
            session=db, actor=SYSTEM, customer_id=omega.id, route="ZETA-LON", card_id=None
        )
    assert "already a route of Zeta Carrier" in info.value.fields["carrier_route"]
    with pytest.raises(PermissionDenied):  # a customer has no routes
        routes.carrier_route_add(
            session=db, actor=SYSTEM, customer_id=shop.id, route="SHOP", card_id=None
        )
    with pytest.raises(PermissionDenied):
        routes.carrier_routes_list(session=db, actor=NO_CARRIER, customer_id=zeta.id)
    [(row, card)] = routes.carrier_routes_list(session=db, actor=SYSTEM, customer_id=zeta.id)
    assert (row.route, card) == ("ZETA-LON", "Zeta supplier")
    routes.carrier_route_delete(session=db, actor=SYSTEM, route_id=row.id)
    db.commit()
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity_id == str(zeta.id))).all()
    assert sorted(actions) == ["customer.carrier_route_add", "customer.carrier_route_delete"]
