"""The one date formatter (services/dates.py): every Date Format option, table-driven;
one fixed moment through the CDR, audit, ledger and rates CSVs and a login-alert email
with the account's format switched; and no other module formatting dates for people."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from portal_app.models import AccountConfig, AuditEvent, Cdr, OutboxMessage, RateEntry
from portal_app.services import cdr_export, cdrs
from portal_app.services.audit_view import audit_csv_text, audit_views
from portal_app.services.auth import login_password
from portal_app.services.crypto import decrypt_secret
from portal_app.services.dates import PATTERNS, DateFormatter, formatter, zone
from portal_app.services.identity import SYSTEM
from portal_app.services.ledger import ledger_add, ledger_csv
from portal_app.services.rates import card_create, customer_cards_set, customer_rates_csv
from portal_app.settings import PROJECT_ROOT

from .conftest import PASSWORD
from .test_contacts import customer

# 4 March, 05:06:07 UTC: day, month and hour all differ, so no order hides another.
MOMENT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

CASES = [
    # format, date, datetime (UTC), with seconds, a chart's day
    ("YYYY-MM-DD", "2026-03-04", "2026-03-04 05:06 UTC", "2026-03-04 05:06:07", "03-04"),
    ("DD/MM/YYYY", "04/03/2026", "04/03/2026 05:06 UTC", "04/03/2026 05:06:07", "04/03"),
    ("MM/DD/YYYY", "03/04/2026", "03/04/2026 05:06 UTC", "03/04/2026 05:06:07", "03/04"),
    ("DD.MM.YYYY", "04.03.2026", "04.03.2026 05:06 UTC", "04.03.2026 05:06:07", "04.03."),
]


def test_every_date_format_option_has_a_case():
    from portal_app.services.account import DATE_FORMATS

    assert sorted(c[0] for c in CASES) == sorted(DATE_FORMATS) == sorted(PATTERNS)


@pytest.mark.parametrize(("option", "day", "stamp", "seconds", "short"), CASES)
def test_the_formatter_writes_and_reads_each_option(option, day, stamp, seconds, short):
    fmt = DateFormatter(option)
    assert fmt.date(MOMENT) == fmt.date(MOMENT.date()) == day
    assert fmt.datetime(MOMENT) == stamp
    assert fmt.datetime(MOMENT, seconds=True, with_zone=False) == seconds
    assert fmt.datetime(MOMENT.isoformat()) == stamp  # a service view's ISO text
    assert fmt.day_month(MOMENT.date()) == fmt.day_month("2026-03-04") == short
    assert fmt.example() == option
    # What it writes, it reads back; ISO (a date picker's, a CSV link's) always too.
    assert fmt.parse(day) == fmt.parse(" 2026-03-04 ") == date(2026, 3, 4)
    assert fmt.date(None, "never") == fmt.datetime("", "never") == "never"


@pytest.mark.parametrize(("option", "day", "stamp", "seconds", "short"), CASES)
def test_a_bad_date_is_refused_with_an_example_in_the_format(option, day, stamp, seconds, short):
    fmt = DateFormatter(option)
    for text in ("", "yesterday", "2026-02-30", "31/31/2026", "4.3.26x"):
        with pytest.raises(ValueError) as info:
            fmt.parse(text)
        assert str(info.value) == f"Enter a date like {fmt.date(date(2026, 11, 25))}."


def test_times_are_in_the_viewers_zone_and_name_it():
    fmt = DateFormatter("DD/MM/YYYY", zone("America/New_York"))
    assert fmt.datetime(MOMENT) == "04/03/2026 00:06 America/New_York"
    assert fmt.date(MOMENT - timedelta(hours=6)) == "03/03/2026"  # still the 3rd there
    assert DateFormatter("DD/MM/YYYY", zone("Not/AZone")).zone_name == "UTC"
    assert DateFormatter("nonsense").datetime(MOMENT) == "2026-03-04 05:06 UTC"


ZONES = ["UTC", "Asia/Kathmandu", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1)).map(
            lambda d: d.replace(tzinfo=UTC)
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(list(PATTERNS)),
    st.sampled_from(ZONES),
)
def test_many_times_at_once_read_as_each_one_does(moments, option, tz):
    """``clocks`` (a page's or a CSV's call times) rearranges ISO text rather than
    formatting each time: the same text as ``datetime``, for datetimes and for SQLite's
    stored text, in zones with half-hour, 45-minute and half-hour-DST offsets."""
    fmt = DateFormatter(option, zone(tz))
    one_by_one = [fmt.datetime(m, seconds=True, with_zone=False) for m in moments]
    stored = [m.strftime("%Y-%m-%d %H:%M:%S.%f") for m in moments]  # SQLite's text
    assert fmt.clocks(moments) == one_by_one == fmt.clocks(stored)


def test_many_times_are_in_the_viewers_zone():
    """The control for the property above: the zone and the format do change the text."""
    stored = ["2026-03-04 05:06:07.000000"]
    assert DateFormatter("DD/MM/YYYY", zone("Asia/Kathmandu")).clocks(stored) == [
        "04/03/2026 10:51:07"
    ]
    assert DateFormatter().clocks(stored) == ["2026-03-04 05:06:07"]


def test_formatter_reads_the_accounts_option(db: Session):
    assert formatter(session=db).format == "YYYY-MM-DD"  # before anyone saved
    db.add(AccountConfig(id=1, date_format="MM/DD/YYYY"))
    db.commit()
    assert (
        formatter(session=db, tz="Europe/Paris").datetime(MOMENT) == "03/04/2026 06:06 Europe/Paris"
    )


def test_one_moment_in_every_csv_and_an_email_follows_the_switched_format(db: Session, make_user):
    """The positive control first: under the default format everything is ISO-like; then
    DD/MM/YYYY and every output changes to it, with the zone in each CSV's header."""
    bluebird = customer(db, None, "Bluebird", currency="USD")
    db.add(Cdr(customer_id=bluebird.id, call_start=MOMENT, dialled="4420", sip_call_id="m1"))
    db.add(AuditEvent(at=MOMENT, actor_kind="system", actor_label="system",
                      action="customer.update", entity="customer", entity_id=str(bluebird.id),
                      before={"name": "Old"}, after={"name": "Bluebird"}))  # fmt: skip
    db.commit()
    entry = ledger_add(session=db, actor=SYSTEM, customer_id=bluebird.id, kind="payment",
                       amount="5", reference="r1", note="")  # fmt: skip
    entry.created_at = MOMENT
    card = card_create(session=db, actor=SYSTEM, name="Dates USD", currency="USD")
    db.flush()
    db.add(RateEntry(card_id=card.id, prefix="44", destination="UK", rate=10_000,
                     effective_from=MOMENT))  # fmt: skip
    customer_cards_set(session=db, actor=SYSTEM, customer_id=bluebird.id, card_ids=[card.id])
    make_user(email="dates@example.com", name="Dee Dates")
    db.commit()

    def outputs() -> dict[str, str]:
        db.expire_all()
        query = cdrs.CdrQuery(
            customer_id=bluebird.id, start=MOMENT - timedelta(days=1), end=MOMENT + timedelta(1)
        )
        cdr = list(csv.reader(io.StringIO("".join(cdr_export.cdr_csv(
            session=db, actor=SYSTEM, query=query, columns=["call_start"], tz="UTC"
        )))))  # fmt: skip
        events = db.exec(select(AuditEvent).where(AuditEvent.at == MOMENT)).all()
        audit = list(
            csv.reader(io.StringIO(audit_csv_text(audit_views(session=db, events=events))))
        )
        ledger = list(csv.reader(io.StringIO(
            ledger_csv(session=db, actor=SYSTEM, customer_id=bluebird.id)
        )))  # fmt: skip
        rates = list(csv.reader(io.StringIO(
            customer_rates_csv(session=db, actor=SYSTEM, customer_id=bluebird.id)
        )))  # fmt: skip
        assert cdr[0][0] == "Call start (UTC)" and audit[0][0] == "when_utc"
        assert ledger[0][0] == "date (UTC)" and rates[0][-1] == "effective_from"
        return {
            "cdr": cdr[1][0],
            "audit": audit[1][0],
            "ledger": ledger[1][0],
            "rates": rates[1][-1],
        }

    def alert_time() -> str:
        db.add(db.get(AccountConfig, 1) or AccountConfig(id=1))
        db.get(AccountConfig, 1).login_alerts = True
        db.commit()
        login_password(session=db, email="dates@example.com", password=PASSWORD,
                       client="203.0.113.7", user_agent="curl/8")  # fmt: skip
        db.commit()
        mail = db.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        (line,) = [
            ln for ln in decrypt_secret(mail.text_enc).splitlines() if ln.startswith("Time:")
        ]
        return line.removeprefix("Time:").strip()

    assert outputs() == {
        "cdr": "2026-03-04 05:06:07",
        "audit": "2026-03-04 05:06:07",
        "ledger": "2026-03-04 05:06:07",
        "rates": "2026-03-04",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", alert_time())

    db.get(AccountConfig, 1).date_format = "DD/MM/YYYY"
    db.commit()
    assert outputs() == {
        "cdr": "04/03/2026 05:06:07",
        "audit": "04/03/2026 05:06:07",
        "ledger": "04/03/2026 05:06:07",
        "rates": "04/03/2026",
    }
    sent = alert_time()
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d UTC", sent)
    assert datetime.strptime(sent, "%d/%m/%Y %H:%M UTC").date() == datetime.now(UTC).date()


# Machine text that is no date for people: audit snapshots, service views that states
# format, a chart's keys, the CSV link's ISO parameters, the demo's bulk insert.
ISO_ALLOWED = {
    "services/audit.py": 1,
    "services/carrier_portal.py": 2,  # day keys
    "services/payment_gateways.py": 1,
    "services/rate_cards.py": 1,
    "services/servers.py": 1,
    "services/usage.py": 2,  # period keys
    "state/cdr_report.py": 2,
    "state/portal_carrier.py": 2,  # the <input type="month"> value
}
STRFTIME_ALLOWED = {"services/dates.py", "demo/calls.py"}


FORMATTING = re.compile(r"strftime\(|\{[^}]+:%[a-zA-Z]")


def test_no_module_but_services_dates_formats_dates_for_people():
    # Positive controls: the two ways of formatting a date that the search must find.
    assert FORMATTING.search('at.strftime("%Y-%m-%d")') and FORMATTING.search('f"{at:%d/%m}"')
    app = PROJECT_ROOT / "portal_app"
    strftime, iso = [], {}
    for path in sorted(app.rglob("*.py")):
        name = path.relative_to(app).as_posix()
        text = path.read_text()
        if name not in STRFTIME_ALLOWED and FORMATTING.search(text):
            strftime.append(name)
        if found := text.count(".isoformat()"):
            iso[name] = found
    for path in sorted(app.rglob("*.jsx")) + sorted((PROJECT_ROOT / "assets").rglob("*.js*")):
        if re.search(r"toLocale(Date|Time)?String|Intl\.DateTimeFormat\([^)]", path.read_text()):
            strftime.append(path.name)  # the browser formatting a date its own way
    assert strftime == []
    iso.pop("services/dates.py", None)
    assert iso == ISO_ALLOWED, "a new .isoformat(): is it shown to people? use services/dates"
