"""Login alerts on SQLite and PostgreSQL: the operator's (account setting) and the
contact's (its own Profile switch), in the account's date format with the client
address and the browser; one alert per burst of failed logins, not one per failure."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from portal_app.models import AccountConfig, AuditEvent, Contact, OutboxMessage
from portal_app.services import portal_auth as pa
from portal_app.services.auth import login_password
from portal_app.services.crypto import decrypt_secret
from portal_app.services.errors import AuthFailed, PermissionDenied
from portal_app.services.identity import SYSTEM
from portal_app.services.limiter import rate
from portal_app.services.login_alerts import browser_text, contact_login_alerts_set
from portal_app.services.portal import contact_actor

from .conftest import PASSWORD
from .test_contacts import PW, brand, contact, customer

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _mails(db: Session, kind: str) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)).all())


def test_an_operators_login_alert_uses_the_accounts_date_format_and_names_the_browser(
    db, make_user
):
    make_user(email="ops@example.com", name="Olga Ops")
    db.add(AccountConfig(id=1, login_alerts=True, date_format="DD.MM.YYYY"))
    db.commit()
    login_password(
        session=db, email="ops@example.com", password=PASSWORD, client="203.0.113.9",
        user_agent=FIREFOX,
    )  # fmt: skip
    db.commit()
    (alert,) = _mails(db, "login_alert")
    text = decrypt_secret(alert.text_enc)
    assert "control-panel login" in text and "203.0.113.9" in text
    assert "Firefox on Linux" in text
    # 02.12.2026 14:05 UTC: day first, dots, not the ISO form.
    (line,) = [ln for ln in text.splitlines() if ln.startswith("Time:")]
    day, month, rest = line.split()[1].split(".")
    assert len(day) == 2 and len(month) == 2 and len(rest) == 4 and line.endswith("UTC")


def test_a_contacts_login_is_emailed_under_its_brand_only_once_it_turns_alerts_on(db):
    acme = brand(db, "alerts.example.test")
    row, _ = contact(db, customer(db, acme), "pat@alerts.example.test")

    def log_in() -> None:
        pa.contact_login_password(
            session=db, email=row.email, password=PW, domain_id=acme.id,
            client="198.51.100.4", user_agent=FIREFOX,
        )  # fmt: skip
        db.commit()

    log_in()
    assert _mails(db, "login_alert") == []  # off by default
    contact_login_alerts_set(session=db, actor=contact_actor(row), on=True)
    db.commit()
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "contact.login_alerts")).one()
    assert audit.entity_id == str(row.id)
    log_in()
    (alert,) = _mails(db, "login_alert")
    assert (alert.recipient, alert.domain_id, alert.brand) == (row.email, acme.id, "Alerts")
    text = decrypt_secret(alert.text_enc)
    assert "portal login" in text and "198.51.100.4" in text and "Firefox on Linux" in text
    contact_login_alerts_set(session=db, actor=contact_actor(row), on=False)
    db.commit()
    log_in()
    assert len(_mails(db, "login_alert")) == 1
    assert db.get(Contact, row.id).login_alerts is False


def test_only_a_contact_sets_its_own_login_alerts(db, make_user):
    with pytest.raises(PermissionDenied):
        contact_login_alerts_set(session=db, actor=SYSTEM, on=True)


def test_repeated_failed_contact_logins_send_one_alert_per_burst(db):
    acme = brand(db, "burst.example.test")
    row, _ = contact(db, customer(db, acme), "kim@burst.example.test")
    amount = rate("login_alert").amount
    for n in range(amount * 2):  # many addresses: none reaches its own limit
        with pytest.raises(AuthFailed):
            pa.contact_login_password(
                session=db, email=row.email, password="wrong-password-x", domain_id=acme.id,
                client=f"10.7.0.{n}",
            )  # fmt: skip
    (alert,) = _mails(db, "login_failures")
    assert (alert.recipient, alert.domain_id) == (row.email, acme.id)
    assert f"{amount} failed attempts" in decrypt_secret(alert.text_enc)


def test_the_browser_is_named_with_the_raw_header_kept():
    assert browser_text(FIREFOX) == f"Firefox on Linux ({FIREFOX})"
    assert browser_text("") == "unknown"
    assert browser_text("curl/8.5") == "Unknown browser (curl/8.5)"
