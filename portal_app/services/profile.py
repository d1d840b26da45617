"""An operator's own details (My Account > Personal Information); renaming oneself is
services/credentials.py, for operators and contacts alike."""

from __future__ import annotations

from sqlmodel import Session

from portal_app.models import OperatorUser

from .errors import NotFound
from .identity import Actor


def profile_get(*, session: Session, actor: Actor) -> OperatorUser:
    user = session.get(OperatorUser, actor.id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    return user
