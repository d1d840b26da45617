"""The session lists of an operator and of a contact: their own rows only, sign out one
or all (which ends this browser's session too and clears its cookie)."""

from __future__ import annotations

from portal_app.models import AuthSession
from portal_app.services.sessions import session_create
from portal_app.state.guard import resolve_actor, resolve_portal
from portal_app.state.sessions import OperatorSessionsState, PortalSessionsState

from .helpers import call, fresh, make_state
from .portal_seed import seed_tenant


def test_an_operator_lists_and_signs_out_their_sessions(db, admin, clerk):
    laptop = session_create(session=db, user_id=admin.id, user_agent="Firefox/1 Linux")
    db.commit()
    state = make_state(OperatorSessionsState, token=admin.token)
    call(state, "load_sessions")
    assert len(state.sessions) == 2 and sum(r.current for r in state.sessions) == 1
    other = next(r for r in state.sessions if not r.current)
    out = call(state, "end_one", session_id=other.id)
    assert out.toasts == [("success", "That session is signed out.")]
    assert resolve_actor(laptop) is None and resolve_actor(admin.token) is not None
    clerks = fresh(db, AuthSession, AuthSession.user_id == clerk.id)
    out = call(state, "end_one", session_id=clerks[0].id)  # someone else's: not found
    assert out.toasts == [("error", "That session has already ended.")]
    assert resolve_actor(clerk.token) is not None
    out = call(state, "end_all")
    assert out.ended_session and resolve_actor(admin.token) is None


def test_a_contact_lists_its_own_sessions_in_the_portal(db):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test")
    bravo = seed_tenant(db, "BRAVO", "bravo.example.test")
    state = make_state(PortalSessionsState, token=alpha.token, **alpha.router("/portal/profile"))
    call(state, "load_sessions")
    assert [r.current for r in state.sessions] == [True]
    bravo_rows = fresh(db, AuthSession, AuthSession.user_id == bravo.contact_id)
    call(state, "end_one", session_id=bravo_rows[0].id)
    assert resolve_portal(bravo.token, bravo.host) is not None
    out = call(state, "end_one", session_id=state.sessions[0].id)  # this browser's own
    assert out.ended_session and resolve_portal(alpha.token, alpha.host) is None


def test_an_anonymous_browser_gets_no_sessions(db, admin):
    state = make_state(OperatorSessionsState)
    out = call(state, "load_sessions")
    assert state.sessions == [] and out.redirects == ["/login"]
