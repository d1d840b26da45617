"""An operator's own details (My Account > Personal Information)."""

from __future__ import annotations

from sqlmodel import Session

from portal_app.models import OperatorUser

from .audit import audit_record
from .errors import NotFound, ValidationError
from .identity import Actor
from .validation import check_name, clean_name


def profile_get(*, session: Session, actor: Actor) -> OperatorUser:
    user = session.get(OperatorUser, actor.id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    return user


def profile_update(*, session: Session, actor: Actor, name: str) -> OperatorUser:
    """Rename oneself. Email, role and group are changed by an administrator."""
    user = profile_get(session=session, actor=actor)
    name = clean_name(name)
    if msg := check_name(name):
        raise ValidationError({"name": msg})
    before = {"name": user.name}
    user.name = name
    session.add(user)
    audit_record(
        session=session,
        actor=actor,
        action="user.profile_update",
        entity="operator_user",
        entity_id=user.id,
        before=before,
        after={"name": name},
    )
    return user
