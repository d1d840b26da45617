"""Small input checks shared by services. Each ``check_*`` returns a message or None;
each ``normalize_*`` / ``clean_*`` returns the form that is stored.

Email addresses go through email-validator (syntax only: no DNS, so a check never waits
on the network) and phone numbers through phonenumbers (stored in E.164). Names lose
invisible format characters, above all the bidirectional controls: a right-to-left
override in a name makes the control panel, a portal or a spreadsheet show its letters
reversed ("Acme [RLO]exe.pdf" reads "Acme fdp.exe").
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from babel import Locale
from email_validator import EmailNotValidError, validate_email

from portal_app.settings import get_settings

MIN_PASSWORD = 10
EMAIL_MESSAGE = "Enter a valid email address, like name@example.com."
PHONE_MESSAGE = "Enter a valid phone number in international format, like +44 20 7946 0000."
# Joiners shape Arabic, Indic and emoji text; every other format character (category
# Cf: bidi embeddings, overrides and isolates, marks, zero-width spaces, word joiners,
# tag characters) is invisible and only ever hides or reorders what a name says.
_KEEP_FORMAT = {"\u200c", "\u200d"}
_PHONE_CHARS = re.compile(r"\+[\d\s().-]+")
_NATIONAL_CHARS = re.compile(r"[+\d(][\d\s().-]+")
# ISO 3166-1 alpha-2 codes with their English names from Babel (CLDR). CLDR also names
# groupings and reserved codes that are no country: left out.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "CQ", "DG", "EA", "IC"}
_NOT_COUNTRIES |= {"TA"}
COUNTRIES: dict[str, str] = {
    code: name
    for code, name in sorted(
        Locale("en").territories.items(), key=lambda item: unicodedata.normalize("NFKD", item[1])
    )
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
}
_BY_NAME = {name.casefold(): code for code, name in COUNTRIES.items()}
COUNTRY_MESSAGE = "Choose a country from the list."


def strip_invisible(value: str) -> str:
    """``value`` without invisible format characters (bidi controls U+202A–U+202E,
    U+2066–U+2069, U+200E, U+200F, U+061C, zero-width spaces, tags, …)."""
    if value.isascii():  # no format character is ASCII: the common case costs one scan
        return value
    return "".join(c for c in value if c in _KEEP_FORMAT or unicodedata.category(c) != "Cf")


def clean_name(value: object) -> str:
    """A name as stored: NFC, no invisible format or control characters, one line, with
    runs of white space made one space. Use for every name-like field."""
    text = str(value or "")
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    text = unicodedata.normalize("NFC", strip_invisible(text))
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(text.split())


def _email(value: str):
    """email-validator's answer. Outside production a ``*.localhost`` domain counts as a
    test domain too (the demo's brands are ``*.localhost``); the library refuses it always,
    so it checks the address with ``test`` in its place and the answer gets it back."""
    dev = not get_settings().is_production
    local = dev and value.lower().endswith(".localhost") and "@" in value
    info = validate_email(
        value[: -len("localhost")] + "test" if local else value,
        check_deliverability=False,  # no DNS: syntax only, never waits on the network
        allow_smtputf8=False,  # addresses smtplib can send to without SMTPUTF8
        strict=True,  # RFC 5321 lengths too: at most 64 characters before the @
        test_environment=dev,  # name@example.test in dev
    )
    if local:
        info.ascii_email = info.ascii_email[: -len("test")] + "localhost"
    return info


def normalize_email(value: object) -> str:
    """The stored form: trimmed, lower case, an internationalised domain as its A-label.
    Never raises (a login form normalises whatever was typed)."""
    text = str(value or "").strip()
    try:
        return _email(text).ascii_email.lower()
    except (EmailNotValidError, AttributeError):
        return text.lower()


def check_email(value: str) -> str | None:
    if not value:
        return "Enter an email address."
    try:
        _email(value)
    except EmailNotValidError:
        return EMAIL_MESSAGE
    return None


def country_code(value: object) -> str | None:
    """The ISO 3166-1 alpha-2 code of what a country picker sent (a code like "gb" or
    a name like "United Kingdom"), "" for nothing, None for anything else."""
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    if text.upper() in COUNTRIES:
        return text.upper()
    return _BY_NAME.get(text.casefold())


def country_name(code: object) -> str:
    """ "United Kingdom" for "GB"; other text as it is."""
    return COUNTRIES.get(str(code or "").upper(), str(code or ""))


def parse_phone(value: object, region: str = "") -> phonenumbers.PhoneNumber | None:
    """The number of a valid phone number, else None: in international format, or in
    the national format of ``region`` (the country of the account, customer or sign-up)
    when one is given."""
    text = str(value or "").strip()
    region = region.upper() if region and region.upper() in COUNTRIES else ""
    # phonenumbers skips trailing text ("x", ";", "ext 12"); E.164 holds the number alone
    chars = _NATIONAL_CHARS if region else _PHONE_CHARS
    if len(text) > 40 or not chars.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value: object, region: str = "") -> str:
    """E.164 ("+442079460000") of a valid number, else the trimmed text."""
    number = parse_phone(value, region)
    if number is None:
        return str(value or "").strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: object) -> str:
    """A stored E.164 number for people ("+44 20 7946 0000"); other text as it is."""
    number = parse_phone(value)
    if number is None:
        return str(value or "").strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def check_phone(value: object, region: str = "") -> str | None:
    """None for a number (international, or national in ``region``) that phonenumbers
    knows to be valid for its country, else the message for the field."""
    if not str(value or "").strip():
        return "Enter a phone number."
    return None if parse_phone(value, region) is not None else PHONE_MESSAGE


def check_name(value: str, label: str = "Name", max_len: int = 120) -> str | None:
    if not value.strip():
        return f"Enter a {label.lower()}."
    if len(value) > max_len:
        return f"{label} must be at most {max_len} characters."
    if strip_invisible(value) != value or any(unicodedata.category(c) == "Cc" for c in value):
        return f"{label} may not contain invisible or control characters."
    return None


def check_password(value: str, minimum: int = MIN_PASSWORD) -> str | None:
    """``minimum``: the account's (My Account › Settings), never below the built-in 10."""
    minimum = max(MIN_PASSWORD, minimum)
    if len(value) < minimum:
        return f"Use at least {minimum} characters."
    if len(value) > 256:
        return "Use at most 256 characters."
    return None


ID_MAX = 2**63 - 1  # the database's 64-bit keys
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)


def parse_id(value: object) -> int | None:
    """A row id from the browser: a positive integer a key column can hold, else None.

    Raises nothing: "12", 12 and " 12 " are 12; "abc", "-1", 0, 1.5 and 2**63 are None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= ID_MAX else None
