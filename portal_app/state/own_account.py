"""What the operator's My Account and the contact's Profile share: the calls behind
their name, password and 2FA forms (services/credentials.py serves both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal_app.services import credentials
from portal_app.services.db import session_scope
from portal_app.services.identity import Actor


def change_password(who: Actor, form: dict, client: str, agent: str) -> str:
    """Change ``who``'s password from the form; the new session's token."""
    with session_scope() as session:
        return credentials.password_change(
            session=session,
            actor=who,
            current=str(form.get("current_password", ""))[:256],
            new=str(form.get("new_password", ""))[:300],
            confirm=str(form.get("confirm_password", ""))[:300],
            client=client,
            user_agent=agent,
        )


def with_password(fn: Callable[..., Any], who: Actor, password: str) -> Any:
    """Run a credentials call that needs the account password (2FA off, new codes)."""
    with session_scope() as session:
        return fn(session=session, actor=who, password=str(password)[:256])
