"""The one copy of each input rule (services/validation.py): names lose bidi controls and
other invisible characters before they are stored, email addresses are checked by
email-validator, phone numbers by phonenumbers and stored in E.164, and CSV cells never
carry a bidi control. Service tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from portal_app.models import Contact, Customer, RateCard, RateEntry
from portal_app.services import validation as v
from portal_app.services.contacts import contact_create
from portal_app.services.csvcell import csv_cell, csv_cells
from portal_app.services.customers import customer_create
from portal_app.services.errors import ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.imports import import_rates
from portal_app.services.ledger import ledger_add, ledger_csv
from portal_app.services.rates import card_create
from portal_app.settings import get_settings

RLO, LRI, PDI, ZWSP = "\u202e", "\u2066", "\u2069", "\u200b"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f"Acme {RLO}fdp.exe", "Acme fdp.exe"),
        (f"{LRI}Evil{PDI} Co", "Evil Co"),
        (f"zero{ZWSP}width", "zerowidth"),
        (f"all{BIDI}of them", "allof them"),
        ("tag\U000e0041s", "tags"),  # invisible tag characters
        ("  two\tlines\nhere  ", "two lines here"),
        ("Cafe\u0301", "Café"),  # NFC
        ("\u0645\u0646\u200c\u0647\u0645", "\u0645\u0646\u200c\u0647\u0645"),  # ZWNJ shapes
        (
            "\U0001f468\u200d\U0001f469\u200d\U0001f467 Co",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467 Co",
        ),
        ("שלום Ltd", "שלום Ltd"),  # right-to-left letters themselves are fine
    ],
)
def test_clean_name_drops_invisible_and_bidi_controls(typed, stored):
    assert v.clean_name(typed) == stored
    assert v.check_name(stored) is None


def test_check_name_refuses_an_uncleaned_name():
    assert v.check_name(f"Acme{RLO}") == "Name may not contain invisible or control characters."
    assert v.clean_name(RLO * 3 + " ") == ""
    assert v.check_name(v.clean_name(RLO * 3 + " ")) == "Enter a name."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Nina@Newco.Example", "nina@newco.example"),
        (" ops@example.test ", "ops@example.test"),
        ("Name@Bücher.example", "name@xn--bcher-kva.example"),
    ],
)
def test_valid_email_addresses_and_their_stored_form(typed, stored):
    assert v.check_email(typed.strip()) is None
    assert v.normalize_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "a@b",
        "no-at-sign",
        "x@-bad.com",
        "a..b@example.com",
        "über@example.com",  # needs SMTPUTF8, which smtplib does not speak
        f"a@example.com{RLO}",
        "a@exa mple.com",
        "a@localhost",
        "x" * 65 + "@example.com",
    ],
)
def test_invalid_email_addresses(typed):
    assert v.check_email(typed) == v.EMAIL_MESSAGE
    assert v.normalize_email(typed) == typed.lower()  # never raises, keeps what was typed


def test_an_empty_email_asks_for_one():
    assert v.check_email("") == "Enter an email address."


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("+44 (20) 7946-0958", "+442079460958"),
        ("+1 202.456.1111", "+12024561111"),
        ("+49 30 901820", "+4930901820"),
    ],
)
def test_valid_phone_numbers_are_stored_in_e164(typed, e164):
    assert v.check_phone(typed) is None
    assert v.normalize_phone(typed) == e164


@pytest.mark.parametrize(
    "typed",
    [
        "020 7946 0958",  # no country code: no region is guessed
        "+44 20 7946",  # too short for the UK
        "+44 20 7946 0958 ext 12",
        "+44 20 7946 0958;",
        f"+44{RLO}2079460958",
        "+999 1234 5678",
        "call me",
        "+" + "1" * 40,
    ],
)
def test_invalid_phone_numbers(typed):
    assert v.check_phone(typed) == v.PHONE_MESSAGE
    assert v.normalize_phone(typed) == typed.strip()


def test_the_phone_message_example_is_itself_valid():
    assert v.check_phone("+44 20 7946 0000") is None
    assert v.check_phone("  ") == "Enter a phone number."


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (f"{RLO}fdp.exe", "fdp.exe"),
        (f"{ZWSP}=HYPERLINK(1)", "'=HYPERLINK(1)"),  # a hidden leading "=" is seen
        (f"{LRI}+44{PDI}", "'+44"),
        ("plain", "plain"),
    ],
)
def test_csv_cells_carry_no_bidi_control(value, cell):
    assert csv_cell(value) == cell


def test_names_are_stored_without_bidi_controls(db, make_user):
    customer = customer_create(
        session=db,
        actor=SYSTEM,
        data={"name": f"Acme {RLO}exe.pdf", "kind": "customer", "currency": "USD"},
    )
    contact, _ = contact_create(
        session=db,
        actor=SYSTEM,
        customer_id=customer.id,
        data={"name": f"{LRI}Pat{PDI} Contact", "email": "pat@acme.example", "password": "x" * 12},
    )
    card = card_create(session=db, actor=SYSTEM, name=f"Retail{ZWSP} {RLO}DSU", currency="USD")
    db.commit()
    user = make_user(name=f"Op{RLO}erator")
    db.expire_all()
    assert db.get(Customer, customer.id).name == "Acme exe.pdf"
    assert db.get(Contact, contact.id).name == "Pat Contact"
    assert db.get(RateCard, card.id).name == "Retail DSU"
    assert user.name == "Operator"


def test_a_name_of_only_invisible_characters_is_refused_and_nothing_is_stored(db):
    with pytest.raises(ValidationError) as info:
        customer_create(
            session=db,
            actor=SYSTEM,
            data={"name": RLO + ZWSP, "kind": "customer", "currency": "USD"},
        )
    assert set(info.value.fields) == {"name"}
    db.rollback()
    assert db.exec(select(Customer)).first() is None


def test_ledger_csv_never_carries_bidi_controls(db):
    customer = customer_create(
        session=db, actor=SYSTEM, data={"name": "Acme", "kind": "customer", "currency": "USD"}
    )
    ledger_add(
        session=db,
        actor=SYSTEM,
        customer_id=customer.id,
        kind="credit",
        amount="5.00",
        reference=f"Invoice {RLO}9102",
        note=f"{LRI}=cmd{PDI}",
    )
    db.commit()
    text = ledger_csv(session=db, actor=SYSTEM, customer_id=customer.id)
    assert not any(c in text for c in BIDI + ZWSP)
    rows = list(csv.reader(io.StringIO(text)))
    assert "Invoice 9102" in rows[1] and "'=cmd" in rows[1]


def test_imported_destination_names_lose_bidi_controls(db):
    card = card_create(session=db, actor=SYSTEM, name="Deck", currency="USD")
    db.commit()
    lines = [
        "prefix,destination,rate\n",
        f"44,United {RLO}modgniK,0.0100\n",
        f"4420,{LRI}London{PDI}  Fixed,0.0200\n",
    ]
    assert import_rates(session=db, actor=SYSTEM, card_id=card.id, lines=iter(lines)).ok
    db.expire_all()
    names = db.exec(select(RateEntry.destination).order_by(RateEntry.prefix)).all()
    assert names == ["United modgniK", "London Fixed"]


def test_a_brand_address_on_localhost_is_valid_outside_production():
    """The demo's brands are ``*.localhost``: their From addresses must save in dev."""
    assert v.check_email("noreply@acme.localhost") is None
    assert v.normalize_email("NoReply@Acme.Localhost") == "noreply@acme.localhost"


def test_a_localhost_address_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    get_settings.cache_clear()
    try:
        assert get_settings().is_production  # positive control: the setting took
        assert v.check_email("noreply@acme.localhost") == v.EMAIL_MESSAGE
        assert v.check_email("noreply@acme.example.com") is None
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_column_of_cells_is_guarded_whatever_its_other_cells_are():
    plain = ["4420", "Bea", "answered", 7]
    assert csv_cells(plain) == ["4420", "Bea", "answered", "7"]  # the control: taken as is
    assert csv_cells([*plain, "=1+1", f"{RLO}x", "-2", "Zoë"]) == [
        *["4420", "Bea", "answered", "7"],
        *["'=1+1", "x", "'-2", "Zoë"],
    ]
