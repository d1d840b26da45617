"""Setup › Email Log under pytest: metadata only in the log, the development mailbox
with whole messages, resend, refusals for operators without Setup, the dashboard's
mail warning, and forgot-password answering at one floor for known and unknown emails."""

from __future__ import annotations

import statistics
import time

import pytest

from portal_app.models import OutboxMessage, PortalDomain
from portal_app.services.emails import email_compose
from portal_app.services.outbox import outbox_enqueue, outbox_send_due
from portal_app.services.password_reset import FORGOT_ANSWER_SECONDS
from portal_app.settings import get_settings
from portal_app.state.dashboard import DashboardState
from portal_app.state.email_log import EmailLogState
from portal_app.state.portal_auth import FORGOT_ANSWER, PortalLoginState

from .helpers import call, fresh, make_state
from .portal_seed import seed_tenant

LINK = "http://brand.example.test:3000/portal/set-password?token=LIVE-TOKEN"


def _queue(db, domain: PortalDomain | None, to: str = "pat@example.com") -> OutboxMessage:
    email = email_compose(
        session=db,
        kind="password_welcome",
        to=to,
        domain=domain,
        name="Pat",
        email=to,
        link=LINK,
        expires="3 days",
    )
    row = outbox_enqueue(session=db, email=email)
    db.commit()
    return row


@pytest.fixture()
def brand(db) -> PortalDomain:
    domain = PortalDomain(host="brand.example.test", brand_name="Brand", status="verified")
    db.add(domain)
    db.commit()
    return domain


def test_the_log_shows_metadata_and_the_mailbox_the_whole_message(db, admin, brand):
    row = _queue(db, brand)
    state = make_state(EmailLogState, token=admin.token)
    call(state, "load")
    assert state.has_mailbox and state.tab == "log"
    assert [(r.recipient, r.status, r.brand) for r in state.rows] == [
        ("pat@example.com", "queued", "Brand")
    ]
    assert outbox_send_due() == 1  # no SMTP in development: the mailbox takes it
    out = call(state, "refresh")
    assert state.rows[0].status == "in mailbox" and "LIVE-TOKEN" not in str(out.delta)
    call(state, "show_tab", tab="mailbox")
    assert state.tab == "mailbox" and [r.id for r in state.rows] == [row.id]
    out = call(state, "open_message", message_id=row.id)
    assert state.open_links == [LINK] and "Hello Pat" in state.open_text
    assert state.open_subject == "Your Brand portal login"
    call(state, "close_message")
    assert state.open_id == 0 and state.open_text == ""


def test_an_administrator_resends_a_dead_message(db, admin, brand):
    row = _queue(db, brand)
    db.get(OutboxMessage, row.id).status = "dead"
    db.commit()
    state = make_state(EmailLogState, token=admin.token)
    call(state, "load")
    assert state.rows[0].can_resend
    out = call(state, "resend", message_id=row.id)
    assert ("success", "The email to pat@example.com is queued again.") in out.toasts
    assert fresh(db, OutboxMessage)[0].status == "queued" and not state.rows[0].can_resend
    out = call(state, "resend", message_id=row.id)
    assert out.toasts == [("error", "This email is already waiting to be sent.")]


def test_operators_without_setup_are_refused_everywhere(db, clerk, brand):
    row = _queue(db, brand)
    db.get(OutboxMessage, row.id).status = "dead"
    db.commit()
    state = make_state(EmailLogState, token=clerk.token)
    for handler, args in [
        ("load", {}),
        ("resend", {"message_id": row.id}),
        ("open_message", {"message_id": row.id}),
        ("show_tab", {"tab": "mailbox"}),
    ]:
        out = call(state, handler, **args)
        assert out.toasts == [("error", "You do not have permission to do that.")], handler
    assert state.rows == [] and state.open_text == ""
    assert fresh(db, OutboxMessage)[0].status == "dead"
    dash = make_state(DashboardState, token=clerk.token)
    call(dash, "load")
    assert dash.mail_warnings == []


def test_production_has_no_mailbox_and_the_dashboard_warns(db, admin, brand, monkeypatch):
    row = _queue(db, brand)
    monkeypatch.setenv("PORTAL_ENV", "production")
    get_settings.cache_clear()
    try:
        assert outbox_send_due() == 1
        state = make_state(EmailLogState, token=admin.token)
        call(state, "load")
        assert not state.has_mailbox
        assert state.rows[0].status == "failed"
        assert state.rows[0].last_error == "No SMTP configured for this brand or the account."
        call(state, "show_tab", tab="mailbox")
        assert state.tab == "log"
        out = call(state, "open_message", message_id=row.id)
        assert out.toasts == [("error", "The mailbox exists only in development.")]
        dash = make_state(DashboardState, token=admin.token)
        call(dash, "load")
        (warning,) = dash.mail_warnings
        assert warning["level"] == "warning"
        assert "No SMTP server is configured for Brand, the account" in warning["text"]
        assert "sign-up confirmations, set-password links" in warning["text"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_forgot_password_answers_known_and_unknown_emails_at_one_floor(db):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test")
    known, unknown = [], []
    for n in range(9):  # interleaved, so a slow moment costs both sides alike
        for email, times in ((alpha.email, known), (f"nobody{n}@alpha.example.test", unknown)):
            state = make_state(
                PortalLoginState, client_ip=f"10.9.{n}.1", **alpha.router("/portal/forgot")
            )
            started = time.perf_counter()
            call(state, "submit_forgot", form_data={"email": email})
            times.append(time.perf_counter() - started)
            assert state.notice == FORGOT_ANSWER
    assert min(known + unknown) >= FORGOT_ANSWER_SECONDS
    a, b = statistics.median(known), statistics.median(unknown)
    assert max(a, b) / min(a, b) < 1.3
    assert len(fresh(db, OutboxMessage)) == 3  # three links an hour for the known contact
