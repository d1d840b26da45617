"""Amounts between the app's minor units and PayPal's decimal strings.

PayPal's count of a currency's decimals is not always the one ``money`` uses (CLDR's):
TWD has two there (our minor units) and none at PayPal, so NT$1,500.00 is sent as
"1500" and NT$1,500.50 cannot be paid through PayPal. Formatting and parsing go
through ``money`` (the one money module); only PayPal's exceptions live here.
"""

from __future__ import annotations

from . import money
from .errors import ValidationError

# The currencies PayPal's REST API takes, and the decimals it allows in each.
_TWO_DECIMALS = (
    "AUD BRL CAD CNY CZK DKK EUR HKD ILS MYR MXN NOK NZD PHP PLN GBP SGD SEK CHF THB USD"
)
PAYPAL_DECIMALS: dict[str, int] = {
    **dict.fromkeys(_TWO_DECIMALS.split(), 2),
    **dict.fromkeys(("HUF", "JPY", "TWD"), 0),
}


def paypal_currencies() -> tuple[str, ...]:
    """Currencies a PayPal gateway can accept."""
    return tuple(sorted(PAYPAL_DECIMALS))


def paypal_value(amount_minor: int, currency: str) -> str:
    """``amount_minor`` as PayPal's ``value``: EUR 1050 → "10.50", JPY 500 → "500",
    TWD 150000 → "1500". Refused, as PayPal would: a currency it does not take, zero or
    less, and a fraction PayPal's currency has no room for."""
    code = str(currency or "").strip().upper()
    iso = money.exponent(code)  # refuses what is not ISO 4217
    if code not in PAYPAL_DECIMALS:
        raise ValidationError({"currency": f"PayPal does not take payments in {code}."})
    if int(amount_minor) <= 0:
        raise ValidationError({"amount": "Enter an amount above zero."})
    text = money.plain_minor(int(amount_minor), code)
    digits = PAYPAL_DECIMALS[code]
    if digits < iso:
        whole, _, fraction = text.partition(".")
        if fraction[digits:].strip("0"):
            shown = money.format_minor(int(amount_minor), code)
            raise ValidationError({"amount": f"PayPal takes whole amounts in {code}, not {shown}."})
        text = whole + ("." + fraction[:digits] if digits else "")
    return text


def paypal_minor(value: str, currency: str) -> int:
    """PayPal's ``value`` in minor units of ``currency``: "10.50" EUR → 1050, "1500" TWD
    → 150000."""
    return money.parse_minor(value, currency, allow_zero=True, allow_negative=True)
