"""My Account › Settings: the account's security settings (administrators only).

- Session lifetimes: idle minutes and absolute days. Unset, the environment's
  ``PORTAL_SESSION_IDLE_MINUTES`` / ``PORTAL_SESSION_DAYS`` apply; set, the account's
  value wins, within the bounds the environment's settings allow.
- "Require two-factor authentication for all operators": an operator without TOTP is
  sent to Personal Information after login and can do nothing else until it is on
  (services/policy.py asks ``Actor.totp_required``, set by services/principals.py).
- Minimum password length, for operators and contacts; never below the built-in 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from portal_app.models import AccountConfig
from portal_app.models.base import utcnow
from portal_app.settings import Settings, get_settings

from .audit import audit_record
from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .validation import MIN_PASSWORD

PASSWORD_MAX = 128  # longer minimums lock people out; passwords may be 256 characters
FIELDS = ("session_idle_minutes", "session_days", "require_totp", "min_password_length")


def _bounds(name: str) -> tuple[int, int]:
    """(least, most) the environment's own setting of that name allows."""
    low, high = 1, 10**9
    for item in Settings.model_fields[name].metadata:
        low = getattr(item, "ge", None) or low
        high = getattr(item, "le", None) or high
    return low, high


@dataclass(frozen=True)
class SessionLimits:
    idle_minutes: int
    days: int


def session_limits(*, session: Session) -> SessionLimits:
    """The lifetimes in force: the account's, else the environment's."""
    env = get_settings()
    account = session.get(AccountConfig, 1)
    idle = account.session_idle_minutes if account else None
    days = account.session_days if account else None
    return SessionLimits(idle or env.session_idle_minutes, days or env.session_days)


def password_minimum(*, session: Session) -> int:
    """The shortest password accepted for operators and contacts (at least 10)."""
    account = session.get(AccountConfig, 1)
    return max(MIN_PASSWORD, account.min_password_length if account else MIN_PASSWORD)


def password_hint(*, session: Session) -> str:
    """The hint under every field that sets a password: the account's actual minimum."""
    return f"At least {password_minimum(session=session)} characters."


def totp_required(*, session: Session) -> bool:

    account = session.get(AccountConfig, 1)
    return bool(account and account.require_totp)


def security_settings_get(*, session: Session, actor: Actor) -> AccountConfig:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can change security settings.")
    return session.get(AccountConfig, 1) or AccountConfig(id=1)


def _whole(raw: Any, label: str, low: int, high: int, errors: dict, key: str) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        errors[key] = f"{label}: enter a whole number from {low} to {high}."
        return None
    return int(text)


def security_settings_update(
    *, session: Session, actor: Actor, data: dict[str, Any]
) -> AccountConfig:
    """Save the Settings form; every bad field gets its message and nothing changes.
    An empty lifetime means "the environment's value"."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can change security settings.")
    existing = session.get(AccountConfig, 1)
    row = existing or AccountConfig(id=1)
    before = {k: getattr(row, k) for k in FIELDS} if existing else None
    errors: dict[str, str] = {}
    low, high = _bounds("session_idle_minutes")
    idle = _whole(data.get("session_idle_minutes"), "Idle timeout", low, high, errors,
                  "session_idle_minutes")  # fmt: skip
    low, high = _bounds("session_days")
    days = _whole(data.get("session_days"), "Session lifetime", low, high, errors,
                  "session_days")  # fmt: skip
    minimum = _whole(data.get("min_password_length"), "Minimum password length",
                     MIN_PASSWORD, PASSWORD_MAX, errors, "min_password_length")  # fmt: skip
    if not str(data.get("min_password_length", "")).strip():
        errors["min_password_length"] = f"Enter a length of at least {MIN_PASSWORD}."
    if idle is not None and days is not None and idle > days * 24 * 60:
        errors["session_idle_minutes"] = "The idle timeout cannot be longer than the lifetime."
    if errors:
        raise ValidationError(errors)
    row.session_idle_minutes, row.session_days = idle, days
    row.require_totp = str(data.get("require_totp", "")).lower() in ("on", "true", "1", "yes")
    row.min_password_length = minimum
    row.updated_at = utcnow()
    session.add(row)
    audit_record(
        session=session,
        actor=actor,
        action="config.security",
        entity="account_config",
        entity_id=1,
        before=before,
        after={k: getattr(row, k) for k in FIELDS},
    )
    return row
