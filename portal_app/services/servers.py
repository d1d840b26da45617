"""My Servers (Setup › My Account): the account's SIP switches and media servers.

Only operators allowed the Setup area, the area of My Account's configuration screens
(Configuration, Email Log, SMTP): servers are account configuration, not customer data.
Every change writes an audit row. A probe result (services/sip_probe.py, run by the
lifespan task in tasks.py or by "Check now") is state, not configuration: it updates
the server's ``last_*`` columns and adds a history row, without an audit row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select

from portal_app.models import Area, ProbeResult, Server, ServerProbe, ServerRole
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .errors import NotFound, PermissionDenied, ValidationError
from .hosts import HostError, host_display, host_name
from .identity import Actor
from .sip_probe import ProbeOutcome
from .validation import check_name, clean_name

ROLE_LABELS = {
    ServerRole.SIP_SWITCH.value: "SIP switch",
    ServerRole.MEDIA_SERVER.value: "Media server",
    ServerRole.OTHER.value: "Other",
}
FIELDS = ["name", "host", "port", "role", "location", "notes"]
AUDITED = [*FIELDS, "id", "transport", "maintenance"]
MAX_NOTES = 2000
HISTORY_KEEP = timedelta(days=7)
HISTORY_SHOWN = 50


def _require(actor: Actor) -> None:
    if not actor.can(Area.SETUP):
        raise PermissionDenied()


def _get(session: Session, server_id: int) -> Server:
    row = session.get(Server, server_id)
    if row is None:
        raise NotFound("That server no longer exists.")
    return row


def _port(value: object) -> int | str:
    text = str(value if value is not None else "").strip()
    if not text:
        return 5060
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        return "Enter a port from 1 to 65535 (SIP's is 5060)."
    return int(text)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a server's fields; ValidationError with a message per field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {"name": clean_name(data.get("name"))}
    if message := check_name(out["name"], "Name"):
        errors["name"] = message
    try:
        out["host"] = host_name(data.get("host"), ip=True)
    except HostError as exc:
        errors["host"] = (
            "Enter the server's host name or IP address." if exc.kind == "empty" else exc.message
        )
    port = _port(data.get("port"))
    if isinstance(port, str):
        errors["port"] = port
    out["port"] = port
    out["role"] = str(data.get("role") or ServerRole.SIP_SWITCH.value)
    if out["role"] not in ROLE_LABELS:
        errors["role"] = "Choose SIP switch, Media server or Other."
    out["location"] = clean_name(data.get("location"))
    if len(out["location"]) > 120:
        errors["location"] = "Keep the location under 120 characters."
    out["notes"] = str(data.get("notes") or "").strip()
    if len(out["notes"]) > MAX_NOTES:
        errors["notes"] = f"Keep the notes under {MAX_NOTES} characters."
    if errors:
        raise ValidationError(errors)
    return out


def _status(row: Server) -> str:
    return "maintenance" if row.maintenance else (row.last_status or "unchecked")


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _view(row: Server) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "host": row.host,
        "host_display": host_display(row.host),
        "port": row.port,
        "transport": row.transport,
        "role": row.role,
        "role_label": ROLE_LABELS.get(row.role, row.role),
        "location": row.location,
        "notes": row.notes,
        "maintenance": row.maintenance,
        "status": _status(row),
        "code": row.last_code,
        "checked_at": _iso(row.last_checked_at),
        "seen_at": _iso(row.last_seen_at),
        "latency_ms": row.last_latency_ms,
        "error": row.last_error,
    }


def server_list(*, session: Session, actor: Actor) -> list[dict[str, Any]]:
    _require(actor)
    rows = session.exec(select(Server).order_by(col(Server.name), col(Server.id))).all()
    return [_view(r) for r in rows]


def server_get(*, session: Session, actor: Actor, server_id: int) -> dict[str, Any]:
    _require(actor)
    return _view(_get(session, server_id))


def server_create(*, session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    _require(actor)
    row = Server(**_clean(data))
    session.add(row)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="server.create",
        entity="server",
        entity_id=row.id,
        after=snapshot(row, AUDITED),
    )
    return _view(row)


def server_update(
    *, session: Session, actor: Actor, server_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    _require(actor)
    clean = _clean(data)
    row = _get(session, server_id)
    before = snapshot(row, AUDITED)
    moved = (clean["host"], clean["port"]) != (row.host, row.port)
    for key, value in clean.items():
        setattr(row, key, value)
    if moved:  # the old status was another address's
        row.last_status, row.last_code, row.last_latency_ms, row.last_error = "", None, None, ""
    row.updated_at = utcnow()
    session.add(row)
    audit_record(
        session=session,
        actor=actor,
        action="server.update",
        entity="server",
        entity_id=row.id,
        before=before,
        after=snapshot(row, AUDITED),
    )
    return _view(row)


def server_set_maintenance(
    *, session: Session, actor: Actor, server_id: int, on: bool
) -> dict[str, Any]:
    """Put a server in maintenance (the probe leaves it alone) or take it out."""
    _require(actor)
    row = _get(session, server_id)
    if row.maintenance != on:
        before = snapshot(row, AUDITED)
        row.maintenance, row.updated_at = on, utcnow()
        session.add(row)
        audit_record(
            session=session,
            actor=actor,
            action="server.maintenance_on" if on else "server.maintenance_off",
            entity="server",
            entity_id=row.id,
            before=before,
            after=snapshot(row, AUDITED),
        )
    return _view(row)


def server_delete(*, session: Session, actor: Actor, server_id: int) -> None:
    """Remove a server and its probe history."""
    _require(actor)
    row = _get(session, server_id)
    audit_record(
        session=session,
        actor=actor,
        action="server.delete",
        entity="server",
        entity_id=row.id,
        before=snapshot(row, AUDITED),
    )
    session.exec(delete(ServerProbe).where(col(ServerProbe.server_id) == row.id))
    session.delete(row)


def server_history(
    *, session: Session, actor: Actor, server_id: int, limit: int = HISTORY_SHOWN
) -> list[dict[str, Any]]:
    """The server's newest probes, newest first."""
    _require(actor)
    _get(session, server_id)
    rows = session.exec(
        select(ServerProbe)
        .where(ServerProbe.server_id == server_id)
        .order_by(col(ServerProbe.at).desc(), col(ServerProbe.id).desc())
        .limit(limit)
    ).all()
    return [
        {
            "at": _iso(r.at),
            "result": r.result,
            "code": r.code,
            "latency_ms": r.latency_ms,
            "error": r.error,
        }
        for r in rows
    ]


def server_target(*, session: Session, actor: Actor, server_id: int) -> tuple[str, int]:
    """Where to probe a server now ("Check now"): its host and port."""
    _require(actor)
    row = _get(session, server_id)
    return row.host, row.port


def servers_due(*, session: Session) -> list[tuple[int, str, int]]:
    """(id, host, port) of every server the periodic probe checks: all but those in
    maintenance."""
    rows = session.exec(
        select(Server.id, Server.host, Server.port).where(col(Server.maintenance).is_(False))
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def server_probe_record(
    *,
    session: Session,
    server_id: int,
    host: str,
    port: int,
    outcome: ProbeOutcome,
    now: datetime | None = None,
) -> bool:
    """Store a probe's outcome; False when the server is gone or now lives elsewhere
    (edited while the probe waited: the answer was another address's)."""
    row = session.get(Server, server_id)
    if row is None or (row.host, row.port) != (host, port):
        return False
    now = now or utcnow()
    row.last_status, row.last_code = outcome.result, outcome.code
    row.last_checked_at, row.last_latency_ms = now, outcome.latency_ms
    row.last_error = outcome.error[:300]
    if outcome.result != ProbeResult.DOWN.value:
        row.last_seen_at = now
    session.add(row)
    session.add(
        ServerProbe(
            server_id=server_id,
            at=now,
            result=outcome.result,
            code=outcome.code,
            latency_ms=outcome.latency_ms,
            error=outcome.error[:300],
        )
    )
    return True


def server_probes_prune(*, session: Session, now: datetime | None = None) -> int:
    """Drop probe history older than HISTORY_KEEP; how many rows went."""
    cutoff = (now or utcnow()) - HISTORY_KEEP
    return session.exec(delete(ServerProbe).where(col(ServerProbe.at) < cutoff)).rowcount
