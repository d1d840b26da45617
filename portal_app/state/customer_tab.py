"""What the customer dialog's tab states share: the events that open every tab on one
customer, and (the Alerts & contracts tabs) running one service call for the open
customer, mapping a validation error to the fields, then reading the tab again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError

from .guard import actor


def tab_open(state: Any, customer_id: int) -> Any:
    """Show ``customer_id`` (0: none, a new customer); a service refusal is a toast."""
    state.customer_id, state.errors = max(customer_id, 0), {}
    state._clear()
    if state.customer_id:
        try:
            state._fetch()
        except ServiceError as exc:
            state.customer_id = 0
            return rx.toast.error(exc.message)
    return None


def tab_run(state: Any, fn: Callable[..., Any], **kw: Any) -> Any:
    """One write for the open customer; errors next to the fields, others as a toast."""
    if not state.customer_id:
        return None
    try:
        with session_scope() as session:
            fn(session=session, actor=actor(), **kw)
    except ValidationError as exc:
        state.errors = exc.fields
        return None
    except ServiceError as exc:
        return rx.toast.error(exc.message)
    state.errors = {}
    state.form_key += 1
    state._fetch()
    return None


def open_tabs(customer_id: int) -> list:
    """The dialog's other tabs, opened on the same customer (0: a new one)."""
    from .alerts import CustomerAlertsState
    from .carrier_routes import CarrierRoutesState
    from .contact_access import ContactAccessState
    from .contacts import ContactsState
    from .contracts import CustomerContractsState
    from .ledger import LedgerState
    from .packages import CustomerPackagesState

    return [
        LedgerState.open_ledger(customer_id),
        ContactsState.open_contacts(customer_id),
        ContactAccessState.open_access(customer_id),
        CustomerAlertsState.open_alerts(customer_id),
        CustomerPackagesState.open_packages(customer_id),
        CustomerContractsState.open_contracts(customer_id),
        CarrierRoutesState.open_routes(customer_id),
    ]
