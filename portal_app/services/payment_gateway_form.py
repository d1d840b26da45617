"""The payment gateway form (Setup › My Account › API) checked field by field onto a row.

A Stripe key's prefix names its mode, so a live key in a test gateway (or the reverse)
is refused here, before anything is saved. Amounts must mean the same in every currency
the gateway accepts; keys are encrypted as they are set, and an empty key field keeps
the saved one.
"""

from __future__ import annotations

import re
from typing import Any

from portal_app.models import GatewayMode, PaymentGateway, Provider

from .crypto import encrypt_secret
from .errors import ValidationError
from .money import MICRO_DIGITS, check_currency, exponent, parse_micros
from .payment_providers import stripe_key_mode
from .validation import check_email, normalize_email

MAX_PRESETS = 8
MAX_SURCHARGE_BP = 2000  # 20 %: more is a typo
_PERCENT = re.compile(r"([0-9]{1,2})(?:\.([0-9]{1,2}))?", re.ASCII)


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


def gateway_form_apply(row: PaymentGateway, data: dict[str, Any]) -> dict[str, str]:
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
