"""States behind issue 15: the page gate (a page without permission is not refused twice),
the customer dialog asking before it drops edits, the sign-up's terms error going when
answered, the audit log's filters, and a rate card opened from its list."""

from __future__ import annotations

from portal_app.models import Customer, PortalDomain, RateEntry
from portal_app.services.identity import SYSTEM
from portal_app.services.rates import card_create
from portal_app.state.audit import AuditState
from portal_app.state.customers import CustomersState
from portal_app.state.page_gate import PageGate
from portal_app.state.rate_card_detail import RateCardDetailState
from portal_app.state.signup import SignupState

from .helpers import call, count, fresh, make_state, preset
from .portal_seed import seed_tenant


def _sent(out) -> list[str]:
    """The loaders the gate sent on; after them, always its own ``done``."""
    names = [e.name.rsplit(".", 1)[-1] for e in out.events]
    assert names[-1:] == ["done"]
    return names[:-1]


def test_the_gate_sends_on_only_the_loaders_the_guard_would_run(db, admin, clerk):
    # The clerk's group allows the log and cards, not users.
    users = make_state(PageGate, token=clerk.token, path="/setup/account/users/")
    assert _sent(call(users, "enter")) == []
    log = make_state(PageGate, token=clerk.token, path="/setup/account/audit-log")
    assert _sent(call(log, "enter")) == ["load"]
    admin_users = make_state(PageGate, token=admin.token, path="/setup/account/users")
    assert _sent(call(admin_users, "enter")) == ["load"]
    # Without a session the loaders still go: their guard sends the visitor to log in.
    stranger = make_state(PageGate, token="", path="/setup/account/users")
    assert _sent(call(stranger, "enter")) == ["load"]
    # Operator loaders do not exist on a brand host.
    brand = make_state(
        PageGate,
        token=admin.token,
        path="/setup/account/users",
        origin="http://portal.acme.test:3000",
        host="portal.acme.test:3000",
    )
    assert _sent(call(brand, "enter")) == []


def test_the_gate_skips_a_hidden_portal_sections_loader_but_not_the_frame(db):
    tenant = seed_tenant(db, "ALPHA", "alpha.example.test")
    customer = db.get(Customer, tenant.customer_id)
    customer.portal_access = {"cdr": "hide"}
    db.add(customer)
    db.commit()
    hidden = make_state(PageGate, token=tenant.token, **tenant.router("/portal/cdr"))
    assert _sent(call(hidden, "enter")) == ["load_portal"]
    shown = make_state(PageGate, token=tenant.token, **tenant.router("/portal/balance"))
    assert _sent(call(shown, "enter")) == ["load_portal", "load"]


def test_close_asks_before_it_drops_what_was_typed(db, admin):
    customer = Customer(name="Bluebird", currency="USD")
    db.add(customer)
    db.commit()
    state = make_state(CustomersState, token=admin.token)
    call(state, "load")
    call(state, "open_customer", customer_id=str(customer.id))
    call(state, "note_field", key="name", value="Bluebird")  # focus left, nothing changed
    call(state, "request_close")
    assert state.editing == "" and not state.confirm_discard

    call(state, "open_customer", customer_id=str(customer.id))
    call(state, "note_field", key="name", value="Bluebird Renamed")
    call(state, "note_field", key="not_a_field", value="x")  # ignored
    call(state, "request_close")
    assert state.confirm_discard and state.editing == str(customer.id)
    call(state, "keep_editing")
    assert not state.confirm_discard and state.editing == str(customer.id)
    call(state, "close_customer")  # "Discard changes"
    assert state.editing == "" and fresh(db, Customer)[0].name == "Bluebird"

    call(state, "open_customer", customer_id=str(customer.id))
    call(state, "set_access", key="cdr", choice="hide")  # a choice counts too
    call(state, "request_close")
    assert state.confirm_discard


def test_ticking_the_terms_clears_their_error_only(db):
    state = make_state(SignupState, origin="http://brand.example.test:3000")
    preset(state, errors={"terms": "Please accept the terms.", "phone": "Enter the number."})
    out = call(state, "clear_error", key="terms")
    assert state.errors == {"phone": "Enter the number."} and "errors" in out.changed
    assert "errors" not in call(state, "clear_error", key="terms").changed


def test_the_audit_log_filters_and_refuses_bad_dates(db, clerk):
    state = make_state(AuditState, token=clerk.token)
    call(state, "load")
    assert state.people == ["system"] and state.actions == ["group.create", "user.create"]
    assert state.rows[0].item.startswith("User ") and state.rows[0].changes
    call(state, "apply_filters", form_data={"first": "2026-02-30", "last": ""})
    assert set(state.errors) == {"first"} and state.rows == []
    call(state, "apply_filters", form_data={"first": "2026-03-02", "last": "2026-03-01"})
    assert "before the start" in state.errors["last"]
    call(state, "apply_filters", form_data={"action": "group.create", "who": "nobody"})
    assert state.errors == {} and [r.action for r in state.rows] == ["group.create"]
    assert state.who == "any"  # not a person in the log: no filter
    out = call(state, "download_csv")
    assert any(e.name == "_download" for e in out.events)


def test_a_rate_card_opens_and_its_rates_are_edited(db, clerk):
    card = card_create(session=db, actor=SYSTEM, name="Wholesale USD", currency="USD")
    db.commit()
    state = make_state(RateCardDetailState, token=clerk.token)
    call(state, "open_card", card_id=card.id)
    assert (state.name, state.currency, state.total) == ("Wholesale USD", "USD", 0)
    call(state, "edit_rate", entry_id=0)
    assert state.editing == "new" and state.form["increments"] == "60/60"
    form = state.form | {"prefix": "1212", "destination": "New York", "rate": "x"}
    call(state, "save_rate", form_data=form)
    assert set(state.errors) == {"rate"} and count(db, RateEntry) == 0
    out = call(state, "save_rate", form_data=form | {"rate": "0.005"})
    assert out.toasts == [("success", "Rate added.")] and state.editing == ""
    assert [(r.prefix, r.rate) for r in state.rows] == [("1212", "$0.0050")]
    call(state, "ask_delete", what=str(state.rows[0].id))
    call(state, "delete_now")
    assert state.rows == [] and count(db, RateEntry) == 0
    call(state, "ask_delete", what="card")
    out = call(state, "delete_now")
    assert out.toasts == [("success", "Rate card Wholesale USD deleted.")] and state.card_id == 0
    assert count(db, PortalDomain) == 0  # nothing else touched
