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


def _customer_name(who: Actor, customer_id: int) -> str:
    with session_scope() as session:
        return cdrs.report_setup(session=session, actor=who, customer_id=customer_id).customer_name


class OperatorReportState(CdrReportMixin, AppState):
    """An operator's reports for the customer named in the address (``?customer=``)."""

    customer_id: int = 0
    customer_name: str = ""

    def _who(self) -> tuple[Actor, int]:
        return actor(), self.customer_id

    def _extra_params(self) -> dict:
        return {"customer": self.customer_id}

    def _pick_customer(self) -> bool:
        raw = str(self.router.url.query_parameters.get("customer", ""))
        try:
            self.customer_id = parse_id(raw) or 0
            self.customer_name = _customer_name(actor(), self.customer_id)
        except (ServiceError, AttributeError):
            self.customer_id, self.customer_name = 0, ""
            return False
        return True

    @guarded(Need.AREA, Area.CDR)
    def load_cdr(self):
        self._mode = "cdr"
        if not self._pick_customer():
            return rx.toast.error("Choose a customer from Management › Customers.")
        return self._start(1)

    @guarded(Need.AREA, Area.CDR)
    def load_breakout(self):
        self._mode = "breakout"
        if not self._pick_customer():
            return rx.toast.error("Choose a customer from Management › Customers.")
        return self._start(7)

    @guarded(Need.AREA, Area.CDR)
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

    @guarded(Need.AREA, Area.CDR)
    def refresh_breakout(self):
        if self.customer_id:
            yield from self._load_breakout()

    @guarded(Need.AREA, Area.CDR)
    def apply_breakout(self, form_data: dict):
        self._read_filters(form_data)
        self.by = "prefix" if form_data.get("by") == "prefix" else "destination"
        if self.customer_id:
            yield from self._load_breakout()
