"""CSV import of CDRs and rate-card entries: every row checked, all or nothing.

A file is read as a stream, row by row. Each bad row is reported with its line number
(the header is line 1); if any row is bad nothing is written. This module knows what
a good row is; services/import_batches.py moves the good ones through a staging table
into ``cdr`` or ``rate_entry`` in short transactions, finds repeated and already
imported keys in SQL, and repairs imports a crash interrupted. Memory stays bounded
whatever the file's size, and other writers never wait for a whole file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from portal_app.models import Area, Customer, RateCard

from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .import_batches import CDRS, MAX_REPORTED, RATES, ImportResult, Progress, batch_import
from .money import parse_micros
from .validation import clean_name

__all__ = ["MAX_REPORTED", "ImportResult", "Progress", "import_cdrs", "import_rates"]
CDR_REQUIRED = ["call_start", "customer_id", "dialled", "duration", "sip_call_id"]
CDR_OPTIONAL = {
    "direction": "outbound",
    "cli": "",
    "destination": "",
    "prefix": "",
    "billed_duration": None,  # defaults to duration
    "rate": "0",
    "cost": "0",
    "currency": None,  # defaults to the customer's
    "status": "answered",
    "release_reason": "",
    "pdd_ms": "0",
    "route": "",
}
STATUSES = {"answered", "busy", "no_answer", "failed", "cancelled"}
RATE_REQUIRED = ["prefix", "destination", "rate"]


def _micros(text: str, currency: str, column: str) -> int:
    """A rate or cost column in micro-units; ValueError with the column and why."""
    try:
        return parse_micros(text, currency, field=column)
    except ValidationError as exc:
        raise ValueError(f"{column}: {exc.message}") from None


def _when(text: str) -> datetime:
    """ISO 8601 with an offset (or Z); a bare date means its UTC midnight."""
    text = str(text).strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("no time zone")
    return value.astimezone(UTC)


def _reader(lines: Iterable[str], required: list[str], result: ImportResult):
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        result.fail(1, f"The header lacks {', '.join(missing)}.")
        return None
    reader.fieldnames = header
    return reader


def _cdr_row(row: dict, customers: dict[int, str]) -> dict:
    """One CSV row as a cdr insert, or ValueError with what is wrong."""
    values = {k: (row.get(k) or "").strip() for k in [*CDR_REQUIRED, *CDR_OPTIONAL]}
    for k in CDR_REQUIRED:
        if not values[k]:
            raise ValueError(f"{k} is empty")
    try:
        customer_id = int(values["customer_id"])
    except ValueError:
        raise ValueError("customer_id is not a number") from None
    if customer_id not in customers:
        raise ValueError(f"customer {customer_id} does not exist")
    currency = (values["currency"] or customers[customer_id]).upper()
    if currency != customers[customer_id]:
        raise ValueError(f"currency {currency} is not the customer's ({customers[customer_id]})")
    try:
        start = _when(values["call_start"])
    except ValueError:
        raise ValueError("call_start is not an ISO 8601 time with a zone") from None
    try:
        seconds = int(values["duration"])
        billed = int(values["billed_duration"] or seconds)
        pdd = int(values["pdd_ms"] or 0)
    except ValueError:
        raise ValueError("duration, billed_duration and pdd_ms must be whole numbers") from None
    if seconds < 0 or billed < 0 or pdd < 0:
        raise ValueError("durations cannot be negative")
    rate = _micros(values["rate"] or "0", currency, "rate")
    cost = _micros(values["cost"] or "0", currency, "cost")
    status = values["status"] or "answered"
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(sorted(STATUSES))}")
    direction = values["direction"] or "outbound"
    if direction not in ("inbound", "outbound"):
        raise ValueError("direction must be inbound or outbound")
    dialled = values["dialled"].lstrip("+")
    if not dialled.isdigit() or len(dialled) > 32:
        raise ValueError("dialled must be digits (an E.164 number)")
    if len(values["sip_call_id"]) > 128:
        raise ValueError("sip_call_id is longer than 128 characters")
    return {
        "customer_id": customer_id,
        "call_start": start,
        "direction": direction,
        "cli": values["cli"].lstrip("+")[:32],
        "dialled": dialled,
        "destination": clean_name(values["destination"])[:80],
        "prefix": values["prefix"][:16],
        "duration": seconds,
        "billed_duration": billed,
        "rate": rate,
        "cost": cost,
        "currency": currency,
        "status": status,
        "release_reason": values["release_reason"][:64],
        "pdd_ms": pdd,
        "route": clean_name(values["route"])[:64],
        "sip_call_id": values["sip_call_id"],
    }


def _cdr_rows(
    reader: csv.DictReader, customers: dict[int, str], result: ImportResult
) -> Iterator[tuple[int, dict]]:
    for row in reader:
        line = reader.line_num
        try:
            values = _cdr_row(row, customers)
        except ValueError as exc:
            result.fail(line, str(exc))
            continue
        yield line, values


def import_cdrs(
    *, session: Session, actor: Actor, lines: Iterable[str], progress: Progress | None = None
) -> ImportResult:
    """Check every row of a CDR file; insert them all only when none is bad.

    Commits as it goes (see services/import_batches.py): the caller's session must
    hold nothing it would want to roll back."""
    if not actor.can(Area.CDR):
        raise PermissionDenied()
    result = ImportResult()
    reader = _reader(lines, CDR_REQUIRED, result)
    if reader is None:
        return result
    customers = dict(session.exec(select(Customer.id, Customer.currency)).all())
    rows = _cdr_rows(reader, customers, result)
    return batch_import(
        session=session,
        actor=actor,
        target=CDRS,
        scope="cdr",
        rows=rows,
        result=result,
        progress=progress,
    )


def _increments(row: dict) -> tuple[int, int]:
    both = (row.get("increments") or "").strip()
    if both:
        first, _, nxt = both.partition("/")
    else:
        first, nxt = (row.get("increment_first") or "1"), (row.get("increment_next") or "1")
    a, b = int(str(first).strip()), int(str(nxt).strip() or first)
    if not (1 <= a <= 3600 and 1 <= b <= 3600):
        raise ValueError
    return a, b


def import_rates(
    *,
    session: Session,
    actor: Actor,
    card_id: int,
    lines: Iterable[str],
    progress: Progress | None = None,
) -> ImportResult:
    """Entries for one card: prefix, destination, rate per minute, connection fee,
    increments ("60/60") and effective_from (a date or an ISO time; default today)."""
    if not actor.can(Area.CARD):
        raise PermissionDenied()
    card = session.get(RateCard, card_id)
    if card is None:
        raise NotFound("That rate card no longer exists.")
    result = ImportResult()
    reader = _reader(lines, RATE_REQUIRED, result)
    if reader is None:
        return result
    today = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), UTC)
    return batch_import(
        session=session,
        actor=actor,
        target=RATES,
        scope=f"rate:{card.id}",
        target_id=card.id,
        rows=_rate_rows(reader, card, today, result),
        result=result,
        progress=progress,
    )


def _rate_rows(
    reader: csv.DictReader, card: RateCard, today: datetime, result: ImportResult
) -> Iterator[tuple[int, dict]]:
    """The good rows of a rate file as entries of one card; the bad ones go to result."""
    for row in reader:
        line = reader.line_num
        prefix = (row.get("prefix") or "").strip().lstrip("+")
        destination = clean_name(row.get("destination"))
        try:
            if not prefix.isdigit() or len(prefix) > 16:
                raise ValueError("prefix must be 1 to 16 digits")
            if not destination or len(destination) > 80:
                raise ValueError("destination must be 1 to 80 characters")
            rate = _micros(row.get("rate") or "", card.currency, "rate")
            fee = _micros(row.get("connection_fee") or "0", card.currency, "connection_fee")
            try:
                first, nxt = _increments(row)
            except ValueError:
                raise ValueError("increments must be like 60/60 (1 to 3600 seconds)") from None
            since_text = (row.get("effective_from") or "").strip()
            try:
                since = _when(since_text) if since_text else today
            except ValueError:
                raise ValueError("effective_from must be a date like 2026-12-01") from None
        except ValueError as exc:
            result.fail(line, str(exc))
            continue
        yield (
            line,
            {
                "card_id": card.id,
                "prefix": prefix,
                "destination": destination,
                "rate": rate,
                "connection_fee": fee,
                "increment_first": first,
                "increment_next": nxt,
                "effective_from": since,
            },
        )
