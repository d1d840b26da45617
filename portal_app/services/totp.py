"""Two-factor pieces: the enrolment (secret, QR code) and operators' recovery codes.

Turning 2FA on and off is services/credentials.py, for operators and contacts alike.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlmodel import Session, delete

from portal_app.models import OperatorUser, RecoveryCode

from .audit import audit_record
from .crypto import decrypt_secret, token_hash, verify_password
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


def enrolment_for(email: str, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return Enrolment(secret=secret, uri=uri, qr_svg_data_uri=qr)


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


def current_secret(user: OperatorUser) -> str | None:
    return decrypt_secret(user.totp_secret_enc) if user.totp_secret_enc else None
