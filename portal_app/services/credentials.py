"""One's own account, for operators and contacts alike: name, password, two-factor.

Operators (My Account) and contacts (the portal's Profile) change their name and
password and turn TOTP on and off through these functions, so a fix lands once. What
differs between the two is data, not code (:class:`Kind`): the table, the audit
names, the session principal, and recovery codes, which only operators get (a
contact who loses the phone asks the operator, who resets their 2FA).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from sqlmodel import Session, delete

from portal_app.models import Contact, OperatorUser, RecoveryCode
from portal_app.models.base import utcnow

from .audit import audit_record
from .auth import totp_accept
from .crypto import encrypt_secret, hash_password, verify_password
from .errors import Conflict, ValidationError
from .identity import Actor
from .security_settings import password_minimum
from .sessions import session_create, sessions_revoke_for_user
from .totp import Enrolment, enrolment_for, recovery_codes_replace
from .validation import check_name, check_password, clean_name

Account = OperatorUser | Contact


@dataclass(frozen=True)
class Kind:
    """How one kind of login is stored and audited."""

    principal: str  # of its sessions
    entity: str  # audit entity
    prefix: str  # audit action prefix
    rename_action: str
    gone: str  # the row went away while the person was signed in
    recovery_codes: bool


OPERATOR = Kind("operator", "operator_user", "user", "user.profile_update",
                "Your account no longer exists.", True)  # fmt: skip
CONTACT = Kind("contact", "contact", "contact", "contact.rename",
               "Your login no longer exists.", False)  # fmt: skip


def account_of(*, session: Session, actor: Actor) -> tuple[Kind, Account]:
    """The actor's own row and its kind; Conflict when it is gone."""
    if actor.is_contact:
        contact = session.get(Contact, actor.id)
        if contact is None or contact.customer_id != actor.customer_id:
            raise Conflict(CONTACT.gone)
        return CONTACT, contact
    user = session.get(OperatorUser, actor.id) if actor.kind == "operator" else None
    if user is None:
        raise Conflict(OPERATOR.gone)
    return OPERATOR, user


def _audit(session: Session, actor: Actor, kind: Kind, row: Account, action: str, **change):
    audit_record(
        session=session,
        actor=actor,
        action=action,
        entity=kind.entity,
        entity_id=row.id,
        **change,
    )


def new_password_errors(
    new: str, confirm: str, errors: dict[str, str] | None = None, *, session: Session
) -> None:
    """Raise ValidationError with ``errors`` and any problem of the new password."""
    errors = errors if errors is not None else {}
    if msg := check_password(str(new), password_minimum(session=session)):
        errors["new_password"] = msg
    elif new != confirm:
        errors["confirm_password"] = "The two new passwords do not match."
    if errors:
        raise ValidationError(errors)


def profile_rename(*, session: Session, actor: Actor, name: str) -> Account:
    """Rename oneself (email, role and customer are changed by an operator)."""
    kind, row = account_of(session=session, actor=actor)
    name = clean_name(name)
    if msg := check_name(name):
        raise ValidationError({"name": msg})
    before = {"name": row.name}
    row.name = name
    if isinstance(row, Contact):
        row.updated_at = utcnow()
    session.add(row)
    _audit(session, actor, kind, row, kind.rename_action, before=before, after={"name": name})
    return row


def password_change(
    *,
    session: Session,
    actor: Actor,
    current: str,
    new: str,
    confirm: str,
    client: str = "",
    user_agent: str = "",
) -> str:
    """Change one's own password. Every session of the login ends; the browser that
    asked gets a fresh one, whose token is returned."""
    kind, row = account_of(session=session, actor=actor)
    errors: dict[str, str] = {}
    if not verify_password(str(current)[:256], row.password_hash):
        errors["current_password"] = "Your current password is not correct."
    new_password_errors(new, confirm, errors, session=session)
    row.password_hash = hash_password(new)
    session.add(row)
    sessions_revoke_for_user(session=session, user_id=row.id, principal=kind.principal)
    _audit(
        session, actor, kind, row, f"{kind.prefix}.password_change", after={"password": "changed"}
    )
    return session_create(
        session=session,
        user_id=row.id,
        principal=kind.principal,
        client_ip=client,
        user_agent=user_agent,
    )


def totp_begin(*, session: Session, actor: Actor) -> Enrolment:
    """Start (or restart) enrolment with a new secret; 2FA stays off until confirmed."""
    _kind, row = account_of(session=session, actor=actor)
    if row.totp_enabled:
        raise Conflict("Two-factor authentication is already on.")
    secret = pyotp.random_base32()
    row.totp_secret_enc, row.totp_last_step = encrypt_secret(secret), 0
    session.add(row)
    return enrolment_for(row.email, secret)


def totp_confirm(*, session: Session, actor: Actor, code: str) -> list[str]:
    """Turn 2FA on once a code from the app matches; returns the new recovery codes
    (none for contacts)."""
    kind, row = account_of(session=session, actor=actor)
    if row.totp_enabled:
        raise Conflict("Two-factor authentication is already on.")
    if not row.totp_secret_enc:
        raise Conflict("Start the set-up again.")
    if not totp_accept(session=session, user=row, code=code):
        raise ValidationError(
            {
                "totp_code": "That code does not match. Check the time on your phone and "
                "enter the newest code."
            }
        )
    row.totp_enabled = True
    session.add(row)
    codes = recovery_codes_replace(session=session, user=row) if kind.recovery_codes else []
    _audit(session, actor, kind, row, f"{kind.prefix}.totp_enable", after={"totp_enabled": True})
    return codes


def totp_disable(*, session: Session, actor: Actor, password: str) -> None:
    """Turn 2FA off; needs the account password so a left-open browser cannot."""
    kind, row = account_of(session=session, actor=actor)
    if not verify_password(str(password)[:256], row.password_hash):
        raise ValidationError({"totp_password": "Your password is not correct."})
    row.totp_enabled, row.totp_secret_enc, row.totp_last_step = False, None, 0
    session.add(row)
    if kind.recovery_codes:
        session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == row.id))
    _audit(session, actor, kind, row, f"{kind.prefix}.totp_disable", after={"totp_enabled": False})
