"""services/money.py, table by table: every currency by its own exponent (USD 2, EUR 2,
JPY 0, BHD 3), the bad inputs people and files send, the formats screens and exports
show, and the one conversion from micro-units to minor units."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal_app.services import money
from portal_app.services.errors import ValidationError

# Accepted as typed: (text, currency, minor units).
GOOD_MINOR = [
    ("12.50", "USD", 1250),
    ("12.5", "USD", 1250),
    ("+7.01", "USD", 701),
    (" 0.01 ", "USD", 1),
    ("0", "USD", 0),
    ("10000000000.00", "USD", money.MAX_MINOR),
    ("99.99", "EUR", 9999),
    ("500", "JPY", 500),  # not 50000: the yen has no minor unit
    ("1000", "JPY", 1000),
    ("1.234", "BHD", 1234),
    ("0.5", "BHD", 500),
    ("7", "BHD", 7000),
    ("3.10", "usd", 310),  # codes are read upper-cased
]


@pytest.mark.parametrize(("text", "currency", "minor"), GOOD_MINOR)
def test_parse_minor_accepts(text, currency, minor):
    assert money.parse_minor(text, currency) == minor


# Refused, with the words that must be in the message next to the field.
BAD_MINOR = [
    ("", "USD", "Enter an amount"),
    ("   ", "JPY", "Enter an amount"),
    ("inf", "USD", "Enter a number"),
    ("-Infinity", "EUR", "Enter a number"),
    ("nan", "BHD", "Enter a number"),
    ("NaN", "JPY", "Enter a number"),
    ("1e3", "USD", "without an exponent"),
    ("1E-2", "EUR", "without an exponent"),
    ("2.5e1", "JPY", "without an exponent"),
    ("1,000.00", "USD", "no thousands separators"),
    ("12,50", "EUR", "no thousands separators"),
    ("1 000", "JPY", "no thousands separators"),
    ("1'000", "BHD", "no thousands separators"),
    ("--1", "USD", "Enter an amount like 12.50"),
    ("+-1", "USD", "Enter an amount like 12.50"),
    (".5", "USD", "Enter an amount like 12.50"),
    ("5.", "USD", "Enter an amount like 12.50"),
    ("$5", "USD", "Enter an amount like 12.50"),
    ("abc", "JPY", "Enter an amount like 1250"),
    ("١٢", "BHD", "Enter an amount like 12.500"),  # Arabic-Indic digits are not plain digits
    ("12.501", "USD", "USD has 2 decimals."),
    ("0.001", "EUR", "EUR has 2 decimals."),
    ("1.5", "JPY", "JPY has no decimals."),
    ("1.2345", "BHD", "BHD has 3 decimals."),
    ("12.500", "USD", "USD has 2 decimals."),  # even a zero: a mix-up about the currency
    ("15.00", "JPY", "JPY has no decimals."),
    ("-1", "USD", "Enter zero or more."),
    ("-0.5", "BHD", "Enter zero or more."),
    ("10000000000.01", "USD", "at most $10,000,000,000.00"),
    ("1000000000001", "JPY", "at most ¥1,000,000,000,000"),
    ("9" * 40, "USD", "too large"),
    ("9" * 80, "USD", "Enter an amount like 12.50"),  # not even read
]


@pytest.mark.parametrize(("text", "currency", "words"), BAD_MINOR)
def test_parse_minor_refuses_with_a_message_for_the_field(text, currency, words):
    with pytest.raises(ValidationError) as info:
        money.parse_minor(text, currency, field="credit_limit")
    assert list(info.value.fields) == ["credit_limit"]
    assert words in info.value.fields["credit_limit"]


@pytest.mark.parametrize(
    ("text", "currency", "options", "outcome"),
    [
        # A ledger entry: signed, never zero.
        ("-3", "USD", {"allow_negative": True, "allow_zero": False}, -300),
        ("-15", "JPY", {"allow_negative": True, "allow_zero": False}, -15),
        ("0", "USD", {"allow_negative": True, "allow_zero": False}, "other than zero"),
        ("-0.00", "EUR", {"allow_negative": True, "allow_zero": False}, "other than zero"),
        ("-10000000000.01", "USD", {"allow_negative": True}, "too large"),
        # A price: above zero.
        ("0", "BHD", {"allow_zero": False}, "other than zero"),
        ("-1", "BHD", {"allow_zero": False}, "above zero"),
        # A threshold or a credit limit: zero is fine, negative is not.
        ("0", "JPY", {}, 0),
        ("-0", "USD", {}, 0),
        ("-1", "JPY", {}, "zero or more"),
    ],
)
def test_sign_and_zero_rules(text, currency, options, outcome):
    if isinstance(outcome, int):
        assert money.parse_minor(text, currency, **options) == outcome
    else:
        with pytest.raises(ValidationError) as info:
            money.parse_minor(text, currency, **options)
        assert outcome in info.value.fields["amount"]


@pytest.mark.parametrize("code", ["XYZ", "", "US", "DOLLAR", None])
def test_unknown_currency_codes_are_refused_clearly(code):
    with pytest.raises(ValidationError) as info:
        money.parse_minor("1", code)
    assert "ISO 4217" in info.value.fields["currency"]
    with pytest.raises(ValidationError):
        money.format_minor(100, code)
    with pytest.raises(ValidationError) as info:
        money.check_currency(code, field="card_currency")
    assert "ISO 4217" in info.value.fields["card_currency"]


def test_currency_choices_and_exponents_come_from_iso_4217():
    assert {"USD", "EUR", "JPY", "BHD"} <= set(money.active_currencies())
    assert "XYZ" not in money.active_currencies()
    assert money.check_currency(" eur ") == "EUR"
    assert [money.exponent(c) for c in ("USD", "EUR", "JPY", "BHD")] == [2, 2, 0, 3]
    assert money.exponent("HRK") == 2  # no longer tender, still readable in old rows
    with pytest.raises(ValidationError):
        money.check_currency("HRK")


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "shown", "plain"),
    [
        (123450, "USD", "en_US", "$1,234.50", "1234.50"),
        (-300, "USD", "en_US", "-$3.00", "-3.00"),
        (0, "USD", "en_US", "$0.00", "0.00"),
        (1234, "JPY", "en_US", "¥1,234", "1234"),
        (500, "JPY", "en_US", "¥500", "500"),
        (-15, "JPY", "en_US", "-¥15", "-15"),
        (1234, "BHD", "en_US", "BHD1.234", "1.234"),
        (-250, "BHD", "en_US", "-BHD0.250", "-0.250"),
        (123450, "EUR", "de_DE", "1.234,50\xa0€", "1234.50"),
        (123450, "EUR", "en_US", "€1,234.50", "1234.50"),
    ],
)
def test_format_minor_and_plain_minor(minor, currency, locale, shown, plain):
    assert money.format_minor(minor, currency, locale=locale) == shown
    assert money.plain_minor(minor, currency) == plain
    # What an export writes reads back as the same amount.
    assert money.parse_minor(plain, currency, allow_negative=True) == minor


@pytest.mark.parametrize(
    ("text", "micros"),
    [
        ("0.0123", 12_300),
        ("0.01230000", 12_300),  # files pad their decimals
        ("0.000001", 1),
        ("0.05", 50_000),
        ("1", 1_000_000),
        ("0", 0),
        ("1000000000", money.MAX_MICROS),
    ],
)
def test_parse_micros_accepts_six_decimals_in_any_currency(text, micros):
    for currency in ("USD", "EUR", "JPY", "BHD"):
        assert money.parse_micros(text, currency) == micros


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Enter an amount"),
        ("inf", "Enter a number"),
        ("nan", "Enter a number"),
        ("1e3", "without an exponent"),
        ("1,000.00", "no thousands separators"),
        ("--1", "Enter an amount like 0.0125"),
        ("0.0000001", "at most 6 decimals"),
        ("-0.01", "zero or more"),
        ("1000000000.000001", "too large"),
    ],
)
def test_parse_micros_refuses(text, words):
    for currency in ("USD", "JPY", "BHD"):
        with pytest.raises(ValidationError) as info:
            money.parse_micros(text, currency, field="rate")
        assert words in info.value.fields["rate"]


@pytest.mark.parametrize(
    ("micros", "currency", "locale", "shown", "plain"),
    [
        (12_000, "USD", "en_US", "$0.0120", "0.012"),
        (5_060, "USD", "en_US", "$0.00506", "0.00506"),
        (1, "USD", "en_US", "$0.000001", "0.000001"),
        (10_000, "USD", "en_US", "$0.0100", "0.01"),
        (12_500_000, "USD", "en_US", "$12.5000", "12.5"),
        (10_000_000, "USD", "en_US", "$10.0000", "10"),
        (0, "USD", "en_US", "$0.0000", "0"),
        (450_000, "JPY", "en_US", "¥0.4500", "0.45"),
        (1_234_567, "BHD", "en_US", "BHD1.234567", "1.234567"),
        (55_200, "EUR", "de_DE", "0,0552\xa0€", "0.0552"),
    ],
)
def test_format_micros_is_exact_and_plain_micros_has_no_exponent(
    micros, currency, locale, shown, plain
):
    assert money.format_micros(micros, currency, locale=locale) == shown
    assert money.plain_micros(micros) == plain
    assert money.parse_micros(plain, currency) == micros


@pytest.mark.parametrize(
    ("micros", "currency", "minor"),
    [
        (12_345_000, "USD", 1235),  # $12.345 → $12.35: half up
        (12_344_999, "USD", 1234),
        (5_000, "USD", 1),  # $0.005 → $0.01
        (-5_000, "USD", -1),  # a refund rounds as its charge did
        (4_999, "USD", 0),
        (15_000, "EUR", 2),
        (25_000, "EUR", 3),  # half up, not to even: banker's rounding would give 2
        (500_000, "JPY", 1),  # ¥0.5 → ¥1
        (1_499_999, "JPY", 1),
        (1_234_500_000, "JPY", 1235),
        (1_500, "BHD", 2),  # BHD 0.0015 → 0.002
        (1_234_567, "BHD", 1235),
        (0, "BHD", 0),
    ],
)
def test_micros_to_minor_rounds_half_up_by_the_currencys_exponent(micros, currency, minor):
    assert money.micros_to_minor(micros, currency) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "number"),
    [(1234, "USD", 12.34), (1234, "JPY", 1234.0), (1234, "BHD", 1.234), (-5, "EUR", -0.05)],
)
def test_chart_number_is_the_amount_in_currency_units(minor, currency, number):
    assert money.chart_number(minor, currency) == number


FAST_CURRENCIES = ["USD", "EUR", "JPY", "BHD", "INR", "CHF", "CLF", "ISK"]
FAST_LOCALES = ["en_US", "de_DE", "fr_FR", "en_IN", "ja_JP", "ar_EG", "de_CH"]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-(10**15), 10**15),
    st.sampled_from(FAST_CURRENCIES),
    st.sampled_from(FAST_LOCALES),
)
def test_amounts_by_template_read_as_babel_writes_them(amount, code, locale):
    """format_minor and micros_formatter skip Babel where its template gives the same
    text by arithmetic (services/money_template.py): compared with Babel itself."""
    digits = money.exponent(code)
    place, pattern = money._pattern(locale, digits, digits)
    babel = pattern.apply(money._units(amount, digits), place, currency=code, currency_digits=False)
    assert money.format_minor(amount, code, locale) == babel
    assert money.micros_formatter(code, locale)(amount) == money.format_micros(amount, code, locale)


def test_the_template_is_used_only_where_it_holds():
    """The control: en_US takes the fast path; en_IN groups by two digits (12,34,567)
    and keeps Babel's."""
    assert money.minor_formatter("USD").__name__ == "fast"
    assert money.minor_formatter("INR", "en_IN").__name__ == "slow"
    assert money.format_minor(123_456_700, "INR", "en_IN") == "₹12,34,567.00"
