"""Report › Breakout Report and the customer picker of both reports: matches as the
operator types (a few at a time, never the whole list), picking opens that customer's
report, the Report area opens the Breakout report, and other operators are refused."""

from __future__ import annotations

from datetime import timedelta

from portal_app.models import Cdr, Customer, Grant
from portal_app.models.base import utcnow
from portal_app.services.customer_search import PICK_MAX
from portal_app.state.reports import OperatorReportState

from .helpers import call, make_state, seed_group, seed_operator


def _customers(db) -> Customer:
    db.add_all([Customer(name=f"Acme {n:02d}", currency="EUR") for n in range(15)])
    target = Customer(name="Bluefin Voice", company_name="Bluefin Ltd", currency="EUR")
    db.add(target)
    db.commit()
    now = utcnow()
    at = max(now - timedelta(hours=1), now.replace(hour=0, minute=0, second=1, microsecond=0))
    for i, (prefix, dest) in enumerate([("44", "United Kingdom")] * 3 + [("33", "France")]):
        db.add(
            Cdr(
                customer_id=target.id,
                call_start=at,
                dialled=f"{prefix}20{i:07d}",
                destination=dest,
                prefix=prefix,
                status="answered" if i != 2 else "busy",
                duration=90 if i != 2 else 0,
                billed_duration=120 if i != 2 else 0,
                cost=20_000 if i != 2 else 0,
                currency="EUR",
                sip_call_id=f"pick-{i}",
            )
        )
    db.commit()
    return target


def _breakout_page(token: str) -> OperatorReportState:
    state = make_state(OperatorReportState, token=token, path="/report/breakout")
    out = call(state, "load_breakout")
    assert out.toasts == [] and state.customer_id == 0  # no customer yet: the picker
    return state


def test_the_picker_finds_a_few_and_picking_opens_the_breakout(db, admin):
    target = _customers(db)
    state = _breakout_page(admin.token)
    call(state, "find_customers", text="acme")
    assert len(state.pick_rows) == PICK_MAX
    assert [r.label for r in state.pick_rows[:2]] == ["Acme 00 · EUR", "Acme 01 · EUR"]
    call(state, "find_customers", text="BLUEFIN ltd")  # the company name, any case
    assert [r.id for r in state.pick_rows] == [target.id]
    call(state, "find_customers", text=str(target.id))
    assert [r.id for r in state.pick_rows] == [target.id]
    call(state, "find_customers", text="nobody-like-this")
    assert state.pick_rows == [] and state.pick_note == "No customer matches “nobody-like-this”."
    call(state, "find_customers", text="   ")
    assert state.pick_rows == [] and state.pick_note == ""
    call(state, "find_customers", text="50%_")  # wildcards are literal
    assert state.pick_rows == []

    out = call(state, "pick_customer", customer_id=target.id)
    assert any(e.name == "_call_script" for e in out.events)  # asks the browser's zone
    assert state.customer_name == "Bluefin Voice" and state.pick_rows == []
    out = call(state, "set_tz", tz="UTC")
    call(state, "refresh_breakout")
    assert state.breakout_headers == ["Destination", "Calls", "Minutes", "ASR", "ACD", "Cost"]
    assert state.breakout_rows == [
        ["United Kingdom", "3", "4.0", "66.7 %", "1:30", "€0.04"],
        ["France", "1", "2.0", "100.0 %", "1:30", "€0.02"],
    ]
    assert state.chart[0] == {"name": "United Kingdom", "value": 0.04}
    form = {"first": state.first, "last": state.last, "by": "prefix"}
    call(state, "apply_breakout", form_data=form)
    assert [r[:2] for r in state.breakout_rows] == [["44", "44"], ["33", "33"]]

    for bad in (0, -4, 99_999_999):
        out = call(state, "pick_customer", customer_id=bad)
        assert out.toasts == [("error", "That customer is not available to you.")]
    assert call(state, "pick_customer", customer_id=2**63).toasts[0][1].endswith("malformed.")


def test_the_report_area_opens_the_breakout_report_but_not_the_cdr_report(db):
    target = _customers(db)
    group = seed_group(db, "Reporting", report=Grant.ALLOW)
    reporter = seed_operator(db, "reporter@example.com", group_id=group)
    state = _breakout_page(reporter.token)
    call(state, "find_customers", text="bluefin")
    call(state, "pick_customer", customer_id=state.pick_rows[0].id)
    call(state, "set_tz", tz="UTC")
    call(state, "refresh_breakout")
    assert state.customer_id == target.id and len(state.breakout_rows) == 2
    cdr = make_state(OperatorReportState, token=reporter.token, path="/management/customers/cdr")
    out = call(cdr, "load_cdr")
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert call(cdr, "refresh_cdr").toasts and cdr.rows == []


def test_operators_without_a_report_area_find_nobody(db, clerk):
    _customers(db)
    state = make_state(OperatorReportState, token=clerk.token, path="/report/breakout")
    out = call(state, "find_customers", text="acme")
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert state.pick_rows == []
