"""Audit rows for every change, written in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from portal_app.models import AuditEvent

from .errors import PermissionDenied
from .identity import Actor

# Never copied into an audit row, whatever the entity.
_SECRET_FIELDS = {
    "password_hash",
    "totp_secret_enc",
    "code_hash",
    "token_hash",
    "smtp_password_enc",
    "secret_key_enc",
    "webhook_secret_enc",
}


def snapshot(obj: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe copy of a row's fields, without secrets."""
    data = obj.model_dump() if hasattr(obj, "model_dump") else dict(obj)
    out = {}
    for key, value in data.items():
        if key in _SECRET_FIELDS or (fields is not None and key not in fields):
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def audit_record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the caller's transaction."""
    row = AuditEvent(
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        entity=entity,
        entity_id="" if entity_id is None else str(entity_id),
        before=before,
        after=after,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    total: int


def _require_log(actor: Actor) -> None:
    from portal_app.models import Area

    if not actor.can(Area.LOG):
        raise PermissionDenied()


def audit_list(
    *,
    session: Session,
    actor: Actor,
    search: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    who: str = "",
    action: str = "",
    offset: int = 0,
    limit: int = 25,
) -> AuditPage:
    """Newest first; ``search`` matches action, entity or who; ``since`` (inclusive) and
    ``until`` (exclusive) bound the time, ``who`` and ``action`` are exact."""
    _require_log(actor)
    query = select(AuditEvent)
    count = select(func.count()).select_from(AuditEvent)
    exact = []
    if since is not None:
        exact.append(AuditEvent.at >= since)
    if until is not None:
        exact.append(AuditEvent.at < until)
    if who:
        exact.append(AuditEvent.actor_label == who)
    if action:
        exact.append(AuditEvent.action == action)
    if exact:
        query, count = query.where(*exact), count.where(*exact)
    if search:
        # The search is literal text: % and _ typed by a person are not wildcards.
        literal = search.strip().lower().replace("\\", "\\\\")
        literal = literal.replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{literal}%"
        cond = (
            func.lower(AuditEvent.action).like(pattern, escape="\\")
            | func.lower(AuditEvent.entity).like(pattern, escape="\\")
            | func.lower(AuditEvent.actor_label).like(pattern, escape="\\")
        )
        query, count = query.where(cond), count.where(cond)
    rows = session.exec(
        query.order_by(AuditEvent.id.desc()).offset(max(offset, 0)).limit(limit)
    ).all()
    return AuditPage(rows=list(rows), total=session.exec(count).one())


def audit_filter_choices(*, session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """(everyone who changed something, every action recorded), for the log's filters."""
    _require_log(actor)
    people = session.exec(
        select(AuditEvent.actor_label).distinct().order_by(AuditEvent.actor_label)
    ).all()
    actions = session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return list(people), list(actions)
