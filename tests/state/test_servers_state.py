"""ServersState (My Account › My Servers): the Setup area only; messages per field;
maintenance, history and removal through the real services."""

from __future__ import annotations

from portal_app.models import AuditEvent, Grant, Server
from portal_app.models.base import utcnow
from portal_app.services import servers as svc
from portal_app.services.sip_probe import ProbeOutcome
from portal_app.state.servers import ServersState

from .helpers import call, count, make_state, seed_group, seed_operator

FORM = {"name": "Edge 1", "host": "sip.example.com", "port": "5060", "role": "sip_switch"}


def _saved(state) -> None:
    call(state, "load")
    call(state, "open_new")
    assert state.form["port"] == "5060"
    out = call(state, "save", form_data=FORM | {"location": "Paris"})
    assert out.toasts == [("success", "Server saved.")]


def test_add_shows_a_new_server_not_checked_yet(db, admin):
    state = make_state(ServersState, token=admin.token)
    _saved(state)
    [row] = state.servers
    assert (row.name, row.address, row.role, row.location) == (
        "Edge 1",
        "sip.example.com:5060",
        "SIP switch",
        "Paris",
    )
    assert (row.status_label, row.seen, row.latency) == ("Not checked yet", "never", "—")
    assert state.dialog == ""


def test_bad_fields_keep_the_dialog_open_with_their_messages(db, admin):
    state = make_state(ServersState, token=admin.token)
    call(state, "load")
    call(state, "open_new")
    call(state, "save", form_data=FORM | {"host": "not a host", "port": "99999"})
    assert set(state.errors) == {"host", "port"} and state.dialog == "new"
    assert state.form["host"] == "not a host"
    assert count(db, Server) == 0


def test_probe_results_maintenance_history_and_removal(db, admin):
    state = make_state(ServersState, token=admin.token)
    _saved(state)
    sid = state.servers[0].id
    svc.server_probe_record(
        session=db,
        server_id=sid,
        host="sip.example.com",
        port=5060,
        outcome=ProbeOutcome("reachable", 503, "Service Unavailable", 7),
        now=utcnow(),
    )
    db.commit()
    call(state, "load")
    row = state.servers[0]
    assert (row.status_label, row.colour, row.latency) == ("Reachable (503)", "orange", "7 ms")
    call(state, "open_history", server_id=str(sid))
    assert [(p.result, p.latency) for p in state.history] == [("Reachable (503)", "7 ms")]
    assert state.history_label == "Edge 1"
    call(state, "close")
    call(state, "toggle_maintenance", server_id=str(sid))
    assert state.servers[0].status_label == "Maintenance" and state.servers[0].maintenance
    call(state, "open_edit", server_id=str(sid))
    assert state.form["location"] == "Paris" and state.dialog == str(sid)
    call(state, "close")
    call(state, "ask_delete", server_id=str(sid))
    assert state.confirm_label == "Edge 1"
    out = call(state, "delete")
    assert out.toasts == [("success", "Server removed.")] and state.servers == []
    assert count(db, AuditEvent, AuditEvent.action == "server.delete") == 1


def test_without_the_setup_area_nothing_is_listed_or_saved(db, admin):
    group = seed_group(db, "Billing", payment=Grant.ALLOW, setup=Grant.DENY)
    billing = seed_operator(db, "billing@example.com", group_id=group)
    _saved(make_state(ServersState, token=admin.token))
    state = make_state(ServersState, token=billing.token)
    out = call(state, "load")
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert state.servers == []
    call(state, "open_new")
    out = call(state, "save", form_data=FORM | {"name": "Sneaky"})
    assert ("error", "You do not have permission to do that.") in out.toasts
    assert count(db, Server) == 1
