"""The outbox on SQLite and PostgreSQL: queued in the caller's transaction, claimed by
exactly one of several senders, retried with back-off until dead, sent through a real
SMTP server (aiosmtpd), delivered to the development mailbox without SMTP, and resent
by an operator. Templates carry the brand and escape HTML."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.devserver import free_port
from portal_app.models import AuditEvent, OutboxMessage, PortalDomain, PublicFile
from portal_app.models.base import utcnow
from portal_app.services import email_log, outbox
from portal_app.services.crypto import decrypt_secret, encrypt_secret
from portal_app.services.emails import KINDS, email_compose
from portal_app.services.errors import Conflict, PermissionDenied
from portal_app.services.identity import SYSTEM, Actor
from portal_app.settings import get_settings
from tests.smtpserver import PASSWORD, QUIET, USERNAME, smtp_server

pytestmark = [pytest.mark.filterwarnings(w) for w in QUIET]
CLERK = Actor(kind="operator", id=9, label="clerk@example.com", grants={"customer": "allow"})


@pytest.fixture()
def production(monkeypatch):
    """The app as configured with PORTAL_ENV=production (no mailbox)."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    get_settings.cache_clear()
    assert get_settings().is_production
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _brand(db: Session, smtp: str = "", **kw) -> PortalDomain:
    domain = PortalDomain(
        host="acme.example.test", brand_name="Acme Telecom", status="verified", **kw
    )
    if smtp:
        domain.smtp_server, domain.smtp_from = smtp, "noreply@acme.example.test"
        domain.smtp_username, domain.smtp_password_enc = USERNAME, encrypt_secret(PASSWORD)
    db.add(domain)
    db.commit()
    return domain


def _queue(db: Session, domain: PortalDomain | None, to: str = "pat@example.com", **kw):
    values = {"name": "Pat", "company": "Pat & <Co>", "reason": "Incomplete"} | kw
    email = email_compose(session=db, kind="signup_rejected", to=to, domain=domain, **values)
    row = outbox.outbox_enqueue(session=db, email=email)
    db.commit()
    return row


def _fresh(engine, message_id: int) -> OutboxMessage:
    with Session(engine) as session:
        return session.get(OutboxMessage, message_id)


def test_a_message_is_queued_only_if_the_callers_transaction_commits(db, engine):
    domain = _brand(db)
    woken = []
    stop = outbox.outbox_on_enqueue(lambda: woken.append(1))
    try:
        email = email_compose(
            session=db, kind="signup_existing", to="a@example.com", domain=domain, link="L-SECRET"
        )
        outbox.outbox_enqueue(session=db, email=email)
        db.rollback()
        assert db.exec(select(OutboxMessage)).all() == [] and woken == []
        row = outbox.outbox_enqueue(session=db, email=email)
        db.commit()
    finally:
        stop()
    assert woken == [1]
    stored = _fresh(engine, row.id)
    assert (stored.status, stored.attempts, stored.kind) == ("queued", 0, "signup_existing")
    assert "L-SECRET" not in stored.text_enc + stored.html_enc  # encrypted at rest
    assert "L-SECRET" in decrypt_secret(stored.text_enc)


def test_each_message_is_claimed_by_exactly_one_of_several_senders(db, engine):
    domain = _brand(db)
    ids = [_queue(db, domain, f"n{n}@example.com").id for n in range(30)]
    now = utcnow()
    start = threading.Barrier(4)
    claimed: dict[str, list[int]] = {}

    def sender(name: str) -> None:
        mine = claimed.setdefault(name, [])
        start.wait()
        for message_id in ids:
            with Session(engine) as session:
                if outbox.outbox_claim(
                    session=session, message_id=message_id, worker=name, now=now
                ):
                    mine.append(message_id)
                session.commit()

    threads = [threading.Thread(target=sender, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = sorted(i for mine in claimed.values() for i in mine)
    assert every == sorted(ids)  # each once: no message twice, none left out
    rows = [_fresh(engine, i) for i in ids]
    assert {r.status for r in rows} == {"sending"} and {r.attempts for r in rows} == {1}
    assert all(r.id in claimed[r.claimed_by] for r in rows)


def test_a_crashed_senders_lease_runs_out_and_another_sender_retries(db, engine):
    row = _queue(db, _brand(db))
    now = utcnow()
    with Session(engine) as session:
        assert outbox.outbox_claim(session=session, message_id=row.id, worker="dies", now=now)
        session.commit()
    with Session(engine) as session:  # still leased: nobody else may take it
        assert not outbox.outbox_claim(session=session, message_id=row.id, worker="b", now=now)
    assert outbox.outbox_send_due(engine=engine, now=now + timedelta(seconds=30)) == 0
    later = now + outbox.LEASE + timedelta(seconds=1)
    assert outbox.outbox_send_due(engine=engine, now=later, worker="b") == 1
    stored = _fresh(engine, row.id)
    assert (stored.status, stored.attempts, stored.delivered_to_mailbox) == ("sent", 2, True)


def test_failures_back_off_exponentially_then_the_message_is_dead(db, engine):
    row = _queue(db, _brand(db, smtp=f"127.0.0.1:{free_port()}"))  # nothing listens
    now = utcnow()
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.outbox_send_due(engine=engine, now=now, worker="w") == 1
        stored = _fresh(engine, row.id)
        assert stored.attempts == attempt and "refused" in stored.last_error
        if attempt < outbox.MAX_ATTEMPTS:
            assert stored.status == "failed"
            waits.append(stored.next_attempt_at - now)
            # Not due before its time.
            early = now + waits[-1] - timedelta(seconds=1)
            assert outbox.outbox_send_due(engine=engine, now=early, worker="w") == 0
            now = stored.next_attempt_at
    assert stored.status == "dead"
    assert [w.total_seconds() for w in waits] == [30, 60, 120, 240, 480, 960, 1920]
    assert outbox.outbox_send_due(engine=engine, now=now + timedelta(days=1)) == 0


def test_a_message_goes_through_the_brands_smtp_with_text_and_html(db, engine):
    with smtp_server() as server:
        row = _queue(db, _brand(db, smtp=server.address, footer="Acme Ltd · 1 Main St"))
        assert outbox.outbox_send_due(engine=engine) == 1
    stored = _fresh(engine, row.id)
    assert (stored.status, stored.delivered_to_mailbox, stored.last_error) == ("sent", False, "")
    (received,) = server.messages
    message = received.message
    assert received.rcpt_tos == ["pat@example.com"] and received.login == USERNAME
    assert message["Subject"] == "Your Acme Telecom sign-up"
    assert message["From"] == "noreply@acme.example.test"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "We could not approve Pat & <Co>: Incomplete" in text and "Acme Ltd · 1 Main St" in text
    assert "Pat &amp; &lt;Co&gt;" in html and "<Co>" not in html and "Acme Ltd · 1 Main St" in html


def test_without_smtp_development_keeps_the_mail_in_the_mailbox(db, engine):
    row = _queue(db, _brand(db))
    assert outbox.outbox_send_due(engine=engine) == 1
    stored = _fresh(engine, row.id)
    assert (stored.status, stored.delivered_to_mailbox) == ("sent", True)
    db.expire_all()  # the sender wrote through its own sessions
    page = email_log.outbox_list(session=db, actor=SYSTEM, mailbox=True)
    assert [e.id for e in page.rows] == [row.id] and page.rows[0].in_mailbox
    message = email_log.mailbox_get(session=db, actor=SYSTEM, message_id=row.id)
    assert "We could not approve Pat & <Co>" in message.text
    with pytest.raises(PermissionDenied):
        email_log.mailbox_get(session=db, actor=CLERK, message_id=row.id)


def test_without_smtp_production_fails_plainly_and_has_no_mailbox(db, engine, production):
    row = _queue(db, _brand(db))
    assert outbox.outbox_send_due(engine=engine) == 1
    stored = _fresh(engine, row.id)
    assert (stored.status, stored.last_error) == ("failed", outbox.NO_SMTP)
    assert not stored.delivered_to_mailbox
    with pytest.raises(PermissionDenied, match="only in development"):
        email_log.mailbox_get(session=db, actor=SYSTEM, message_id=row.id)
    with pytest.raises(PermissionDenied):
        email_log.outbox_list(session=db, actor=SYSTEM, mailbox=True)
    warnings = email_log.mail_warnings(session=db, actor=SYSTEM)
    assert warnings[0][0] == "warning"
    assert "Acme Telecom, the account" in warnings[0][1] and "set-password links" in warnings[0][1]
    assert email_log.mail_warnings(session=db, actor=CLERK) == []


def test_the_log_shows_metadata_and_an_operator_resends(db, engine):
    row = _queue(db, _brand(db, smtp=f"127.0.0.1:{free_port()}"))
    db.exec(select(OutboxMessage)).one().status = "dead"
    db.commit()
    with pytest.raises(PermissionDenied):
        email_log.outbox_list(session=db, actor=CLERK)
    page = email_log.outbox_list(session=db, actor=SYSTEM, status="dead")
    assert page.total == 1 and page.rows[0].to == "pat@example.com"
    assert not hasattr(page.rows[0], "text")  # the log never carries a body
    assert email_log.outbox_list(session=db, actor=SYSTEM, status="sent").total == 0
    with pytest.raises(PermissionDenied):
        email_log.outbox_resend(session=db, actor=CLERK, message_id=row.id)
    entry = email_log.outbox_resend(session=db, actor=SYSTEM, message_id=row.id)
    db.commit()
    assert (entry.status, entry.attempts) == ("queued", 0)
    with pytest.raises(Conflict):
        email_log.outbox_resend(session=db, actor=SYSTEM, message_id=row.id)
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "email.resend")).one()
    assert audit.before == {"status": "dead", "attempts": 0}


def test_mail_without_a_brand_goes_through_the_accounts_smtp(db, engine):
    from portal_app.models import AccountConfig

    with smtp_server() as server:
        db.add(
            AccountConfig(
                id=1,
                company_name="Carrier & Co",
                smtp_server=server.address,
                smtp_from="noc@carrier.example",
                smtp_username=USERNAME,
                smtp_password_enc=encrypt_secret(PASSWORD),
            )
        )
        db.commit()
        _queue(db, None)
        assert outbox.outbox_send_due(engine=engine) == 1
    message = server.messages[0].message
    assert message["From"] == "noc@carrier.example"
    assert "Carrier & Co" in message.get_body(("plain",)).get_content()
    assert email_log.mail_warnings(session=db, actor=SYSTEM) == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_renders_the_brand_and_escapes_html(db, kind):
    logo = PublicFile(name="acme logo.png", content_type="image/png", size=1, sha256="0", data=b"x")
    db.add(logo)
    db.flush()
    domain = _brand(db, footer="<i>Acme</i> footer", logo_file_id=logo.id)
    hostile = "<script>alert(1)</script>"
    values = dict(
        name=hostile,
        email="pat@example.com",
        company=hostile,
        customer=hostile,
        reason=hostile,
        link="http://acme.example.test:3000/x?token=T&a=1",
        expires="3 days",
        available="$1.00",
        threshold="$5.00",
        at="2026-01-01 10:00 UTC",
        client="10.0.0.1",
        browser=hostile,
        gateway=hostile,  # payment_receipt
        total="$10.25",
        amount="$10.00",
        surcharge="$0.25",
        reference="pi_123",
        balance="$12.00",
        failures=10,
        window="1 hour",
        card="visa •••• 4242",  # auto_topup_*
        retry_at="2026-01-01 10:15 UTC",
        place=hostile,  # login_alert: "your portal login at …"
        role="Billing",  # contact_invite
    )
    email = email_compose(session=db, kind=kind, to="pat@example.com", domain=domain, **values)
    assert email.subject and "\n" not in email.subject and email.brand == "Acme Telecom"
    assert "Acme Telecom" in email.text and "<i>Acme</i> footer" in email.text
    assert "&lt;i&gt;Acme&lt;/i&gt; footer" in email.html
    assert "http://acme.example.test:3000/public/acme%20logo.png" in email.html
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html or kind == "signup_existing"
    if kind in ("password_welcome", "password_reset", "signup_confirm", "signup_existing") + (
        "contact_invite",
    ):
        assert "token=T&amp;a=1" in email.html and "token=T&a=1" in email.text
