"""Automatic top-up against localstripe, on SQLite and PostgreSQL: a card saved through
a SetupIntent, one off-session payment per threshold crossing however many charges
race, credited once through the settle path, declines retried with back-off and the
top-up off after three, every outcome emailed; the domain's switch and the customer's
own ids are respected."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, func, select

from portal_app.models import (
    AuditEvent,
    AutoTopup,
    Contact,
    Customer,
    LedgerEntry,
    OutboxMessage,
    PaymentAttempt,
    PaymentCredit,
    PortalDomain,
)
from portal_app.models.base import utcnow
from portal_app.services import autotopup as svc
from portal_app.services.autotopup_run import autotopup_due, autotopup_run_one
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.ledger import balance, ledger_record
from tests import stripeserver as ls
from tests.services.race import together
from tests.services.test_payments import make_gateway

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # saves fine, every charge is declined


def make_contact(db: Session, name: str = "Bluebird", *, allowed: bool = True) -> Actor:
    domain = PortalDomain(
        host=f"{name.lower()}.example.test",
        brand_name=name,
        auto_topup=allowed,
        access=["balance", "payments"],
    )
    db.add(domain)
    db.flush()
    customer = Customer(name=name, currency="USD", domain_id=domain.id)
    db.add(customer)
    db.flush()
    contact = Contact(customer_id=customer.id, name="Bea", email=f"bea@{name.lower()}.example")
    db.add(contact)
    db.commit()
    return Actor(kind="contact", id=contact.id, label=contact.email, customer_id=customer.id)


def browser_confirms(base: str, client_secret: str, card: str) -> None:
    """What Stripe.js's confirmCardSetup does with the card fields."""
    seti = client_secret.split("_secret_")[0]
    httpx.post(
        f"{base}/v1/setup_intents/{seti}/confirm",
        auth=(ls.SECRET_KEY, ""),
        data={
            "client_secret": client_secret,
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": card,
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "2040",
            "payment_method_data[card][cvc]": "123",
        },
    ).raise_for_status()


def save_card(db: Session, base: str, who: Actor, card: str = GOOD_CARD) -> str:
    public_key, secret = svc.autotopup_card_start(session=db, actor=who)
    db.commit()
    assert public_key == ls.PUBLIC_KEY and secret.startswith("seti_")
    browser_confirms(base, secret, card)
    label = svc.autotopup_card_saved(session=db, actor=who)
    db.commit()
    return label


def set_up(db: Session, base: str, card: str = GOOD_CARD, **contact) -> Actor:
    make_gateway(db, min_amount="5", surcharge_percent="", surcharge_fixed="")
    who = make_contact(db, **contact)
    assert save_card(db, base, who, card) == f"visa •••• {card[-4:]}"
    svc.autotopup_configure(session=db, actor=who, threshold="10", amount="25", enabled=True)
    db.commit()
    ledger_record(
        session=db, actor=SYSTEM, customer_id=who.customer_id, kind="payment", amount="12"
    )
    db.commit()
    return who


def charge(customer_id: int, amount: str = "1"):
    return lambda s: ledger_record(
        session=s, actor=SYSTEM, customer_id=customer_id, kind="charge", amount=amount
    )


def mails(db: Session, kind: str) -> int:
    db.expire_all()
    return db.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
    ).one()


def topup(db: Session, customer_id: int) -> AutoTopup:
    db.expire_all()
    return db.exec(select(AutoTopup).where(AutoTopup.customer_id == customer_id)).one()


def test_concurrent_charges_make_one_payment_credited_once(db, engine, stripe_api):
    who = set_up(db, stripe_api)
    cid = who.customer_id
    assert autotopup_due(session=db) == []  # a payment in does not trigger anything
    together(engine, [charge(cid) for _ in range(8)])  # 12 → 4: crosses 10 once
    assert autotopup_due(session=db) == [cid]
    assert topup(db, cid).run == 1
    outcomes = together(engine, [lambda s: autotopup_run_one(cid, engine=engine)] * 4)
    assert sorted(outcomes) == ["paid", "skipped", "skipped", "skipped"]
    db.expire_all()
    attempts = db.exec(select(PaymentAttempt).where(PaymentAttempt.customer_id == cid)).all()
    assert [(a.amount, a.status) for a in attempts] == [(2500, "succeeded")]
    assert db.exec(select(func.count()).select_from(PaymentCredit)).one() == 1
    assert balance(session=db, actor=SYSTEM, customer_id=cid) == 400 + 2500
    assert mails(db, "auto_topup_paid") == 1 and mails(db, "payment_receipt") == 0
    row = topup(db, cid)
    assert (row.state, row.failures, row.enabled) == ("idle", 0, True)
    # Settling the same payment again (a late webhook) credits nothing more.
    assert autotopup_run_one(cid, engine=engine) == "skipped"
    payments = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "payment")
    assert db.exec(payments).one() == 2  # the 12.00 and the one top-up


def test_declines_back_off_then_turn_off_with_an_email_each_time(db, engine, stripe_api):
    who = set_up(db, stripe_api, card=DECLINED_CARD, name="Redwing")
    cid = who.customer_id
    with Session(engine) as s:
        charge(cid, "5")(s)
        s.commit()
    now = utcnow()
    assert autotopup_run_one(cid, now=now, engine=engine) == "failed"
    row = topup(db, cid)
    assert (row.state, row.failures) == ("retry", 1)
    assert row.next_try_at == now + timedelta(minutes=15)
    assert autotopup_due(session=db, now=now + timedelta(minutes=14)) == []
    assert autotopup_run_one(cid, now=now + timedelta(minutes=14), engine=engine) == "skipped"
    later = now + timedelta(minutes=16)
    assert autotopup_due(session=db, now=later) == [cid]
    assert autotopup_run_one(cid, now=later, engine=engine) == "failed"
    assert topup(db, cid).next_try_at == later + timedelta(hours=2)
    last = later + timedelta(hours=3)
    assert autotopup_run_one(cid, now=last, engine=engine) == "off"
    row = topup(db, cid)
    assert (row.enabled, row.state, row.failures) == (False, "idle", 3)
    assert mails(db, "auto_topup_failed") == 2 and mails(db, "auto_topup_off") == 1
    statuses = db.exec(select(PaymentAttempt.status).where(PaymentAttempt.customer_id == cid))
    assert list(statuses) == ["failed"] * 3
    assert balance(session=db, actor=SYSTEM, customer_id=cid) == 700  # nothing credited
    with Session(engine) as s:  # off: further charges trigger nothing
        charge(cid, "1")(s)
        s.commit()
    assert autotopup_due(session=db, now=last + timedelta(days=1)) == []


def test_domain_switch_off_triggers_nothing(db, engine, stripe_api):
    who = set_up(db, stripe_api, name="Kestrel")
    cid = who.customer_id
    domain = db.get(PortalDomain, db.get(Customer, cid).domain_id)
    domain.auto_topup = False
    db.commit()
    with Session(engine) as s:
        charge(cid, "5")(s)
        s.commit()
    assert autotopup_due(session=db) == [] and topup(db, cid).state == "idle"
    assert svc.autotopup_get(session=db, actor=who) == {"offered": False}
    with pytest.raises(PermissionDenied):
        svc.autotopup_configure(session=db, actor=who, threshold="1", amount="9", enabled=True)
    # On, but the customer is not shown the Payments section: still nothing.
    domain.auto_topup, customer = True, db.get(Customer, cid)
    customer.portal_access = {"payments": "hide"}
    db.commit()
    with Session(engine) as s:
        charge(cid, "1")(s)
        s.commit()
    assert autotopup_due(session=db) == []
    # Positive control: allowed again, the next charge does trigger.
    customer.portal_access = {}
    db.commit()
    with Session(engine) as s:
        charge(cid, "1")(s)
        s.commit()
    assert autotopup_due(session=db) == [cid]


def test_bad_input_is_refused_next_to_the_field_and_audited_when_good(db, stripe_api):
    make_gateway(db, min_amount="5", max_amount="500")
    who = make_contact(db, name="Osprey")
    with pytest.raises(ValidationError) as refused:
        svc.autotopup_configure(session=db, actor=who, threshold="ten", amount="2", enabled=True)
    assert set(refused.value.fields) == {"threshold", "amount", "card"}
    assert "minimum" in refused.value.fields["amount"]
    save_card(db, stripe_api, who)
    svc.autotopup_configure(session=db, actor=who, threshold="10", amount="25", enabled=True)
    db.commit()
    view = svc.autotopup_get(session=db, actor=who)
    assert (view["card"], view["threshold"], view["amount"]) == ("visa •••• 4242", "10.00", "25.00")
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity == "customer")).all()
    assert {"autotopup.card", "autotopup.configure"} <= set(actions)
    assert "pm_" not in str(db.exec(select(AuditEvent.after)).all())


def test_another_customers_setup_intent_is_refused(db, stripe_api):
    make_gateway(db)
    alice, bob = make_contact(db, name="Alice"), make_contact(db, name="Bobcat")
    _key, secret = svc.autotopup_card_start(session=db, actor=alice)
    db.commit()
    browser_confirms(stripe_api, secret, GOOD_CARD)
    svc.autotopup_card_start(session=db, actor=bob)
    db.commit()
    bobs = topup(db, bob.customer_id)
    bobs.setup_ref = secret.split("_secret_")[0]  # Alice's SetupIntent, however it got here
    db.commit()
    with pytest.raises(PermissionDenied):
        svc.autotopup_card_saved(session=db, actor=bob)
    db.rollback()
    assert topup(db, bob.customer_id).payment_method == ""
    assert svc.autotopup_card_saved(session=db, actor=alice) == "visa •••• 4242"
    operator = Actor(kind="operator", id=1, label="op", grants={"payment": "allow"})
    with pytest.raises(PermissionDenied):
        svc.autotopup_get(session=db, actor=operator)


def test_the_task_pays_and_a_crossing_wakes_it_after_commit(db, engine, stripe_api):
    from portal_app.services.autotopup_trigger import autotopup_on_due
    from portal_app.tasks import autotopups_run

    who = set_up(db, stripe_api, name="Swift")
    woken: list[int] = []
    stop = autotopup_on_due(lambda: woken.append(1))
    try:
        with Session(engine) as s:
            charge(who.customer_id, "1")(s)  # 12 → 11: above the threshold
            s.commit()
        assert woken == []
        with Session(engine) as s:
            charge(who.customer_id, "3")(s)  # 11 → 8: crosses
            assert woken == []  # not before the commit
            s.commit()
        assert woken == [1]
    finally:
        stop()
    assert autotopups_run(engine) == ["paid"]
    assert autotopups_run(engine) == []
    assert balance(session=db, actor=SYSTEM, customer_id=who.customer_id) == 800 + 2500


def test_a_run_left_behind_by_a_dead_worker_moves_on_from_its_attempt(db, engine, stripe_api):
    who = set_up(db, stripe_api, name="Tern")
    cid = who.customer_id
    with Session(engine) as s:
        charge(cid, "5")(s)
        s.commit()
    assert autotopup_run_one(cid, engine=engine) == "paid"
    row = topup(db, cid)
    row.state, row.updated_at = "running", utcnow() - timedelta(minutes=30)  # died after paying
    db.commit()
    assert autotopup_due(session=db) == []
    db.commit()
    assert topup(db, cid).state == "idle"  # its attempt succeeded: nothing to pay again
    attempt = db.get(PaymentAttempt, topup(db, cid).last_attempt_id)
    attempt.status = "failed"
    db.commit()
    row = topup(db, cid)
    row.state, row.updated_at = "running", utcnow() - timedelta(minutes=30)
    db.commit()
    assert autotopup_due(session=db) == [cid]  # its attempt failed: try again
