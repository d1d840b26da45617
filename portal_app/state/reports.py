"""The CDR and Breakout reports for a contact (portal) and for an operator (control
panel). Who asks and for which customer is all that differs; see cdr_report.py."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app.models import Area, Customer
from portal_app.services import cdrs
from portal_app.services.db import get_engine
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Actor

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
    async def refresh_cdr(self):
        async for event in self._first_page():
            yield event

    @guarded(Need.CONTACT, section="cdr")
    async def apply_cdr(self, form_data: dict):
        self._read_filters(form_data)
        async for event in self._first_page():
            yield event

    @guarded(Need.CONTACT, section="cdr")
    async def older(self):
        async for event in self._older():
            yield event

    @guarded(Need.CONTACT, section="cdr")
    async def newer(self):
        async for event in self._newer():
            yield event

    @guarded(Need.CONTACT, section="breakout")
    async def refresh_breakout(self):
        async for event in self._load_breakout():
            yield event

    @guarded(Need.CONTACT, section="breakout")
    async def apply_breakout(self, form_data: dict):
        self._read_filters(form_data)
        self.by = "prefix" if form_data.get("by") == "prefix" else "destination"
        async for event in self._load_breakout():
            yield event


def _customer_name(who: Actor, customer_id: int) -> str:
    with Session(get_engine()) as session:
        cdrs.cdr_check(session=session, actor=who, customer_id=customer_id)
        return session.get(Customer, customer_id).name


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
            self.customer_id = int(raw)
            self.customer_name = _customer_name(actor(), self.customer_id)
        except (ValueError, ServiceError, AttributeError):
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
    async def refresh_cdr(self):
        if self.customer_id:
            async for event in self._first_page():
                yield event

    @guarded(Need.AREA, Area.CDR)
    async def apply_cdr(self, form_data: dict):
        self._read_filters(form_data)
        if self.customer_id:
            async for event in self._first_page():
                yield event

    @guarded(Need.AREA, Area.CDR)
    async def older(self):
        async for event in self._older():
            yield event

    @guarded(Need.AREA, Area.CDR)
    async def newer(self):
        async for event in self._newer():
            yield event

    @guarded(Need.AREA, Area.CDR)
    async def refresh_breakout(self):
        if self.customer_id:
            async for event in self._load_breakout():
                yield event

    @guarded(Need.AREA, Area.CDR)
    async def apply_breakout(self, form_data: dict):
        self._read_filters(form_data)
        self.by = "prefix" if form_data.get("by") == "prefix" else "destination"
        if self.customer_id:
            async for event in self._load_breakout():
                yield event
