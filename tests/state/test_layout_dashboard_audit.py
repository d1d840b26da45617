"""AppState (identity for the layout, logout), DashboardState and AuditState."""

from __future__ import annotations

from portal_app import routes
from portal_app.models import AuthSession
from portal_app.services.audit import audit_record
from portal_app.services.identity import SYSTEM
from portal_app.state.audit import PAGE_SIZE, AuditState
from portal_app.state.base import AppState
from portal_app.state.dashboard import DashboardState
from portal_app.state.guard import resolve_actor

from .helpers import call, fresh, make_state, seed_operator


def test_sync_identity_fills_the_layout_for_a_user(db, clerk):
    state = make_state(AppState, token=clerk.token)
    out = call(state, "sync_identity")
    assert out.redirects == []
    assert state.logged_in and state.identity_checked and state.control_host
    assert (state.me_name, state.me_email, state.me_is_admin) == ("Clerk", clerk.email, False)
    assert sorted(state.me_areas) == ["card", "log"]


def test_sync_identity_sends_a_stranger_to_the_login_page(db):
    state = make_state(AppState, token="no-such-session")
    out = call(state, "sync_identity")
    assert out.redirects == [routes.LOGIN]
    assert state.identity_checked and not state.logged_in and state.me_areas == []


def test_logout_ends_the_session_on_the_server_and_drops_the_cookie(db, clerk):
    state = make_state(AppState, token=clerk.token)
    call(state, "sync_identity")
    out = call(state, "logout")
    assert out.ended_session  # the page posts to /api/session/end, which clears the cookie
    assert not state.logged_in
    assert resolve_actor(clerk.token) is None
    assert fresh(db, AuthSession)[0].revoked_at is not None


def test_dashboard_shows_recent_changes_only_to_those_who_may_see_the_log(db, admin, clerk):
    plain = seed_operator(db, "plain@example.com")  # no group: no areas at all
    state = make_state(DashboardState, token=plain.token)
    call(state, "load")
    assert state.figures["users"] == 3
    assert state.can_see_log is False and state.recent == [] and not state.has_recent

    state = make_state(DashboardState, token=clerk.token)
    call(state, "load")
    assert state.can_see_log is True and state.has_recent
    assert state.recent[0].action == "user.create"  # newest first: plain was created last
    assert "$argon2" not in str(state.recent)


def test_audit_log_needs_the_log_area(db, admin):
    plain = seed_operator(db, "plain@example.com")
    state = make_state(AuditState, token=plain.token)
    out = call(state, "load")
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert state.rows == [] and state.total == 0


def test_audit_log_search_and_paging(db, clerk):
    state = make_state(AuditState, token=clerk.token)
    call(state, "load")
    assert state.total == 2  # the seeded group and user
    assert [r.action for r in state.rows] == ["user.create", "group.create"]
    assert state.rows[0].who == "system"
    assert state.page_label == "1–2 of 2" and not state.has_next

    call(state, "apply_filters", form_data={"search": "GROUP"})
    assert [r.action for r in state.rows] == ["group.create"] and state.total == 1

    for n in range(PAGE_SIZE):
        audit_record(session=db, actor=SYSTEM, action="test.filler", entity="test", entity_id=n)
    db.commit()
    call(state, "load")
    assert state.total == PAGE_SIZE + 2 and state.has_next
    call(state, "go_page", delta=5)  # one page per step, whatever the browser asks
    assert state.page == 1 and [r.action for r in state.rows] == ["user.create", "group.create"]
    call(state, "go_page", delta=1)  # never past the last page
    call(state, "go_page", delta="not a number")
    assert state.page == 1 and state.page_label == f"26–27 of {PAGE_SIZE + 2}"


def test_dashboard_counts_waiting_payments_for_the_payment_area_only(db, admin, clerk):
    from portal_app.models import Customer, PaymentAttempt, PaymentEvent

    customer = Customer(name="Payer", currency="EUR")
    db.add(customer)
    db.commit()
    for status, key in (("pending", "k1"), ("pending", "k2"), ("succeeded", "k3")):
        db.add(
            PaymentAttempt(
                customer_id=customer.id,
                gateway_name="Stripe",
                provider="stripe",
                amount=1000,
                currency="EUR",
                status=status,
                idempotency_key=key,
            )
        )
    db.add(PaymentEvent(provider="stripe", outcome="refused", message="bad signature"))
    db.add(PaymentEvent(provider="stripe", outcome="credited"))
    db.commit()
    state = make_state(DashboardState, token=admin.token)
    call(state, "load")
    assert (state.payments_pending, state.payments_refused) == (2, 1)
    state = make_state(DashboardState, token=clerk.token)  # no Payment area
    call(state, "load")
    assert (state.payments_pending, state.payments_refused) == (0, 0)
