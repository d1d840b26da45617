"""The account's Configuration reaching the screens: the country picker's names, phone
numbers read in the account's country and shown grouped, the account Currency as a new
customer's, dates in the account's format on a screen, and password hints that say the
account's real minimum."""

from __future__ import annotations

from datetime import UTC, datetime

from portal_app.models import AccountConfig, AuditEvent
from portal_app.state.audit import AuditState
from portal_app.state.config import ConfigState
from portal_app.state.customers import CustomersState
from portal_app.state.profile import ProfileState
from portal_app.state.signup import SignupState
from portal_app.state.users import UsersState

from .helpers import call, fresh, make_state


def test_country_by_name_and_a_national_number_are_stored_as_iso_and_e164(db, admin):
    state = make_state(ConfigState, token=admin.token)
    call(state, "load")
    form = {"company_name": "Acme", "currency": "EUR", "date_format": "DD.MM.YYYY"}
    out = call(state, "save", form_data=form | {"country": "Narnia", "phone": "020 7946 0000"})
    # Without a country a national number cannot be read either.
    assert state.errors == {
        "country": "Choose a country from the list.",
        "phone": "Phone: enter a valid phone number in international format, like "
        "+44 20 7946 0000.",
    }

    assert state.values["country"] == "Narnia" and fresh(db, AccountConfig) == []
    out = call(
        state, "save", form_data=form | {"country": "united kingdom", "phone": "020 7946 0000"}
    )
    assert out.toasts == [("success", "Configuration saved.")]
    (row,) = fresh(db, AccountConfig)
    assert (row.country, row.phone) == ("GB", "+442079460000")  # the country's own format
    # Shown as people read them, and saved again unchanged.
    assert (state.values["country"], state.values["phone"]) == (
        "United Kingdom",
        "+44 20 7946 0000",
    )
    call(
        state,
        "save",
        form_data=form | {"country": state.values["country"], "phone": state.values["phone"]},
    )
    assert state.errors == {} and fresh(db, AccountConfig)[0].phone == "+442079460000"


def test_a_new_customer_starts_in_the_accounts_currency(db, admin):
    state = make_state(CustomersState, token=admin.token)
    call(state, "load")
    call(state, "open_customer", customer_id="new")
    assert state.form["currency"] == "USD"  # the default before the account says
    db.add(AccountConfig(id=1, currency="GBP"))
    db.commit()
    call(state, "open_customer", customer_id="new")
    assert state.form["currency"] == "GBP"


def test_the_audit_screen_shows_and_reads_dates_in_the_accounts_format(db, admin):
    db.add(AccountConfig(id=1, date_format="DD/MM/YYYY"))
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    db.add(AuditEvent(at=at, actor_kind="system", actor_label="system",
                      action="test.dates", entity="account_config"))  # fmt: skip
    db.commit()
    state = make_state(AuditState, token=admin.token)
    call(state, "load")
    assert state.date_format == "DD/MM/YYYY"
    call(state, "apply_filters", form_data={"first": "03/31/2026"})  # MM/DD: not the format
    assert state.errors == {"first": "Enter a date like 01/12/2026."}

    call(state, "apply_filters", form_data={"first": "04/03/2026", "last": "04/03/2026"})
    assert state.errors == {}
    (row,) = [r for r in state.rows if r.action == "test.dates"]
    assert row.at == "04/03/2026 05:06:07"


def test_password_hints_say_the_accounts_minimum(db, admin):
    def hints() -> list[str]:
        out = []
        for cls, handler in (
            (UsersState, "load"),
            (ProfileState, "load"),
            (SignupState, "load_signup"),
        ):
            state = make_state(cls, token=admin.token)
            call(state, handler)
            out.append(state.password_hint)
        return out

    assert hints() == ["At least 10 characters."] * 3
    db.add(AccountConfig(id=1, min_password_length=14))
    db.commit()
    assert hints() == ["At least 14 characters."] * 3
