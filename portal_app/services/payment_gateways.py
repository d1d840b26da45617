"""Payment gateways (Setup › My Account › API): add, edit, check and delete them.

Only operators allowed the Payment area. Keys are encrypted at rest (services/crypto.py,
as the SMTP password) and never leave this module in a view: a view says whether a key
is saved, and an empty key field on save means "unchanged". Audit rows never carry the
keys. The form's fields are checked in services/payment_gateway_form.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlmodel import Session, select

from portal_app.models import Area, AttemptStatus, PaymentAttempt, PaymentGateway, Provider
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .crypto import decrypt_secret
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import micros_to_minor
from .money import plain_micros as _plain_micros
from .payment_gateway_form import gateway_form_apply
from .payment_providers import Credentials, ProviderError, provider_for, stripe_key_mode

PUBLIC_FIELDS = [
    "id",
    "name",
    "provider",
    "mode",
    "public_key",
    "account_email",
    "currencies",
    "min_micros",
    "max_micros",
    "surcharge_bp",
    "surcharge_fixed_micros",
    "presets_micros",
    "enabled",
]


def _require(actor: Actor) -> None:
    if not actor.can(Area.PAYMENT):
        raise PermissionDenied()


def plain_micros(value: int | None) -> str:
    return "" if value is None else _plain_micros(value)


def gateway_view(row: PaymentGateway) -> dict[str, Any]:
    """What a form or a list shows: never a key, only whether one is saved."""
    return {
        "id": row.id,
        "name": row.name,
        "provider": row.provider,
        "mode": row.mode,
        "public_key": row.public_key,
        "account_email": row.account_email,
        "currencies": ", ".join(row.currencies or []),
        "min_amount": plain_micros(row.min_micros),
        "max_amount": plain_micros(row.max_micros),
        "surcharge_percent": f"{Decimal(row.surcharge_bp).scaleb(-2):f}",
        "surcharge_fixed": plain_micros(row.surcharge_fixed_micros or None),
        "presets": ", ".join(plain_micros(p) for p in row.presets_micros or []),
        "enabled": row.enabled,
        "has_secret_key": bool(row.secret_key_enc),
        "has_webhook_secret": bool(row.webhook_secret_enc),
        "checked_at": row.checked_at.isoformat() if row.checked_at else "",
        "check_ok": row.check_ok,
        "check_message": row.check_message,
    }


def gateway_list(*, session: Session, actor: Actor) -> list[dict[str, Any]]:
    _require(actor)
    rows = session.exec(select(PaymentGateway).order_by(PaymentGateway.name, PaymentGateway.id))
    return [gateway_view(r) for r in rows]


def _get(session: Session, gateway_id: int) -> PaymentGateway:
    row = session.get(PaymentGateway, gateway_id)
    if row is None:
        raise NotFound("That gateway does not exist.")
    return row


def gateway_get(*, session: Session, actor: Actor, gateway_id: int) -> dict[str, Any]:
    _require(actor)
    return gateway_view(_get(session, gateway_id))


def gateway_create(*, session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Add a gateway for ``data["provider"]`` (stripe or paypal)."""
    _require(actor)
    provider = str(data.get("provider") or "")
    if provider not in set(Provider):
        raise ValidationError({"provider": "Choose PayPal or Stripe."})
    row = PaymentGateway(provider=provider, name="")
    errors = gateway_form_apply(row, data)
    if errors:
        raise ValidationError(errors)
    session.add(row)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="gateway.create",
        entity="payment_gateway",
        entity_id=row.id,
        after=snapshot(row, PUBLIC_FIELDS),
    )
    return gateway_view(row)


def gateway_update(
    *, session: Session, actor: Actor, gateway_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    """Change a gateway; empty key fields keep the saved keys."""
    _require(actor)
    row = _get(session, gateway_id)
    before = snapshot(row, PUBLIC_FIELDS)
    old_keys = (row.secret_key_enc, row.webhook_secret_enc)
    errors = gateway_form_apply(row, data)
    # The saved key must suit the mode too (test → live keeping the old key).
    if (
        not errors
        and row.provider == Provider.STRIPE
        and not data.get("secret_key")
        and stripe_key_mode(credentials(row).secret_key) != row.mode
    ):
        errors["secret_key"] = f"Enter a secret key for {row.mode} mode."
    if errors:
        session.expire(row)
        raise ValidationError(errors)
    row.updated_at = utcnow()
    after = snapshot(row, PUBLIC_FIELDS)
    after["keys"] = "changed" if old_keys != (row.secret_key_enc, row.webhook_secret_enc) else ""
    audit_record(
        session=session,
        actor=actor,
        action="gateway.update",
        entity="payment_gateway",
        entity_id=row.id,
        before=before,
        after=after,
    )
    return gateway_view(row)


def gateway_delete(*, session: Session, actor: Actor, gateway_id: int) -> None:
    """Remove a gateway, unless a payment through it is still in flight."""
    _require(actor)
    row = _get(session, gateway_id)
    pending = session.exec(
        select(PaymentAttempt.id).where(
            PaymentAttempt.gateway_id == row.id,
            PaymentAttempt.status == AttemptStatus.PENDING.value,
        )
    ).first()
    if pending is not None:
        raise Conflict("A payment through this gateway is still pending: try again later.")
    audit_record(
        session=session,
        actor=actor,
        action="gateway.delete",
        entity="payment_gateway",
        entity_id=row.id,
        before=snapshot(row, PUBLIC_FIELDS),
    )
    session.delete(row)


def credentials(row: PaymentGateway) -> Credentials:
    """The decrypted keys, for one provider call (services only)."""
    return Credentials(
        mode=row.mode,
        public_key=row.public_key,
        secret_key=decrypt_secret(row.secret_key_enc) if row.secret_key_enc else "",
        webhook_secret=decrypt_secret(row.webhook_secret_enc) if row.webhook_secret_enc else "",
    )


def gateway_check(*, session: Session, actor: Actor, gateway_id: int) -> dict[str, Any]:
    """Ask the provider whether the saved credentials work (Refresh); the answer is kept."""
    _require(actor)
    row = _get(session, gateway_id)
    try:
        message, ok = provider_for(row.provider).check(credentials(row)), True
    except (ProviderError, ValueError) as exc:
        message, ok = str(getattr(exc, "message", exc)), False
    row.checked_at, row.check_ok, row.check_message = utcnow(), ok, message[:500]
    return gateway_view(row)


def surcharge_for(row: PaymentGateway, amount: int, currency: str) -> int:
    """The surcharge on ``amount`` minor units: percent (half up) plus the fixed part."""
    percent = (Decimal(amount) * row.surcharge_bp / 10000).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return int(percent) + micros_to_minor(row.surcharge_fixed_micros or 0, currency)
