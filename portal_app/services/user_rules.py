"""Rules for operator users (spec 004, My Account > Users): who may see and manage
users, how far a non-administrator's own permissions let them go, and what a valid
user form is."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from portal_app.models import Area, OperatorGroup, OperatorUser, Role

from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .policy import areas_granted, areas_of
from .security_settings import password_minimum
from .validation import check_email, check_name, check_password, clean_name, normalize_email


def _require_user_admin(actor: Actor) -> None:
    if not actor.can(Area.USER):
        raise PermissionDenied()


def _group_grants(session: Session, group_id: int | None) -> dict[str, str]:
    group = session.get(OperatorGroup, group_id) if group_id is not None else None
    return dict(group.grants) if group else {}


def _require_may_manage(
    session: Session,
    actor: Actor,
    *,
    user: OperatorUser | None,
    new_role: str | None,
    new_group_id: int | None,
) -> None:
    """The User area lets a non-administrator manage other users only as far as their
    own permissions reach: nobody grants, directly or through a group, an area they do
    not hold, and only an administrator changes (or resets the password of) a user
    whose permissions exceed the actor's. Without this, a User allowed only the User
    area could put an accomplice, or themselves through a peer's password, in any group.
    """
    if actor.is_admin:
        return
    current_role = user.role if user is not None else None
    if Role.ADMIN.value in (current_role, new_role):
        raise PermissionDenied("Only administrators can add or change administrators.")
    if user is not None and user.id == actor.id:
        raise PermissionDenied("Ask an administrator to change your own role or group.")
    mine = areas_of(actor)
    if (
        user is not None
        and not areas_granted(user.role, _group_grants(session, user.group_id)) <= mine
    ):
        raise PermissionDenied(
            "Only an administrator can change a user who has permissions you do not have."
        )
    if (
        new_role is not None
        and not areas_granted(new_role, _group_grants(session, new_group_id)) <= mine
    ):
        raise ValidationError(
            {"group_id": "That group allows areas you do not have yourself: choose another."}
        )


def _validate_user(
    session: Session, data: dict[str, Any], *, user_id: int | None, password_required: bool
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean = {
        "name": clean_name(data.get("name")),
        "email": normalize_email(data.get("email")),
        "role": str(data.get("role") or ""),
        "enabled": bool(data.get("enabled", True)),
        "group_id": None,
    }
    if msg := check_name(clean["name"]):
        errors["name"] = msg
    if msg := check_email(clean["email"]):
        errors["email"] = msg
    else:
        clash = session.exec(
            select(OperatorUser.id).where(OperatorUser.email == clean["email"])
        ).first()
        if clash is not None and clash != user_id:
            errors["email"] = "Another user already has this email address."
    if clean["role"] not in {r.value for r in Role}:
        errors["role"] = "Choose User or Administrator."
    group_raw = data.get("group_id")
    if group_raw not in (None, "", "none"):
        try:
            group_id = int(group_raw)
        except (TypeError, ValueError):
            group_id = -1
        if session.get(OperatorGroup, group_id) is None:
            errors["group_id"] = "Choose an existing group."
        clean["group_id"] = group_id
    password = str(data.get("password") or "")
    if (password or password_required) and (
        msg := check_password(password, password_minimum(session=session))
    ):
        errors["password"] = msg
    if errors:
        raise ValidationError(errors)
    clean["password"] = password
    return clean
