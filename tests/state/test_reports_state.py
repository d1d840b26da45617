"""The CDR and Breakout report states: the viewer's zone from the browser, the domain's
columns, keyset paging, the route for operators only, and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal_app.models import Cdr, Customer, PortalDomain
from portal_app.services.cdrs import today
from portal_app.state.reports import OperatorReportState, PortalReportState

from .helpers import call, make_state
from .portal_seed import seed_tenant, sent_text


def _calls(db, tenant, n: int) -> None:
    noon = datetime.combine(today("Europe/London"), datetime.min.time(), UTC) + timedelta(hours=1)
    for i in range(n):
        db.add(
            Cdr(
                customer_id=tenant.customer_id,
                call_start=noon + timedelta(seconds=i),
                dialled=f"44770{i:06d}",
                destination=f"Dest {tenant.marker}",
                status="answered",
                duration=30,
                billed_duration=60,
                cost=5_000,
                currency="EUR",
                route=f"Route {tenant.marker}",
                sip_call_id=f"{tenant.marker}-{i}",
            )
        )
    db.commit()


def _open(state, loader: str):
    out = call(state, loader)
    assert any(e.name == "_call_script" for e in out.events)  # asks the browser's zone
    out = call(state, "set_tz", tz="Europe/London")
    return out


def test_portal_cdr_report_uses_the_domains_columns_and_pages(db):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test")
    bravo = seed_tenant(db, "BRAVO", "bravo.example.test")
    _calls(db, alpha, 120)
    _calls(db, bravo, 5)
    domain = db.get(PortalDomain, alpha.domain_id)
    domain.cdr_columns = ["dialled", "cost", "call_start"]
    db.add(domain)
    db.commit()
    state = make_state(PortalReportState, token=alpha.token, **alpha.router("/portal/cdr"))
    out = _open(state, "load_cdr")
    assert out.events and state.first == state.last == today("Europe/London").isoformat()
    text = sent_text(call(state, "refresh_cdr"))
    assert state.headers == ["Called number", "Cost", "Call start (Europe/London)"]
    assert len(state.rows) == 50 and state.has_next and state.calls == "120"
    assert state.cost == "€0.60" and state.asr == "100.0 %"
    assert "BRAVO" not in text and "Route ALPHA" not in text
    call(state, "older")
    call(state, "older")
    assert state.page_no == 2 and len(state.rows) == 20 and not state.has_next
    call(state, "newer")
    assert state.page_no == 1 and len(state.rows) == 50
    assert "customer=" not in state.csv_url and "tz=Europe%2FLondon" in state.csv_url
    call(state, "apply_cdr", form_data={"first": "2026-13-01", "last": "x"})
    assert set(state.errors) == {"first", "last"}
    # No figures of the last range under a refused one.
    assert state.rows == [] and state.calls == state.cost == "" and state.csv_url == ""
    refused = call(state, "load_cdr", customer_id=bravo.customer_id)
    assert "malformed" in str(refused.toasts)


def test_portal_breakout_needs_its_section(db):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test")
    _calls(db, alpha, 10)
    state = make_state(PortalReportState, token=alpha.token, **alpha.router("/portal/breakout"))
    out = call(state, "load_breakout")  # not in the demo access list
    assert out.toasts == [("error", "This section is not available for your account.")]
    customer = db.get(Customer, alpha.customer_id)
    customer.portal_access = {"breakout": "show"}
    db.add(customer)
    db.commit()
    _open(state, "load_breakout")
    call(state, "refresh_breakout")
    assert state.breakout_rows[0][0] == "Dest ALPHA" and state.chart[0]["value"] == 0.05


def test_operator_report_shows_the_route_for_the_customer_in_the_address(db, admin, clerk):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test")
    _calls(db, alpha, 3)
    path = f"/management/customers/cdr?customer={alpha.customer_id}"
    state = make_state(OperatorReportState, token=admin.token, path=path)
    _open(state, "load_cdr")
    call(state, "refresh_cdr")
    assert state.customer_name == "Customer ALPHA" and state.headers[-1] == "Route"
    assert state.rows[0][-1] == "Route ALPHA"
    assert f"customer={alpha.customer_id}" in state.csv_url
    denied = make_state(OperatorReportState, token=clerk.token, path=path)
    out = call(denied, "load_cdr")
    assert out.toasts and denied.customer_name == ""
