"""Sign-up and approval states: a closed domain refuses, a carrier lands as a carrier,
the pending list and its decisions, and who may decide."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.models import Customer, PortalDomain, Signup
from portal_app.services import signup_decisions
from portal_app.services.outbox import outbox_send_due
from portal_app.state.pending import PendingState
from portal_app.state.signup import SignupState
from tests.smtpserver import PASSWORD as SMTP_PASSWORD
from tests.smtpserver import QUIET, USERNAME, smtp_server

from .helpers import call, count, fresh, make_state

pytestmark = [pytest.mark.filterwarnings(w) for w in QUIET]
FORM = {
    "company_name": "Wavecarrier",
    "contact_name": "Wes Wave",
    "email": "wes@wave.example",
    "password": "wave-password-1",
    "phone": "+1 212 555 0100",
    "country": "US",
    "currency": "USD",
    "terms": True,
    "website": "",
}
ROUTER = {"origin": "http://brand.example.test:3000", "host": "brand.example.test:3000"}


def _domain(db, **kw) -> PortalDomain:
    domain = PortalDomain(
        host="brand.example.test", brand_name="Brand", status="verified", currencies=["USD"], **kw
    )
    db.add(domain)
    db.commit()
    return domain


def test_closed_sign_up_refuses_and_changes_nothing(db):
    _domain(db, customer_signup=True, carrier_signup=False)
    state = make_state(SignupState, path="/portal/signup?kind=carrier", **ROUTER)
    call(state, "load_signup")
    assert state.kind == "carrier"
    call(state, "submit", form_data=FORM)
    assert state.error == "Sign-up is not open on this portal." and state.notice == ""
    assert count(db, Signup) == 0


def test_carrier_sign_up_lands_as_a_pending_carrier_and_is_approved(db, admin, clerk):
    domain = _domain(db, customer_signup=False, carrier_signup=True)
    from portal_app.services.crypto import encrypt_secret

    with smtp_server() as server:
        domain.smtp_server, domain.smtp_from = server.address, "noreply@brand.example.test"
        domain.smtp_username, domain.smtp_password_enc = USERNAME, encrypt_secret(SMTP_PASSWORD)
        db.add(domain)
        db.commit()
        state = make_state(SignupState, path="/portal/signup?kind=carrier", **ROUTER)
        call(state, "load_signup")
        call(state, "submit", form_data=FORM)
        assert "wes@wave.example" in state.notice
        assert server.messages == []  # queued; the outbox sends it
        assert outbox_send_due() == 1
        body = server.messages[0].message.get_body(("plain",)).get_content()
    token = body.split("token=")[1].split()[0]
    confirm = make_state(SignupState, path=f"/portal/signup/confirm?token={token}", **ROUTER)
    call(confirm, "confirm")
    assert confirm.confirmed == "Wavecarrier"
    carrier = fresh(db, Customer, Customer.name == "Wavecarrier")[0]
    assert (carrier.kind, carrier.status) == ("carrier", "pending")

    # A User whose group does not allow carriers sees nothing to decide.
    other = make_state(PendingState, token=clerk.token)
    call(other, "load")
    assert other.rows == []
    pending = make_state(PendingState, token=admin.token)
    call(pending, "load")
    assert [r.name for r in pending.rows] == ["Wavecarrier"] and pending.pending_count == 1
    call(pending, "toggle", customer_id=carrier.id, checked=True)
    call(pending, "ask_reject")
    call(pending, "reject", form_data={"reason": ""})
    assert "reason" in pending.errors
    out = call(pending, "approve")
    assert ("success", "Approved 1 sign-up.") in out.toasts
    assert pending.rows == [] and pending.pending_count == 0
    assert fresh(db, Customer, Customer.id == carrier.id)[0].status == "active"
    assert signup_decisions.pending_count(session=db) == (0, 0)
    assert db.exec(select(Signup)).one().customer_id == carrier.id


def test_the_domain_editor_previews_what_the_template_copies(db, admin):
    from portal_app.services.identity import SYSTEM
    from portal_app.services.ledger import ledger_add
    from portal_app.state.domains import DomainsState

    template = Customer(name="Starter", currency="USD", credit_limit=1_000)
    db.add(template)
    db.commit()
    ledger_add(
        session=db,
        actor=SYSTEM,
        customer_id=template.id,
        kind="credit",
        amount="5",
        reference="Welcome",
    )
    db.commit()
    state = make_state(DomainsState, token=admin.token)
    call(state, "pick_customer", customer_id=template.id)  # not offered yet: ignored
    assert state.template_id == "none" and state.template_preview == []
    call(state, "find_customers", text="star")
    assert [r.label for r in state.pick_rows] == ["Starter · USD"]
    call(state, "pick_customer", customer_id=template.id)
    assert state.template_id == str(template.id) and state.template_label == "Starter · USD"
    assert state.pick_rows == []  # the picker closes on a pick
    assert state.template_preview == [
        "Credit limit: $10.00",
        "Portal access: the domain's",
        "Routes: none",
        "Payments: $5.00 credit Welcome",
        "Alerts: none",
        "Packages: none",
        "Contracts: none",
    ]
    call(state, "clear_template")
    assert state.template_id == "none" and state.template_preview == []
