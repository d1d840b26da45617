"""The CDR and Breakout reports for a contact (portal) and for an operator (control
panel). Who asks and for which customer is all that differs; see cdr_report.py."""

from __future__ import annotations

import reflex as rx

from portal_app.services import cdrs
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Actor, Area
from portal_app.services.validation import parse_id

from .base import AppState
from .cdr_report import CdrReportMixin
from .customer_picker import CustomerPickerMixin
from .guard import Need, actor, guarded, portal


class PortalReportState(CdrReportMixin, AppState):
    """A contact's reports: the customer is the session's, whatever the browser sends."""

    def _who(self) -> tuple[Actor, int]:
        ctx = portal()
        return ctx.actor, ctx.customer.id

    @guarded(Need.CONTACT, section="cdr")
    def load_cdr(self):
        self._mode = "cdr"
        return self._start(1)

    @guarded(Need.CONTACT, section="breakout")
    def load_breakout(self):
        self._mode = "breakout"
        return self._start(7)

    @guarded(Need.CONTACT)
    def set_tz(self, tz: str):
        """The browser's time zone (the viewer's days); then the report loads."""
        self._set_tz(tz, self._days)
        cls = type(self)
        return cls.refresh_breakout if self._mode == "breakout" else cls.refresh_cdr

    @guarded(Need.CONTACT, section="cdr")
    def refresh_cdr(self):
        yield from self._first_page()

    @guarded(Need.CONTACT, section="cdr")
    def apply_cdr(self, form_data: dict):
        self._read_filters(form_data)
        yield from self._first_page()

    @guarded(Need.CONTACT, section="cdr")
    def older(self):
        yield from self._older()

    @guarded(Need.CONTACT, section="cdr")
    def newer(self):
        yield from self._newer()

    @guarded(Need.CONTACT, section="breakout")
    def refresh_breakout(self):
        yield from self._load_breakout()

    @guarded(Need.CONTACT, section="breakout")
    def apply_breakout(self, form_data: dict):
        self._read_filters(form_data)
        self.by = "prefix" if form_data.get("by") == "prefix" else "destination"
        yield from self._load_breakout()


def _customer_name(who: Actor, customer_id: int, areas: tuple[Area, ...]) -> str:
    with session_scope() as session:
        setup = cdrs.report_setup(session=session, actor=who, customer_id=customer_id, areas=areas)
    return setup.customer_name


BREAKOUT_AREAS = cdrs.REPORT_AREAS  # Report › Breakout Report: the CDR or the Report area


class OperatorReportState(CustomerPickerMixin, CdrReportMixin, AppState):
    """An operator's reports for the customer picked on the page or named in the
    address (``?customer=``, the links of the customer dialog)."""

    customer_id: int = 0
    customer_name: str = ""

    def _who(self) -> tuple[Actor, int]:
        return actor(), self.customer_id

    def _extra_params(self) -> dict:
        return {"customer": self.customer_id}

    def _areas(self) -> tuple[Area, ...]:
        return BREAKOUT_AREAS if self._mode == "breakout" else (Area.CDR,)

    def _choose(self, customer_id: int) -> bool:
        """Make ``customer_id`` the report's customer, if this operator may see it."""
        try:
            self.customer_name = _customer_name(actor(), customer_id, self._areas())
            self.customer_id = customer_id
        except ServiceError:
            self.customer_id, self.customer_name = 0, ""
            return False
        return True

    def _open(self, mode: str, days: int):
        self._mode = mode
        self._picked()
        customer_id = parse_id(str(self.router.url.query_parameters.get("customer", "")))
        if customer_id is None:
            self.customer_id, self.customer_name = 0, ""
            return None
        if not self._choose(customer_id):
            return rx.toast.error("That customer is not available to you.")
        return self._start(days)

    @guarded(Need.AREA, Area.CDR)
    def load_cdr(self):
        return self._open("cdr", 1)

    @guarded(Need.AREA, BREAKOUT_AREAS)
    def load_breakout(self):
        return self._open("breakout", 7)

    @guarded(Need.AREA, BREAKOUT_AREAS)
    def find_customers(self, text: str):
        """The picker's matches for what the operator typed so far."""
        try:
            self._find(actor(), text, self._areas())
        except ServiceError as exc:
            return rx.toast.error(exc.message)

    @guarded(Need.AREA, BREAKOUT_AREAS)
    def pick_customer(self, customer_id: int):
        """Open this page's report for the picked customer."""
        if not self._choose(customer_id):
            return rx.toast.error("That customer is not available to you.")
        self._picked()
        return self._start(7 if self._mode == "breakout" else 1)

    @guarded(Need.AREA, BREAKOUT_AREAS)
    def set_tz(self, tz: str):
        self._set_tz(tz, self._days)
        cls = type(self)
        return cls.refresh_breakout if self._mode == "breakout" else cls.refresh_cdr

    @guarded(Need.AREA, Area.CDR)
    def refresh_cdr(self):
        if self.customer_id:
            yield from self._first_page()

    @guarded(Need.AREA, Area.CDR)
    def apply_cdr(self, form_data: dict):
        self._read_filters(form_data)
        if self.customer_id:
            yield from self._first_page()

    @guarded(Need.AREA, Area.CDR)
    def older(self):
        yield from self._older()

    @guarded(Need.AREA, Area.CDR)
    def newer(self):
        yield from self._newer()

    @guarded(Need.AREA, BREAKOUT_AREAS)
    def refresh_breakout(self):
        if self.customer_id:
            yield from self._load_breakout()

    @guarded(Need.AREA, BREAKOUT_AREAS)
    def apply_breakout(self, form_data: dict):
        self._read_filters(form_data)
        self.by = "prefix" if form_data.get("by") == "prefix" else "destination"
        if self.customer_id:
            yield from self._load_breakout()
