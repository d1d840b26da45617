"""My Servers: validation per field, audit rows, the Setup area, probe records and the
periodic round against a real SIP responder on loopback."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Grant, Server, ServerProbe
from portal_app.models.base import utcnow
from portal_app.services import servers as svc
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.server_checks import probe_round, server_check
from portal_app.services.sip_probe import ProbeOutcome
from tests.sipresponder import SipResponder

GOOD = {"name": "Switch A", "host": "sip.example.com", "port": "5060", "role": "sip_switch"}


def _make(db: Session, **data) -> dict:
    view = svc.server_create(session=db, actor=SYSTEM, data=GOOD | data)
    db.commit()
    return view


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter a name."),
        ("host", "", "Enter the server's host name or IP address."),
        ("host", "sip example", "is not a valid host name"),
        ("host", "10.0.0.300", "is not a valid host name"),
        ("port", "0", "Enter a port from 1 to 65535"),
        ("port", "65536", "Enter a port from 1 to 65535"),
        ("port", "50x", "Enter a port from 1 to 65535"),
        ("role", "router", "Choose SIP switch"),
        ("notes", "x" * 2001, "Keep the notes under"),
    ],
)
def test_bad_input_gets_a_message_on_its_field_and_nothing_is_saved(db, field, value, message):
    with pytest.raises(ValidationError) as err:
        svc.server_create(session=db, actor=SYSTEM, data=GOOD | {field: value})
    assert list(err.value.fields) == [field] and message in err.value.fields[field]
    db.rollback()
    assert db.exec(select(Server)).all() == []


def test_create_normalises_host_and_port_and_writes_an_audit_row(db):
    view = _make(db, host="SIP.Bücher.example.", port="", location=" Frankfurt  DC ")
    assert (
        view["host"] == "sip.xn--bcher-kva.example" and view["host_display"] == "sip.bücher.example"
    )
    assert view["port"] == 5060 and view["location"] == "Frankfurt DC"
    assert view["status"] == "unchecked" and view["role_label"] == "SIP switch"
    ipv6 = _make(db, name="Media", host="[2001:db8::1]", role="media_server")
    assert ipv6["host"] == "2001:db8::1"
    query = select(AuditEvent).where(AuditEvent.action == "server.create")
    audit = db.exec(query.order_by(AuditEvent.id)).all()
    assert [a.after["name"] for a in audit] == ["Switch A", "Media"]


def test_update_maintenance_and_delete_are_audited_and_delete_takes_the_history(db):
    view = _make(db)
    outcome = ProbeOutcome("up", 200, "OK", 3)
    svc.server_probe_record(
        session=db, server_id=view["id"], host=view["host"], port=5060, outcome=outcome
    )
    db.commit()
    svc.server_update(session=db, actor=SYSTEM, server_id=view["id"], data=GOOD | {"name": "B"})
    on = svc.server_set_maintenance(session=db, actor=SYSTEM, server_id=view["id"], on=True)
    assert on["status"] == "maintenance" and on["name"] == "B"
    assert svc.servers_due(session=db) == []
    svc.server_delete(session=db, actor=SYSTEM, server_id=view["id"])
    db.commit()
    actions = [a.action for a in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions == ["server.create", "server.update", "server.maintenance_on", "server.delete"]
    assert db.exec(select(ServerProbe)).all() == []


def test_moving_a_server_forgets_its_status_and_a_probe_of_the_old_address_is_dropped(db):
    view = _make(db)
    svc.server_probe_record(
        session=db,
        server_id=view["id"],
        host=view["host"],
        port=5060,
        outcome=ProbeOutcome("up", 200, "OK", 3),
    )
    moved = svc.server_update(
        session=db, actor=SYSTEM, server_id=view["id"], data=GOOD | {"port": "5080"}
    )
    assert moved["status"] == "unchecked" and moved["latency_ms"] is None
    stale = svc.server_probe_record(
        session=db,
        server_id=view["id"],
        host=view["host"],
        port=5060,
        outcome=ProbeOutcome("down", error="late"),
    )
    assert (
        stale is False
        and svc.server_get(session=db, actor=SYSTEM, server_id=view["id"])["status"] == "unchecked"
    )


def test_only_the_setup_area_may_see_or_change_servers(db, make_user, make_group, as_actor):
    _make(db)
    billing = as_actor(make_user(group=make_group({"payment": Grant.ALLOW.value})))
    setup = as_actor(make_user(group=make_group({"setup": Grant.ALLOW.value})))
    for call in (
        lambda: svc.server_list(session=db, actor=billing),
        lambda: svc.server_create(session=db, actor=billing, data=GOOD),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert [s["name"] for s in svc.server_list(session=db, actor=setup)] == ["Switch A"]


def test_check_now_and_the_round_store_up_reachable_down_and_history(db, engine):
    with SipResponder("ok") as ok, SipResponder("busy") as busy, SipResponder("silent") as mute:
        up = _make(db, name="Up", host="127.0.0.1", port=str(ok.port))
        _make(db, name="Busy", host="127.0.0.1", port=str(busy.port))
        _make(db, name="Mute", host="127.0.0.1", port=str(mute.port))
        paused = _make(db, name="Paused", host="127.0.0.1", port=str(ok.port))
        svc.server_set_maintenance(session=db, actor=SYSTEM, server_id=paused["id"], on=True)
        db.commit()
        checked = server_check(up["id"], actor=SYSTEM, timeout=1, engine=engine)
        assert checked["status"] == "up" and checked["latency_ms"] is not None
        assert checked["seen_at"]
        stored = asyncio.run(probe_round(timeout=0.5, engine=engine))
    assert stored == 3
    db.expire_all()
    views = {v["name"]: v for v in svc.server_list(session=db, actor=SYSTEM)}
    assert views["Up"]["status"] == "up"
    assert (views["Busy"]["status"], views["Busy"]["code"]) == ("reachable", 503)
    assert views["Mute"]["status"] == "down" and views["Mute"]["seen_at"] == ""
    assert views["Paused"]["status"] == "maintenance" and views["Paused"]["checked_at"] == ""
    history = svc.server_history(session=db, actor=SYSTEM, server_id=up["id"])
    assert [h["result"] for h in history] == ["up", "up"]


def test_prune_keeps_a_week_of_history(db):
    view = _make(db)
    now = utcnow()
    for age in (timedelta(days=8), timedelta(days=6), timedelta(0)):
        svc.server_probe_record(
            session=db,
            server_id=view["id"],
            host=view["host"],
            port=5060,
            outcome=ProbeOutcome("down", error="x"),
            now=now - age,
        )
    assert svc.server_probes_prune(session=db, now=now) == 1
    assert len(svc.server_history(session=db, actor=SYSTEM, server_id=view["id"])) == 2
