"""An operator's own details (My Account > Personal Information): name and mobile.
Renaming a contact, passwords and 2FA are services/credentials.py, for both kinds."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from portal_app.models import AccountConfig, OperatorUser

from .audit import audit_record
from .errors import NotFound, ValidationError
from .identity import Actor
from .validation import check_name, check_phone, clean_name, normalize_phone


def profile_get(*, session: Session, actor: Actor) -> OperatorUser:
    user = session.get(OperatorUser, actor.id) if actor.kind == "operator" else None
    if user is None:
        raise NotFound("Your account no longer exists.")
    return user


def profile_update(*, session: Session, actor: Actor, data: dict[str, Any]) -> OperatorUser:
    """Save one's name and mobile number (E.164; empty clears it). Nothing changes
    when either is wrong: the messages are per field."""
    user = profile_get(session=session, actor=actor)
    name = clean_name(str(data.get("name", user.name))[:200])
    mobile = str(data.get("mobile", user.mobile) or "").strip()[:40]
    errors: dict[str, str] = {}
    region = (session.get(AccountConfig, 1) or AccountConfig()).country  # national numbers
    if msg := check_name(name):
        errors["name"] = msg
    if mobile and (msg := check_phone(mobile, region)):
        errors["mobile"] = msg.replace("phone number", "mobile number")
    if errors:
        raise ValidationError(errors)
    before = {"name": user.name, "mobile": user.mobile}
    user.name, user.mobile = name, normalize_phone(mobile, region) if mobile else ""

    after = {"name": user.name, "mobile": user.mobile}
    if after != before:
        session.add(user)
        audit_record(
            session=session,
            actor=actor,
            action="user.profile_update",
            entity="operator_user",
            entity_id=user.id,
            before=before,
            after=after,
        )
    return user
