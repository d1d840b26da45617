"""Payment gateways (Setup › My Account › API): add, edit, check and delete them.

Only operators allowed the Payment area. Keys are encrypted at rest (services/crypto.py,
as the SMTP password) and never leave this module in a view: a view says whether a key
is saved, and an empty key field on save means "unchanged". Audit rows never carry the
keys. A Stripe key's prefix names its mode, so a live key in a test gateway (or the
reverse) is refused before anything is saved.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlmodel import Session, select

from portal_app.models import (
    Area,
    AttemptStatus,
    GatewayMode,
    PaymentAttempt,
    PaymentGateway,
    Provider,
)
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .crypto import decrypt_secret, encrypt_secret
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import MICRO_DIGITS, check_currency, exponent, micros_to_minor, parse_micros
from .money import plain_micros as _plain_micros
from .payment_providers import Credentials, ProviderError, provider_for, stripe_key_mode
from .validation import check_email, normalize_email

MAX_PRESETS = 8
MAX_SURCHARGE_BP = 2000  # 20 %: more is a typo
_PERCENT = re.compile(r"([0-9]{1,2})(?:\.([0-9]{1,2}))?", re.ASCII)
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


def _currencies(value: Any, errors: dict[str, str]) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").replace(" ", ",").split(",")
    codes: list[str] = []
    for item in items:
        if not str(item).strip():
            continue
        try:
            code = check_currency(str(item), field="currencies")
        except ValidationError as exc:
            errors.update(exc.fields)
            return []
        if code not in codes:
            codes.append(code)
    if not codes:
        errors.setdefault("currencies", "Choose at least one currency.")
    return codes


def _micros(text: str, field: str, codes: list[str], errors: dict[str, str]) -> int | None:
    """An amount that means the same in every accepted currency (no yen cents)."""
    text = str(text or "").strip()
    if not text:
        return None
    try:
        value = parse_micros(text, codes[0] if codes else "USD", field=field, allow_zero=False)
    except ValidationError as exc:
        errors.update(exc.fields)
        return None
    for code in codes:
        if value % 10 ** (MICRO_DIGITS - exponent(code)):
            errors[field] = f"{code} has {exponent(code)} decimals: {text} cannot be paid in it."
            return None
    return value


def _percent(text: str, errors: dict[str, str]) -> int:
    text = str(text or "").strip() or "0"
    match = _PERCENT.fullmatch(text)
    if not match:
        errors["surcharge_percent"] = "Enter a percentage like 2.9 (up to two decimals)."
        return 0
    bp = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0") or 0)
    if bp > MAX_SURCHARGE_BP:
        errors["surcharge_percent"] = "A surcharge can be at most 20 %."
    return bp


def _check_keys(row: PaymentGateway, public: str, secret: str, errors: dict[str, str]) -> None:
    if row.provider != Provider.STRIPE:
        return
    want = row.mode
    if public and stripe_key_mode(public) != want or public and not public.startswith("pk_"):
        errors["public_key"] = f"Enter a Stripe publishable key for {want} mode (pk_{want}_…)."
    if secret and (stripe_key_mode(secret) != want or secret.startswith("pk_")):
        errors["secret_key"] = f"Enter a Stripe secret key for {want} mode (sk_{want}_…)."


def _apply(row: PaymentGateway, data: dict[str, Any]) -> dict[str, str]:
    """Validate ``data`` onto ``row`` (not yet saved); the errors by field."""
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not 1 <= len(name) <= 120:
        errors["name"] = "Enter a name (at most 120 characters)."
    mode = str(data.get("mode") or "")
    if mode not in set(GatewayMode):
        errors["mode"] = "Choose test (sandbox) or live."
        mode = row.mode
    row.name, row.mode = name, mode
    public = str(data.get("public_key") or "").strip()[:255]
    secret = str(data.get("secret_key") or "").strip()[:255]
    webhook = str(data.get("webhook_secret") or "").strip()[:255]
    _check_keys(row, public, secret, errors)
    if not secret and row.secret_key_enc is None:
        errors["secret_key"] = "Enter the secret key."
    if not public:
        errors["public_key"] = errors.get("public_key") or "Enter the public key (client id)."
    if row.provider == Provider.STRIPE and webhook and not webhook.startswith("whsec_"):
        errors["webhook_secret"] = "Enter the webhook signing secret (whsec_…)."
    email = normalize_email(data.get("account_email"))
    if row.provider == Provider.PAYPAL and email and (problem := check_email(email)):
        errors["account_email"] = problem
    codes = _currencies(data.get("currencies"), errors)
    low = _micros(data.get("min_amount", ""), "min_amount", codes, errors)
    high = _micros(data.get("max_amount", ""), "max_amount", codes, errors)
    if low is not None and high is not None and low > high:
        errors["max_amount"] = "The maximum must not be below the minimum."
    fixed = _micros(data.get("surcharge_fixed", ""), "surcharge_fixed", codes, errors)
    presets: list[int] = []
    for part in str(data.get("presets") or "").replace(" ", ",").split(","):
        if part.strip() and (value := _micros(part, "presets", codes, errors)) is not None:
            presets.append(value)
    if len(presets) > MAX_PRESETS:
        errors["presets"] = f"At most {MAX_PRESETS} preset amounts."
    if any((low and p < low) or (high and p > high) for p in presets):
        errors["presets"] = "Every preset must be within the minimum and maximum."
    row.surcharge_bp = _percent(data.get("surcharge_percent", ""), errors)
    row.public_key, row.account_email, row.currencies = public, email, codes
    row.min_micros, row.max_micros, row.surcharge_fixed_micros = low, high, fixed or 0
    row.presets_micros = sorted(set(presets))
    row.enabled = bool(data.get("enabled", True))
    if secret:
        row.secret_key_enc = encrypt_secret(secret)
    if webhook:
        row.webhook_secret_enc = encrypt_secret(webhook)
    elif data.get("clear_webhook_secret"):
        row.webhook_secret_enc = None
    return errors


def gateway_create(*, session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Add a gateway for ``data["provider"]`` (stripe or paypal)."""
    _require(actor)
    provider = str(data.get("provider") or "")
    if provider not in set(Provider):
        raise ValidationError({"provider": "Choose PayPal or Stripe."})
    row = PaymentGateway(provider=provider, name="")
    errors = _apply(row, data)
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
    errors = _apply(row, data)
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
