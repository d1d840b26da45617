"""Carrier data needs the Carrier permission in every area (services/policy.py): the
dashboard's spend, CDR reports and their CSV (and the Route column, which names the
carrier a call left on), balances, rates and the Template Customer chooser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import Area, Cdr, Customer, PaymentAttempt, PaymentGateway
from portal_app.models.base import utcnow
from portal_app.services import cdr_breakout, cdr_export, cdrs
from portal_app.services.customer_search import customer_pick, customer_search
from portal_app.services.dashboard import top_customers
from portal_app.services.errors import PermissionDenied
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.ledger import balance, ledger_add, ledger_csv, ledger_page
from portal_app.services.payment_admin import payment_list, payment_refund, payments_waiting
from portal_app.services.policy import hidden_kinds, sees_carriers, sees_routes
from portal_app.services.rates import customer_rates
from portal_app.services.signup_templates import template_preview


def operator(**grants: str) -> Actor:
    return Actor(kind="operator", id=7, label="op@example.com", grants=grants)


CDR_ONLY = operator(cdr="allow", card="allow", payment="allow", portal="allow", customer="allow")
WITH_CARRIER = operator(cdr="allow", payment="allow", portal="allow", carrier="allow")


def seed(db: Session) -> tuple[Customer, Customer]:
    shop = Customer(name="Shop Retail", currency="USD")
    carrier = Customer(name="Transit Zeta", kind="carrier", currency="USD")
    db.add_all([shop, carrier])
    db.commit()
    at = utcnow() - timedelta(hours=2)
    for who, n, cost in ((shop, 3, 10_000), (carrier, 5, 777_000)):
        for i in range(n):
            db.add(
                Cdr(
                    customer_id=who.id,
                    call_start=at + timedelta(seconds=i),
                    dialled=f"4420{i:07d}",
                    destination="UK",
                    prefix="44",
                    duration=60,
                    billed_duration=60,
                    cost=cost,
                    currency="USD",
                    route="RouteViaZeta",
                    sip_call_id=f"{who.name}-{i}",
                )
            )
    ledger_add(session=db, actor=SYSTEM, customer_id=carrier.id, kind="payment", amount="123.45")
    db.commit()
    return shop, carrier


def query_for(customer: Customer) -> cdrs.CdrQuery:
    now = utcnow()
    return cdrs.CdrQuery(customer_id=customer.id, start=now - timedelta(days=1), end=now)


def test_the_rule_itself():
    contact = Actor(kind="contact", id=1, label="c@example.com", customer_id=3)
    assert sees_carriers(SYSTEM) and sees_carriers(WITH_CARRIER)
    assert not sees_carriers(CDR_ONLY) and not sees_routes(contact)
    assert hidden_kinds(CDR_ONLY) == ("carrier",)
    assert hidden_kinds(WITH_CARRIER) == () and hidden_kinds(contact) == ()


def test_dashboard_leaves_carriers_out_of_ranks_and_totals(db):
    seed(db)
    [usd] = top_customers(session=db, actor=CDR_ONLY, days=7)
    assert [r.name for r in usd.top] == ["Shop Retail"]
    assert (usd.calls, usd.cost) == (3, 30_000)  # the carrier's 5 calls and spend are absent
    [usd] = top_customers(session=db, actor=WITH_CARRIER, days=7)
    assert [r.name for r in usd.top] == ["Transit Zeta", "Shop Retail"]
    assert (usd.calls, usd.cost) == (8, 30_000 + 5 * 777_000)


def test_cdr_reports_of_a_carrier_and_the_route_need_the_carrier_permission(db):
    shop, carrier = seed(db)
    for read in (cdrs.cdr_page, cdrs.cdr_totals, cdr_breakout.breakout):
        with pytest.raises(PermissionDenied):
            read(session=db, actor=CDR_ONLY, query=query_for(carrier))
    with pytest.raises(PermissionDenied):
        cdrs.report_setup(session=db, actor=CDR_ONLY, customer_id=carrier.id)
    with pytest.raises(PermissionDenied):
        next(
            cdr_export.cdr_csv(
                session=db, actor=CDR_ONLY, query=query_for(carrier), columns=[], tz="UTC"
            )
        )
    # A customer's report: allowed, without the route.
    assert "route" not in cdrs.columns_for([], CDR_ONLY)
    rows, _ = cdrs.cdr_page(session=db, actor=CDR_ONLY, query=query_for(shop))
    assert len(rows) == 3 and cdrs.cell(rows[0], "route", cdrs.zone("UTC"), CDR_ONLY) == ""
    text = "".join(
        cdr_export.cdr_csv(session=db, actor=CDR_ONLY, query=query_for(shop), columns=[], tz="UTC")
    )
    assert "RouteViaZeta" not in text and "Route" not in text.splitlines()[0]
    # The positive control: the Carrier permission shows both.
    assert cdrs.columns_for([], WITH_CARRIER)[-1] == "route"
    text = "".join(
        cdr_export.cdr_csv(
            session=db, actor=WITH_CARRIER, query=query_for(shop), columns=[], tz="UTC"
        )
    )
    assert "RouteViaZeta" in text
    totals = cdrs.cdr_totals(session=db, actor=WITH_CARRIER, query=query_for(carrier))
    assert totals.calls == 5


def test_balances_rates_and_choosers_hide_carriers(db):
    shop, carrier = seed(db)
    for read in (balance, ledger_page, ledger_csv):
        with pytest.raises(PermissionDenied):
            read(session=db, actor=CDR_ONLY, customer_id=carrier.id)
    assert balance(session=db, actor=WITH_CARRIER, customer_id=carrier.id) == 123_45
    assert balance(session=db, actor=CDR_ONLY, customer_id=shop.id) == 0
    with pytest.raises(PermissionDenied):
        customer_rates(session=db, actor=CDR_ONLY, customer_id=carrier.id)
    assert customer_rates(session=db, actor=CDR_ONLY, customer_id=shop.id).total == 0
    areas = (Area.PORTAL, Area.CUSTOMER)  # the Template Customer picker's
    names = [c.name for c in customer_search(session=db, actor=CDR_ONLY, text="t", areas=areas)]
    assert names == ["Shop Retail"]
    assert len(customer_search(session=db, actor=SYSTEM, text="t", areas=areas)) == 2
    pick = customer_pick(session=db, actor=CDR_ONLY, customer_id=carrier.id, areas=areas)
    assert pick is None
    pick = customer_pick(session=db, actor=WITH_CARRIER, customer_id=carrier.id, areas=areas)
    assert pick is not None and pick.name == "Transit Zeta"
    assert template_preview(session=db, actor=CDR_ONLY, template_customer_id=carrier.id) is None
    preview = template_preview(session=db, actor=WITH_CARRIER, template_customer_id=carrier.id)
    assert preview is not None and preview.template == "Transit Zeta"


def test_a_carriers_payments_need_the_carrier_permission(db):
    shop, carrier = seed(db)
    gateway = PaymentGateway(
        provider="stripe", name="Cards", mode="test", public_key="pk_test_x", currencies=["USD"]
    )
    db.add(gateway)
    db.flush()
    for who in (shop, carrier):
        db.add(
            PaymentAttempt(
                customer_id=who.id,
                gateway_id=gateway.id,
                gateway_name="Cards",
                provider="stripe",
                amount=1000,
                currency="USD",
                status="pending",
                idempotency_key=f"carrier-data-{who.id}",
            )
        )
    db.commit()
    rows, total = payment_list(session=db, actor=WITH_CARRIER)
    assert total == 2 and {r["customer"] for r in rows} == {"Shop Retail", "Transit Zeta"}
    assert payments_waiting(session=db, actor=WITH_CARRIER)[0] == 2
    rows, total = payment_list(session=db, actor=CDR_ONLY)
    assert total == 1 and [r["customer"] for r in rows] == ["Shop Retail"]
    assert payments_waiting(session=db, actor=CDR_ONLY)[0] == 1
    carriers_attempt = db.exec(
        select(PaymentAttempt).where(PaymentAttempt.customer_id == carrier.id)
    ).one()
    with pytest.raises(PermissionDenied):
        payment_refund(session=db, actor=CDR_ONLY, attempt_id=carriers_attempt.id)
