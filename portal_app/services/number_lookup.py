"""Number lookup, the first package service: for a phone number, its country, region,
line type (fixed, mobile, toll-free…) and original carrier, from the ``phonenumbers``
library's own data (geocoder, carrier, number_type) and Babel's country names.

A contact may look numbers up when the customer has an enabled package granting the
service (services/customer_packages.has_service): one number from the form, or a CSV
of numbers answered as a CSV. Every answered lookup is counted per customer and day
(``lookup_usage``, one upsert, atomic on SQLite and PostgreSQL); the operator sees the
counts on the customer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers
import sqlalchemy as sa
from babel import Locale
from phonenumbers import PhoneNumberType, carrier, geocoder
from sqlmodel import Session, select

from portal_app.models import LookupUsage, PackageService
from portal_app.models.base import utcnow

from .csvcell import csv_cell
from .customer_packages import has_service
from .customers import customer_get
from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .validation import PHONE_MESSAGE, parse_phone

SERVICE = PackageService.NUMBER_LOOKUP.value
MAX_CSV_BYTES = 256 * 1024
MAX_CSV_NUMBERS = 5000
LINE_TYPES = {
    PhoneNumberType.FIXED_LINE: "Fixed line",
    PhoneNumberType.MOBILE: "Mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "Fixed line or mobile",
    PhoneNumberType.TOLL_FREE: "Toll-free",
    PhoneNumberType.PREMIUM_RATE: "Premium rate",
    PhoneNumberType.SHARED_COST: "Shared cost",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "Personal number",
    PhoneNumberType.PAGER: "Pager",
    PhoneNumberType.UAN: "Universal access number",
    PhoneNumberType.VOICEMAIL: "Voicemail",
}
CSV_COLUMNS = ["number", "e164", "valid", "country", "region", "line_type", "carrier"]


@dataclass(frozen=True)
class NumberInfo:
    number: str  # as given
    e164: str = ""  # "" when not a valid number
    country: str = ""
    region: str = ""  # a city or area, when the number's prefix tells one
    line_type: str = ""
    carrier: str = ""  # the original carrier (numbers may have been ported since)

    @property
    def valid(self) -> bool:
        return bool(self.e164)


def number_info(text: str) -> NumberInfo:
    """What phonenumbers knows of ``text`` (pure: no database, no network)."""
    given = str(text or "").strip()[:40]
    number = parse_phone(given)
    if number is None:
        return NumberInfo(number=given)
    code = phonenumbers.region_code_for_number(number) or ""
    country = Locale("en").territories.get(code, code)
    region = geocoder.description_for_number(number, "en")
    return NumberInfo(
        number=given,
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        country=country,
        region="" if region == country else region,
        line_type=LINE_TYPES.get(phonenumbers.number_type(number), "Unknown"),
        carrier=carrier.name_for_number(number, "en"),
    )


def _customer_of(session: Session, actor: Actor) -> int:
    if not actor.is_contact or actor.customer_id is None:
        raise PermissionDenied()
    if not has_service(session=session, customer_id=actor.customer_id, service=SERVICE):
        raise PermissionDenied("Your packages do not include number lookup.")
    return actor.customer_id


def usage_add(*, session: Session, customer_id: int, lookups: int, day: date | None = None):
    """Count ``lookups`` more for the customer today (UTC), in the caller's transaction."""
    if lookups <= 0:
        return
    values = {
        "customer_id": customer_id,
        "day": day or utcnow().date(),
        "service": SERVICE,
        "lookups": lookups,
    }
    table = LookupUsage.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["customer_id", "day", "service"],
        set_={"lookups": table.c.lookups + stmt.excluded.lookups},
    )
    session.execute(stmt)


def lookup_number(*, session: Session, actor: Actor, number: str) -> NumberInfo:
    """One number from the portal's form; a bad one is a message next to the field and
    is not counted."""
    customer_id = _customer_of(session, actor)
    info = number_info(number)
    if not info.valid:
        raise ValidationError({"lookup_number": PHONE_MESSAGE})
    usage_add(session=session, customer_id=customer_id, lookups=1)
    return info


def lookup_csv(*, session: Session, actor: Actor, data: bytes) -> tuple[str, int]:
    """A CSV of numbers (the first column; a header row is kept as one) answered as a
    CSV with CSV_COLUMNS. Returns (the CSV, how many numbers were answered)."""
    customer_id = _customer_of(session, actor)
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError({"lookup_file": "The file is over 256 KB: split it."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"lookup_file": "The file is not UTF-8 text (CSV)."}) from None
    numbers = [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if (
        numbers
        and not parse_phone(numbers[0])
        and numbers[0].lower().strip('"')
        in (
            "number",
            "numbers",
            "phone",
            "msisdn",
            "e164",
        )
    ):
        numbers = numbers[1:]
    if not numbers:
        raise ValidationError({"lookup_file": "The file has no numbers in its first column."})
    if len(numbers) > MAX_CSV_NUMBERS:
        raise ValidationError({"lookup_file": f"At most {MAX_CSV_NUMBERS:,} numbers a file."})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    answered = 0
    for given in numbers:
        info = number_info(given)
        answered += info.valid
        writer.writerow(
            [csv_cell(info.number), info.e164, "yes" if info.valid else "no"]
            + [csv_cell(v) for v in (info.country, info.region, info.line_type, info.carrier)]
        )
    usage_add(session=session, customer_id=customer_id, lookups=answered)
    return out.getvalue(), answered


def usage_list(
    *, session: Session, actor: Actor, customer_id: int, days: int = 31
) -> list[tuple[date, int]]:
    """The customer's lookups per day over the last ``days`` days, newest first (for the
    operator, on the customer; a contact only for its own customer)."""
    if actor.is_contact:
        if actor.customer_id != customer_id:
            raise PermissionDenied()
    else:
        customer_get(session=session, actor=actor, customer_id=customer_id)
    since = utcnow().date() - timedelta(days=days - 1)
    rows = session.exec(
        select(LookupUsage.day, sa.func.sum(LookupUsage.lookups))
        .where(LookupUsage.customer_id == customer_id, LookupUsage.day >= since)
        .group_by(LookupUsage.day)
        .order_by(LookupUsage.day.desc())
    ).all()
    return [(day, int(total)) for day, total in rows]
