"""Property: whatever a contact does in the portal, and whatever ids it forges, nothing
of the other customer (and no private note or internal ledger note, even its own)
reaches its browser.

Hypothesis drives both customers' contacts through random sequences of portal actions
on their own or the other brand's host, including forged calls to control-panel
handlers with the other customer's ids and extra arguments. After every call the
whole delta and every event (downloads decoded) are searched for the other tenant's
marker and for the secrets.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal_app.state.contacts import ContactsState
from portal_app.state.customers import CustomersState
from portal_app.state.ledger import LedgerState
from portal_app.state.portal import PortalState
from portal_app.state.portal_balance import PortalBalanceState
from portal_app.state.portal_profile import PortalProfileState

from .helpers import call, make_state
from .portal_seed import seed_tenant, sent_text


def _actions(me, other):
    """(state class, handler, payload) for one contact; ``other`` supplies forged ids."""
    return [
        (PortalState, "load_portal", {}),
        (PortalState, "load_team", {}),
        (PortalBalanceState, "load", {}),
        (PortalBalanceState, "go_page", {"delta": 1}),
        (PortalBalanceState, "go_page", {"delta": -1}),
        (PortalBalanceState, "go_page", {"delta": other.customer_id}),
        (PortalBalanceState, "download_csv", {}),
        (PortalBalanceState, "load", {"customer_id": other.customer_id}),  # extra argument
        (PortalProfileState, "load", {}),
        (PortalProfileState, "save_name", {"form_data": {"name": f"Renamed {me.marker}"}}),
        (
            PortalProfileState,
            "save_name",
            {"form_data": {"name": "x", "contact_id": other.contact_id}},
        ),
        (LedgerState, "open_ledger", {"customer_id": other.customer_id}),
        (LedgerState, "download_csv", {}),
        (ContactsState, "open_contacts", {"customer_id": other.customer_id}),
        (ContactsState, "open_contact", {"contact_id": other.contact_id}),
        (CustomersState, "open_customer", {"customer_id": str(other.customer_id)}),
        (CustomersState, "load", {}),
    ]


@pytest.fixture()
def pair(db):
    return seed_tenant(db, "ALPHA", "alpha.example.test", entries=30), seed_tenant(
        db, "BRAVO", "bravo.example.test", entries=30
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from([0, 1]), st.booleans(), st.integers(0, 16)),
        min_size=1,
        max_size=12,
    )
)
def test_nothing_of_one_customer_reaches_the_other(pair, steps):
    tenants = list(pair)
    states: dict[tuple[int, bool, type], object] = {}
    for who, own_host, pick in steps:
        me, other = tenants[who], tenants[1 - who]
        cls, handler, payload = _actions(me, other)[pick]
        host = me if own_host else other
        key = (who, own_host, cls)
        if key not in states:  # one browser tab per contact, host and state
            states[key] = make_state(cls, token=me.token, **host.router())
        text = sent_text(call(states[key], handler, **payload)).lower()
        assert other.marker.lower() not in text, (handler, payload)
        for secret in me.secrets + other.secrets:
            assert secret.lower() not in text, (handler, secret)


def test_the_property_sees_data_when_it_is_allowed(pair):
    """The check above would pass vacuously if nothing were ever sent: it is not so."""
    alpha, _ = pair
    state = make_state(PortalBalanceState, token=alpha.token, **alpha.router())
    text = sent_text(call(state, "download_csv")) + sent_text(call(state, "load"))
    assert "Ref ALPHA 29" in text and "Ref ALPHA 0" in text
