"""Small input checks shared by services. Each returns a message or None."""

from __future__ import annotations

import re

_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)

MIN_PASSWORD = 10


def normalize_email(value: object) -> str:
    return str(value or "").strip().lower()


def check_email(value: str) -> str | None:
    if not value:
        return "Enter an email address."
    if len(value) > 254 or not _EMAIL.match(value):
        return "Enter a valid email address, like name@example.com."
    return None


def check_name(value: str, label: str = "Name", max_len: int = 120) -> str | None:
    if not value.strip():
        return f"Enter a {label.lower()}."
    if len(value) > max_len:
        return f"{label} must be at most {max_len} characters."
    return None


def check_password(value: str) -> str | None:
    if len(value) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
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
