"""Operator groups (spec 004, My Account > Users > Groups): a named set of grants per
area. Anyone with the User area sees them; only administrators create, change or
delete them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from portal_app.models import Area, Grant, OperatorGroup, OperatorUser

from .audit import audit_record, snapshot
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .user_rules import _require_user_admin
from .validation import check_name, clean_name


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can change groups.")


def group_list(*, session: Session, actor: Actor) -> list[OperatorGroup]:
    _require_user_admin(actor)
    return list(session.exec(select(OperatorGroup).order_by(OperatorGroup.name)).all())


def _validate_group(session: Session, data: dict[str, Any], group_id: int | None):
    errors: dict[str, str] = {}
    name = clean_name(data.get("name"))
    if msg := check_name(name, max_len=80):
        errors["name"] = msg
    else:
        clash = session.exec(
            select(OperatorGroup.id).where(func.lower(OperatorGroup.name) == name.lower())
        ).first()
        if clash is not None and clash != group_id:
            errors["name"] = "Another group already has this name."
    raw = data.get("grants") or {}
    grants: dict[str, str] = {}
    if not isinstance(raw, dict):
        errors["grants"] = "Permissions are malformed."
    else:
        valid = {g.value for g in Grant}
        for area in Area:
            value = str(raw.get(area.value, Grant.SELECT.value))
            if value not in valid:
                errors[f"grant_{area.value}"] = "Choose Select, Allow or Deny."
            grants[area.value] = value
        unknown = set(raw) - {a.value for a in Area}
        if unknown:
            errors["grants"] = f"Unknown area: {', '.join(sorted(map(str, unknown)))}."
    if errors:
        raise ValidationError(errors)
    return name, grants


def group_create(*, session: Session, actor: Actor, data: dict[str, Any]) -> OperatorGroup:
    _require_admin(actor)
    name, grants = _validate_group(session, data, None)
    group = OperatorGroup(name=name, grants=grants)
    session.add(group)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="group.create",
        entity="operator_group",
        entity_id=group.id,
        after=snapshot(group, ["id", "name", "grants"]),
    )
    return group


def group_update(
    *, session: Session, actor: Actor, group_id: int, data: dict[str, Any]
) -> OperatorGroup:
    _require_admin(actor)
    group = session.get(OperatorGroup, group_id)
    if group is None:
        raise NotFound("That group no longer exists.")
    before = snapshot(group, ["id", "name", "grants"])
    group.name, group.grants = _validate_group(session, data, group_id)
    session.add(group)
    audit_record(
        session=session,
        actor=actor,
        action="group.update",
        entity="operator_group",
        entity_id=group.id,
        before=before,
        after=snapshot(group, ["id", "name", "grants"]),
    )
    return group


def group_delete(*, session: Session, actor: Actor, group_id: int) -> None:
    """Delete a group; its members keep their accounts and lose its permissions."""
    _require_admin(actor)
    group = session.get(OperatorGroup, group_id)
    if group is None:
        raise NotFound("That group no longer exists.")
    before = snapshot(group, ["id", "name", "grants"])
    for member in session.exec(select(OperatorUser).where(OperatorUser.group_id == group_id)):
        member.group_id = None
        session.add(member)
    session.delete(group)
    audit_record(
        session=session,
        actor=actor,
        action="group.delete",
        entity="operator_group",
        entity_id=group_id,
        before=before,
    )


def group_member_counts(*, session: Session) -> dict[int, int]:
    rows = session.exec(
        select(OperatorUser.group_id, func.count()).group_by(OperatorUser.group_id)
    ).all()
    return {gid: n for gid, n in rows if gid is not None}
