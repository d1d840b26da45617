"""The rules that queue mail, on SQLite and PostgreSQL: low-balance alerts from every
ledger writer, the operator's login alert, and "same time, same answer" for known and
unknown emails at sign-up (a ratio of medians, interleaved runs: never a timed
threshold; forgot-password's equal time is a floor in its state, tested there)."""

from __future__ import annotations

import statistics
import time

from sqlmodel import Session, select

from portal_app.models import (
    AccountConfig,
    Contact,
    Customer,
    CustomerAlert,
    OutboxMessage,
    PortalDomain,
)
from portal_app.services import signups as su
from portal_app.services.auth import login_password
from portal_app.services.crypto import decrypt_secret
from portal_app.services.db import session_scope
from portal_app.services.identity import SYSTEM
from portal_app.services.ledger import ledger_add, ledger_record

from .conftest import PASSWORD

RUNS = 9
# The aim is within ~30 %; the bound is generous so a busy machine does not fail it,
# and still far from the gap it guards against (an argon2 hash, ~100x a commit).
MAX_RATIO = 1.5


def _mails(db: Session, kind: str) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)).all())


def _domain(db: Session) -> PortalDomain:
    domain = PortalDomain(
        host="acme.example.test",
        brand_name="Acme",
        status="verified",
        customer_signup=True,
        currencies=["USD"],
    )
    db.add(domain)
    db.commit()
    return domain


def test_every_ledger_writer_fires_low_balance_alerts_once(db):
    domain = _domain(db)
    customer = Customer(name="Lowbal", currency="USD", credit_limit=1_000, domain_id=domain.id)
    db.add(customer)
    db.flush()
    db.add(
        CustomerAlert(customer_id=customer.id, threshold=500, recipients="a@lowbal.example, b@x.io")
    )
    db.commit()

    def charge(amount: str) -> list[str]:
        # The CLI, imports and templates write as the system, through the same service.
        alerted = ledger_record(
            session=db, actor=SYSTEM, customer_id=customer.id, kind="charge", amount=amount
        ).alerted
        db.commit()
        return alerted

    assert charge("4.00") == []  # $10.00 credit − $4.00 = $6.00: above $5.00
    assert charge("2.00") == ["a@lowbal.example", "b@x.io"]
    assert charge("1.00") == []  # already below
    queued = _mails(db, "low_balance")
    assert [m.recipient for m in queued] == ["a@lowbal.example", "b@x.io"]
    assert {m.domain_id for m in queued} == {domain.id}
    text = decrypt_secret(queued[0].text_enc)
    assert "The available balance of Lowbal is $4.00" in text and "threshold of $5.00" in text
    ledger_add(session=db, actor=SYSTEM, customer_id=customer.id, kind="payment", amount="10")
    db.commit()
    assert charge("9.00") == ["a@lowbal.example", "b@x.io"]  # up again, then down: again


def test_an_operators_login_is_emailed_when_the_account_asks_for_it(db, make_user):
    user = make_user(email="ops@example.com", name="Olga Ops")

    def log_in() -> None:
        login_password(
            session=db,
            email="ops@example.com",
            password=PASSWORD,
            client="203.0.113.7",
            user_agent="Firefox/128.0",
        )
        db.commit()

    log_in()
    assert _mails(db, "login_alert") == []
    db.add(AccountConfig(id=1, login_alerts=True))
    db.commit()
    log_in()
    (alert,) = _mails(db, "login_alert")
    assert (alert.recipient, alert.domain_id) == (user.email, None)
    text = decrypt_secret(alert.text_enc)
    assert "203.0.113.7" in text and "Firefox/128.0" in text and "Olga Ops" in text


def _timed(engine, fn) -> float:
    started = time.perf_counter()
    with session_scope(engine) as session:
        fn(session)
    return time.perf_counter() - started


def _ratio(known: list[float], unknown: list[float]) -> float:
    a, b = statistics.median(known), statistics.median(unknown)
    return max(a, b) / min(a, b)


def test_sign_up_takes_as_long_for_a_known_email_and_answers_the_same(db, engine):
    domain = _domain(db)
    customer = Customer(name="Has a login", domain_id=domain.id)
    db.add(customer)
    db.flush()
    db.add(Contact(customer_id=customer.id, name="Known", email="known@example.com"))
    db.commit()
    form = {
        "kind": "customer",
        "company_name": "Newco",
        "contact_name": "Nina",
        "password": "newco-password-1",
        "phone": "+44 20 7946 0999",
        "country": "GB",
        "currency": "USD",
        "terms": "on",
    }
    known, new, answers = [], [], set()
    for n in range(RUNS):  # interleaved, so a slow moment costs both sides alike

        def start(email: str, client: str):
            def run(session: Session) -> None:
                started = su.signup_start(
                    session=session, domain=domain, data=form | {"email": email}, client=client
                )
                answers.add(started.email == email)

            return run

        known.append(_timed(engine, start("known@example.com", f"10.1.0.{n}")))
        new.append(_timed(engine, start(f"new{n}@example.com", f"10.2.0.{n}")))
    assert answers == {True}
    assert len(_mails(db, "signup_existing")) == RUNS
    assert len(_mails(db, "signup_confirm")) == RUNS
    assert _ratio(known, new) < MAX_RATIO
