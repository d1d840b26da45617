"""PayPal's amount rules, written from its documentation, independent of the app's money module.

An amount is ``{"currency_code": "EUR", "value": "10.00"}``: the value is a string of
digits with at most the currency's decimals as PayPal counts them. PayPal's count is not
always ISO 4217's: TWD has two decimals in ISO 4217 and none at PayPal.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .errors import api_error

# The currencies PayPal's REST APIs take, with the decimals PayPal allows.
_TWO_DECIMALS = (
    "AUD BRL CAD CNY CZK DKK EUR HKD ILS MYR MXN NOK NZD PHP PLN GBP SGD SEK CHF THB USD"
)
DECIMALS = {
    **dict.fromkeys(_TWO_DECIMALS.split(), 2),
    **dict.fromkeys(["HUF", "JPY", "TWD"], 0),
}
# The schema's pattern for ``value``, and its length limit.
_VALUE = re.compile(r"((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))")
_CODE = re.compile(r"[A-Z]{3}")
MAX_LENGTH = 32


def check_amount(amount: Any, field: str) -> tuple[str, Decimal]:
    """``(currency, value)`` of an amount object, or the ApiError PayPal answers with."""
    if not isinstance(amount, dict):
        raise api_error(
            "INVALID_REQUEST",
            "MISSING_REQUIRED_PARAMETER",
            "A required field / parameter is missing.",
            field=field,
        )
    code, value = amount.get("currency_code"), amount.get("value")
    for name, item in (("currency_code", code), ("value", value)):
        if item is None:
            raise api_error(
                "INVALID_REQUEST",
                "MISSING_REQUIRED_PARAMETER",
                "A required field / parameter is missing.",
                field=f"{field}/{name}",
            )
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise api_error(
            "INVALID_REQUEST",
            "INVALID_PARAMETER_SYNTAX",
            "The value of a field does not conform to the expected format.",
            field=f"{field}/currency_code",
            value=str(code),
        )
    if code not in DECIMALS:
        raise api_error(
            "UNPROCESSABLE_ENTITY",
            "CURRENCY_NOT_SUPPORTED",
            "Currency code is unknown or is not supported. Please refer to "
            "https://developer.paypal.com/docs/api/reference/currency-codes/ for list of "
            "supported currency codes.",
            field=f"{field}/currency_code",
            value=code,
        )
    if not isinstance(value, str) or len(value) > MAX_LENGTH or not _VALUE.fullmatch(value):
        raise api_error(
            "INVALID_REQUEST",
            "INVALID_PARAMETER_SYNTAX",
            "The value of a field does not conform to the expected format.",
            field=f"{field}/value",
            value=str(value),
        )
    decimals = len(value.partition(".")[2])
    if DECIMALS[code] == 0 and "." in value:
        raise api_error(
            "UNPROCESSABLE_ENTITY",
            "DECIMALS_NOT_SUPPORTED",
            "Currency does not support decimals. Please refer to "
            "https://developer.paypal.com/docs/api/reference/currency-codes/ for more "
            "information.",
            field=f"{field}/value",
            value=value,
        )
    if decimals > DECIMALS[code]:
        raise api_error(
            "UNPROCESSABLE_ENTITY",
            "DECIMAL_PRECISION",
            "If the currency supports decimals, only two decimal place precision is supported.",
            field=f"{field}/value",
            value=value,
        )
    number = Decimal(value)
    if number <= 0:
        raise api_error(
            "UNPROCESSABLE_ENTITY",
            "CANNOT_BE_ZERO_OR_NEGATIVE",
            "Must be greater than zero. If the currency supports decimals, only two decimal "
            "place precision is supported.",
            field=f"{field}/value",
            value=value,
        )
    return code, number
