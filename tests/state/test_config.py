"""ConfigState: any operator reads the configuration; Area.SETUP is needed to save it."""

from __future__ import annotations

from portal_app.models import AccountConfig, AuditEvent
from portal_app.state.config import ConfigState

from .helpers import call, count, fresh, make_state

VALID = {
    "company_name": "Acme Telecom",
    "country": "gb",
    "currency": "GBP",
    "date_format": "DD/MM/YYYY",
    "phone": "+44 20 7946 0000",
    "login_alerts": "on",
}


def test_user_without_setup_can_read_but_not_edit(db, clerk):
    state = make_state(ConfigState, token=clerk.token)
    call(state, "load")
    assert state.can_edit is False
    assert state.values["currency"] == "USD"  # the defaults, before anyone saved

    audits = count(db, AuditEvent)
    out = call(state, "save", form_data=VALID)
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert out.changed == set()
    assert count(db, AccountConfig) == 0
    assert count(db, AuditEvent) == audits


def test_admin_with_an_invalid_country_gets_a_field_error(db, admin):
    state = make_state(ConfigState, token=admin.token)
    call(state, "load")
    assert state.can_edit is True
    out = call(state, "save", form_data=VALID | {"country": "GBR"})
    assert state.errors == {"country": "Choose a country from the list."}
    assert state.values["country"] == "GBR"  # what was typed stays in the form
    assert state.values["company_name"] == "Acme Telecom"
    assert out.toasts == []
    assert count(db, AccountConfig) == 0


def test_admin_saves_a_valid_configuration_with_an_audit_row(db, admin):
    state = make_state(ConfigState, token=admin.token)
    call(state, "load")
    out = call(state, "save", form_data=VALID)
    assert out.toasts == [("success", "Configuration saved.")]
    assert state.errors == {} and state.values["country"] == "United Kingdom"  # its name

    (row,) = fresh(db, AccountConfig)
    assert (row.company_name, row.country, row.currency) == ("Acme Telecom", "GB", "GBP")
    assert row.login_alerts is True
    (audit,) = fresh(db, AuditEvent, AuditEvent.action == "config.update")
    assert audit.actor_id == admin.id and audit.after["country"] == "GB"
