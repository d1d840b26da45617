"""Operator login: password, throttling, second factor.

Changing one's password or 2FA is services/credentials.py (operators and contacts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from portal_app.models import Contact, OperatorUser, RecoveryCode
from portal_app.models.base import utcnow

from .crypto import decrypt_secret, token_hash, verify_password
from .devices import device_trusted
from .errors import AuthFailed
from .login_alerts import operator_login_alert
from .login_throttle import login_throttle_check, login_throttle_clear, login_throttle_fail
from .sessions import session_create
from .validation import normalize_email

OPERATOR = "operator"  # the principal of operator sessions
BAD_LOGIN = "Email or password is incorrect."
BAD_CODE = "That code is not valid. Enter the current code from your app or a recovery code."


@dataclass(frozen=True)
class PasswordResult:
    """Outcome of the password step: a session, or a second factor still due."""

    user_id: int
    needs_totp: bool
    token: str | None = None


def login_password(
    *,
    session: Session,
    email: str,
    password: str,
    client: str = "",
    user_agent: str = "",
    device: str = "",
    pause: Callable[[float], None] = time.sleep,
) -> PasswordResult:
    """Check email and password. Slow by design (argon2): call it in a thread.

    Unknown email, wrong password and disabled account give the same answer, after the
    same work. ``device`` is the browser's device cookie: a browser that logged in to
    this account before is slowed down (``pause``) rather than refused past the limits.
    """
    email = normalize_email(email)
    user = session.exec(select(OperatorUser).where(OperatorUser.email == email)).first()
    _wait(session, user, email, client, device, pause)
    ok = verify_password(str(password)[:256], user.password_hash if user else None)
    if not ok or user is None or not user.enabled:
        _refuse(session, user, email, client, BAD_LOGIN)
    if user.totp_enabled:
        return PasswordResult(user_id=user.id, needs_totp=True)
    return PasswordResult(
        user_id=user.id, needs_totp=False, token=_finish_login(session, user, client, user_agent)
    )


def _wait(
    session: Session,
    user: OperatorUser | None,
    email: str,
    client: str,
    device: str,
    pause: Callable[[float], None],
) -> None:
    trusted = user is not None and device_trusted(token=device, principal=OPERATOR, user_id=user.id)
    seconds = login_throttle_check(
        session=session, principal=OPERATOR, email=email, client=client, trusted=trusted
    )
    if seconds:
        pause(seconds)


def _refuse(
    session: Session, user: OperatorUser | None, email: str, client: str, message: str
) -> NoReturn:
    login_throttle_fail(
        session=session,
        principal=OPERATOR,
        email=email,
        client=client,
        owner=user.name if user is not None else None,
    )
    session.commit()  # the failure must count even though we raise
    raise AuthFailed(message)


def login_second_factor(
    *,
    session: Session,
    user_id: int,
    code: str,
    client: str = "",
    user_agent: str = "",
    device: str = "",
    pause: Callable[[float], None] = time.sleep,
) -> str:
    """Accept a TOTP code (once) or an unused recovery code; returns a session token."""
    user = session.get(OperatorUser, user_id)
    if user is None or not user.enabled or not user.totp_enabled:
        raise AuthFailed(BAD_LOGIN)
    _wait(session, user, user.email, client, device, pause)
    if not (
        totp_accept(session=session, user=user, code=code)
        or recovery_code_use(session=session, user=user, code=code)
    ):
        _refuse(session, user, user.email, client, BAD_CODE)
    return _finish_login(session, user, client, user_agent)


def _finish_login(session: Session, user: OperatorUser, client: str, agent: str) -> str:
    login_throttle_clear(session=session, principal=OPERATOR, email=user.email, client=client)
    user.last_login_at = utcnow()
    session.add(user)
    operator_login_alert(session=session, user=user, client=client, user_agent=agent)
    return session_create(session=session, user_id=user.id, client_ip=client, user_agent=agent)


def totp_accept(*, session: Session, user: OperatorUser | Contact, code: str) -> bool:
    """True once per time-step: a code that was used cannot be replayed.

    The step is taken by one conditional UPDATE whose row count decides, so two
    submissions of the same code at the same moment cannot both pass.
    """
    code = "".join(str(code).split())
    if not user.totp_secret_enc or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(decrypt_secret(user.totp_secret_enc))
    now_step = totp.timecode(utcnow())
    for step in (now_step - 1, now_step, now_step + 1):
        if step > user.totp_last_step and pyotp.utils.strings_equal(totp.generate_otp(step), code):
            table = type(user)
            taken = session.execute(
                sa.update(table)
                .where(table.id == user.id, table.totp_last_step < step)
                .values(totp_last_step=step)
            )
            if taken.rowcount != 1:
                return False
            set_committed_value(user, "totp_last_step", step)
            return True
    return False


def recovery_code_use(*, session: Session, user: OperatorUser, code: str) -> bool:
    """True once per recovery code, by one conditional UPDATE (as for TOTP codes)."""
    normalized = "".join(str(code).split()).replace("-", "").upper()
    if len(normalized) != 10:
        return False
    used = session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == token_hash(normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return used.rowcount == 1
