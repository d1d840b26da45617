"""A low-balance alert fires once, when a ledger entry takes the available balance
below its threshold: the Balance tab queues it, the outbox sends it through the
brand's SMTP."""

from __future__ import annotations

import pytest

from portal_app.models import Customer, CustomerAlert, PortalDomain
from portal_app.services.alerts import alerts_crossed
from portal_app.services.crypto import encrypt_secret
from portal_app.services.outbox import outbox_send_due
from portal_app.state.ledger import LedgerState
from tests.smtpserver import PASSWORD, QUIET, USERNAME, smtp_server

from .helpers import call, make_state

pytestmark = [pytest.mark.filterwarnings(w) for w in QUIET]


def test_crossing_below_a_threshold_emails_its_recipients_once(db, admin):
    with smtp_server() as server:
        domain = PortalDomain(
            host="alerts.example.test",
            brand_name="Alerts",
            status="verified",
            smtp_server=server.address,
            smtp_from="noreply@alerts.example.test",
            smtp_username=USERNAME,
            smtp_password_enc=encrypt_secret(PASSWORD),
        )
        db.add(domain)
        db.flush()
        customer = Customer(name="Lowbal", currency="USD", credit_limit=1_000, domain_id=domain.id)
        db.add(customer)
        db.flush()
        db.add(
            CustomerAlert(customer_id=customer.id, threshold=500, recipients="ops@lowbal.example")
        )
        db.commit()
        assert alerts_crossed(session=db, customer_id=customer.id, before=600, after=400)
        assert not alerts_crossed(session=db, customer_id=customer.id, before=400, after=300)
        state = make_state(LedgerState, token=admin.token)
        call(state, "open_ledger", customer_id=customer.id)
        out = call(state, "add_entry", form_data={"kind": "charge", "amount": "4.00", "note": ""})
        assert outbox_send_due() == 0  # $10.00 credit − $4.00 = $6.00, still above $5.00
        out = call(state, "add_entry", form_data={"kind": "charge", "amount": "2.00", "note": ""})
        assert ("info", "Low-balance alert queued for ops@lowbal.example.") in out.toasts
        assert outbox_send_due() == 1
        assert [m.rcpt_tos for m in server.messages] == [["ops@lowbal.example"]]
        assert (
            "$4.00, below the alert threshold of $5.00"
            in server.messages[0].message.get_body(("plain",)).get_content()
        )
        call(state, "add_entry", form_data={"kind": "charge", "amount": "1.00", "note": ""})
        assert outbox_send_due() == 0 and len(server.messages) == 1  # already below
