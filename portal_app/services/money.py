"""Money, in one place: what people type, what they read, what exports write.

Two integer units are stored (BIGINT columns), never floats:

- **minor units** of the currency, by its own ISO 4217 exponent (from Babel's CLDR data):
  JPY has 0 (¥500 is 500), USD 2 ($5.00 is 500), BHD 3 (BHD 5.000 is 5000). Ledger
  entries, balances, credit limits, the domain's Customer Limit, alert thresholds and
  package fees are minor units of their row's currency.
- **micro-units**, a millionth of the currency unit whatever its exponent, for rates and
  call costs, which are fractions of a cent. ``micros_to_minor`` is the one conversion
  from them to minor units.

Parsing takes plain digits with a dot as the decimal mark and refuses everything else
with a message for the form field it came from: "inf" and "nan", exponents ("1e3"),
grouping ("1,000.00" is a thousand in en_US but one in de_DE: a wrong guess moves
money), "--1", an empty field, more decimals than the currency has, and amounts the
columns should not hold. Arithmetic is ``Decimal`` or ``int``; the only float made here is
``chart_number``, for a chart's axis.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.core import get_global
from babel.numbers import (
    NumberPattern,
    get_currency_precision,
    get_territory_currencies,
    list_currencies,
    parse_pattern,
)

from portal_app.models import MICROS

from .errors import ValidationError
from .money_template import templated

# One typed amount above these is a typo, and sums of many still fit a BIGINT (9.2e18).
MAX_MINOR = 10**12  # 10 billion USD, a trillion JPY
MAX_MICROS = 10**15  # a billion currency units per minute or per call
MICRO_DIGITS = len(str(MICROS)) - 1  # MICROS is 10**6
RATE_MIN_DIGITS = 4  # rates read best with four decimals: $0.0120, ¥0.4500

# An optional sign, digits, optionally a dot and digits: nothing else is an amount.
_NUMBER = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]+))?", re.ASCII)
_EXPONENT = re.compile(r"[+-]?[0-9]*\.?[0-9]*e[+-]?[0-9]+", re.ASCII | re.IGNORECASE)
_NOT_FINITE = {"inf", "infinity", "nan", "snan"}
_MAX_TEXT = 64


@functools.cache
def active_currencies() -> tuple[str, ...]:
    """ISO 4217 codes that some territory uses as legal tender today: the choices."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, tender=True))
    return tuple(sorted(codes))


@functools.cache
def _known() -> frozenset[str]:
    # Stored rows may name a currency that is no longer tender (HRK): still formatted.
    return frozenset(list_currencies())


def check_currency(code: str, *, field: str = "currency") -> str:
    """The upper-cased ISO 4217 code of a currency in use, or the form's message."""
    value = str(code or "").strip().upper()
    if value not in active_currencies():
        shown = value[:8] or "nothing"
        raise ValidationError({field: f"Choose a currency (ISO 4217): {shown} is not one."})
    return value


def _code(currency: str) -> str:
    """The upper-cased code of any ISO 4217 currency, or a message for the currency."""
    value = str(currency or "").strip().upper()
    if value not in _known():
        raise ValidationError({"currency": f"{value[:8] or 'nothing'} is not an ISO 4217 code."})
    return value


def exponent(currency: str) -> int:
    """How many decimals the currency has (ISO 4217): JPY 0, USD 2, BHD 3."""
    return get_currency_precision(_code(currency))


def _decimals(currency: str, digits: int) -> str:
    if digits == 0:
        return f"{currency} has no decimals."
    return f"{currency} has 1 decimal." if digits == 1 else f"{currency} has {digits} decimals."


def _example(digits: int) -> str:
    return "1250" if digits == 0 else "12." + "50".ljust(digits, "0")


def _refusal(text: str, example: str) -> str:
    """Why ``text`` is not a plain amount, in words for the person who typed it."""
    if not text:
        return f"Enter an amount, like {example}."
    if text.lower().lstrip("+-") in _NOT_FINITE:
        return f"Enter a number like {example}, not “{text}”."
    if _EXPONENT.fullmatch(text):
        return f"Write the number out, like {example}, without an exponent."
    if any(mark in text for mark in ",' _"):
        return f"Use a dot for decimals and no thousands separators, like {example}."
    return f"Enter an amount like {example}."


def _parse(
    text: str, *, field: str, digits: int, example: str, too_many: str, padded: bool = False
) -> int:
    """``text`` scaled by 10**digits, exactly, or a ValidationError for ``field``.

    ``padded`` lets zeros follow the last decimal (files: "0.01230000" from a switch)."""
    value = str(text if text is not None else "").strip()
    match = _NUMBER.fullmatch(value) if len(value) <= _MAX_TEXT else None
    if not match:
        raise ValidationError({field: _refusal(value[:_MAX_TEXT], example)})
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if len(fraction.rstrip("0") if padded else fraction) > digits:
        raise ValidationError({field: too_many})
    scaled = int(whole + fraction[:digits].ljust(digits, "0"))
    return -scaled if sign == "-" else scaled


def _bounds(
    value: int, *, field: str, limit: int, allow_negative: bool, allow_zero: bool, most: str
) -> int:
    if value == 0 and not allow_zero:
        raise ValidationError({field: "Enter an amount other than zero."})
    if value < 0 and not allow_negative:
        msg = "Enter zero or more." if allow_zero else "Enter an amount above zero."
        raise ValidationError({field: msg})
    if abs(value) > limit:
        raise ValidationError({field: f"That amount is too large: at most {most}."})
    return value


def parse_minor(
    text: str,
    currency: str,
    *,
    field: str = "amount",
    allow_negative: bool = False,
    allow_zero: bool = True,
) -> int:
    """The amount a person typed, in minor units of ``currency``.

    "12.50" USD is 1250, "500" JPY is 500, "1.234" BHD is 1234, "+7" is 700. A decimal
    more than the currency has is refused even when it is a zero: "15.00" typed for yen
    shows a mix-up about the currency. Every refusal is ``ValidationError({field: ...})``.
    """
    code = _code(currency)
    digits = exponent(code)
    minor = _parse(
        text,
        field=field,
        digits=digits,
        example=_example(digits),
        too_many=_decimals(code, digits),
    )
    return _bounds(
        minor,
        field=field,
        limit=MAX_MINOR,
        allow_negative=allow_negative,
        allow_zero=allow_zero,
        most=format_minor(MAX_MINOR, code),
    )


def parse_micros(
    text: str,
    currency: str,
    *,
    field: str = "rate",
    allow_negative: bool = False,
    allow_zero: bool = True,
) -> int:
    """A rate or a cost as typed or imported, in micro-units: "0.0123" is 12300.

    Up to six decimals in any currency (a yen rate can be ¥0.45 a minute); zeros after
    them are fine, as rating systems pad their files."""
    code = _code(currency)  # a real currency, though micro-units ignore its exponent
    micros = _parse(
        text,
        field=field,
        digits=MICRO_DIGITS,
        example="0.0125",
        too_many=f"Use at most {MICRO_DIGITS} decimals.",
        padded=True,
    )
    return _bounds(
        micros,
        field=field,
        limit=MAX_MICROS,
        allow_negative=allow_negative,
        allow_zero=allow_zero,
        most=format_micros(MAX_MICROS, code),
    )


def _units(minor: int, digits: int) -> Decimal:
    return Decimal(int(minor)).scaleb(-digits)


def format_minor(minor: int, currency: str, locale: str = "en_US") -> str:
    """For people: "$1,234.50", "¥1,234", "BHD1.234", "-$3.00", "1.234,50 €" (de_DE)."""
    return minor_formatter(currency, locale)(int(minor))


@functools.cache
def minor_formatter(currency: str, locale: str = "en_US") -> Callable[[int], str]:
    """``format_minor`` for one currency and locale: Babel's text, by arithmetic on its
    template where that gives the same (services/money_template.py)."""
    code = _code(currency)
    digits = exponent(code)
    # Babel's format_currency, with its pattern parsed once per locale and exponent.
    place, pattern = _pattern(locale, digits, digits)

    def slow(minor: int) -> str:
        return pattern.apply(_units(minor, digits), place, currency=code, currency_digits=False)

    return templated(slow, digits, digits)


def plain_minor(minor: int, currency: str) -> str:
    """For files: "-12.50", "1234" (JPY), "1.234" (BHD): no symbol, no grouping."""
    digits = exponent(currency)
    return f"{_units(minor, digits):.{digits}f}"


def format_micros(micros: int, currency: str, locale: str = "en_US") -> str:
    """A rate or a call's cost for people, exact: "$0.0120", "$0.00506", "¥0.4500".

    At least four decimals (or the currency's own, if more), up to the six stored."""
    code = _code(currency)
    shown = max(RATE_MIN_DIGITS, exponent(code))
    place, pattern = _pattern(locale, shown, max(shown, MICRO_DIGITS))
    return pattern.apply(_units(micros, MICRO_DIGITS), place, currency=code, currency_digits=False)


@functools.cache
def _pattern(locale: str, fewest: int, most: int) -> tuple[Locale, NumberPattern]:
    """The locale's currency pattern with ``fewest`` to ``most`` decimals."""
    place = Locale.parse(locale)
    pattern = copy.copy(parse_pattern(place.currency_formats["standard"]))
    pattern.frac_prec = (fewest, most)
    return place, pattern


def plain_micros(micros: int) -> str:
    """A rate or cost for files: "0.0123", "0.01", "10", as few digits as are exact.

    No currency: a micro-unit is a millionth of any currency's unit (files carry the
    currency in a column of their own). Integer arithmetic: a CSV calls it per row."""
    units, rest = divmod(abs(int(micros)), MICROS)
    sign = "-" if micros < 0 else ""
    return f"{sign}{units}.{rest:06d}".rstrip("0") if rest else f"{sign}{units}"


@functools.cache
def micros_formatter(currency: str, locale: str = "en_US") -> Callable[[int], str]:
    """``format_micros`` for one currency and locale, for many values (a page of CDRs):
    Babel's text, by arithmetic on its template where that gives the same."""
    code = _code(currency)
    shown = max(RATE_MIN_DIGITS, exponent(code))

    def slow(micros: int) -> str:
        return format_micros(micros, code, locale)

    return templated(slow, MICRO_DIGITS, shown)


def micros_to_minor(micros: int, currency: str) -> int:
    """Micro-units in whole minor units of ``currency``: the one conversion between them.

    Rounds half up, away from zero on a tie (``ROUND_HALF_UP``): $0.005 is $0.01 and
    -$0.005 is -$0.01, so a refund rounds exactly as the charge it reverses, and a total
    is what a person checking it with a calculator gets (the rule EU Regulation 1103/97
    sets for cents). Ties are one value in ten thousand for USD, so the upward drift
    banker's rounding avoids is negligible here.
    """
    digits = exponent(currency)
    value = Decimal(int(micros)).scaleb(digits - MICRO_DIGITS)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def chart_number(minor: int, currency: str) -> float:
    """An amount in currency units as a float, for a chart's axis only (the chart library
    takes JSON numbers). Never summed or stored: labels come from ``format_minor``."""
    return float(_units(minor, exponent(currency)))
