"""Two-factor enrolment for operators: TOTP secret, QR code, recovery codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlmodel import Session, delete

from portal_app.models import OperatorUser, RecoveryCode

from .audit import audit_record
from .auth import totp_accept
from .crypto import decrypt_secret, encrypt_secret, token_hash, verify_password
from .errors import Conflict, ValidationError
from .identity import Actor

ISSUER = "Carrier Portal"
RECOVERY_CODE_COUNT = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


@dataclass(frozen=True)
class Enrolment:
    """What the person needs to set up their app. Shown once, never stored client-side
    after confirmation."""

    secret: str
    uri: str
    qr_svg_data_uri: str


def _me(session: Session, actor: Actor) -> OperatorUser:
    user = session.get(OperatorUser, actor.id)
    if user is None:
        raise Conflict("Your account no longer exists.")
    return user


def totp_begin(*, session: Session, actor: Actor) -> Enrolment:
    """Start (or restart) enrolment with a new secret; 2FA stays off until confirmed."""
    user = _me(session, actor)
    if user.totp_enabled:
        raise Conflict("Two-factor authentication is already on.")
    secret = pyotp.random_base32()
    user.totp_secret_enc = encrypt_secret(secret)
    user.totp_last_step = 0
    session.add(user)
    return enrolment_for(user.email, secret)


def enrolment_for(email: str, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return Enrolment(secret=secret, uri=uri, qr_svg_data_uri=qr)


def totp_confirm(*, session: Session, actor: Actor, code: str) -> list[str]:
    """Turn 2FA on once a code from the app matches; returns new recovery codes."""
    user = _me(session, actor)
    if user.totp_enabled:
        raise Conflict("Two-factor authentication is already on.")
    if not user.totp_secret_enc:
        raise Conflict("Start the set-up again.")
    if not totp_accept(session=session, user=user, code=code):
        raise ValidationError(
            {
                "totp_code": "That code does not match. Check the time on "
                "your phone and enter the newest code."
            }
        )
    user.totp_enabled = True
    session.add(user)
    codes = recovery_codes_replace(session=session, user=user)
    audit_record(
        session=session,
        actor=actor,
        action="user.totp_enable",
        entity="operator_user",
        entity_id=user.id,
        after={"totp_enabled": True},
    )
    return codes


def recovery_codes_replace(*, session: Session, user: OperatorUser) -> list[str]:
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)
    ]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=token_hash(code)))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_codes_regenerate(*, session: Session, actor: Actor, password: str) -> list[str]:
    user = _me(session, actor)
    if not user.totp_enabled:
        raise Conflict("Turn on two-factor authentication first.")
    if not verify_password(str(password)[:256], user.password_hash):
        raise ValidationError({"totp_password": "Your password is not correct."})
    codes = recovery_codes_replace(session=session, user=user)
    audit_record(
        session=session,
        actor=actor,
        action="user.recovery_codes",
        entity="operator_user",
        entity_id=user.id,
        after={"regenerated": True},
    )
    return codes


def totp_disable(*, session: Session, actor: Actor, password: str) -> None:
    """Turn 2FA off; needs the account password so a left-open browser cannot."""
    user = _me(session, actor)
    if not verify_password(str(password)[:256], user.password_hash):
        raise ValidationError({"totp_password": "Your password is not correct."})
    user.totp_enabled = False
    user.totp_secret_enc = None
    user.totp_last_step = 0
    session.add(user)
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit_record(
        session=session,
        actor=actor,
        action="user.totp_disable",
        entity="operator_user",
        entity_id=user.id,
        after={"totp_enabled": False},
    )


def current_secret(user: OperatorUser) -> str | None:
    return decrypt_secret(user.totp_secret_enc) if user.totp_secret_enc else None
