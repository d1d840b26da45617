"""My Account > Configuration: company and general information."""

from __future__ import annotations

import reflex as rx

from portal_app.services import account
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.validation import country_name, format_phone

from .base import AppState
from .guard import Need, actor, checked, guarded

FIELDS = [
    "company_name",
    "address_line1",
    "address_line2",
    "city",
    "county_state",
    "country",
    "post_code",
    "currency",
    "date_format",
    "phone",
    "mobile",
]


class ConfigState(AppState):
    values: dict[str, str] = {}
    login_alerts: bool = False
    errors: dict[str, str] = {}
    can_edit: bool = False
    form_key: int = 0

    def _fill(self, row) -> None:
        self.values = {f: str(getattr(row, f) or "") for f in FIELDS}
        # People read a country's name and a number grouped; the row keeps ISO and E.164.
        self.values["country"] = country_name(row.country)
        self.values["phone"], self.values["mobile"] = map(format_phone, (row.phone, row.mobile))
        self.login_alerts = row.login_alerts
        self.form_key += 1

    @guarded(Need.OPERATOR)
    def load(self):
        with session_scope() as session:
            self._fill(account.account_config_get(session=session, actor=actor()))
        self.can_edit, self.errors = actor().can(Area.SETUP), {}

    @guarded(Need.AREA, Area.SETUP)
    def save(self, form_data: dict):
        if not isinstance(form_data, dict):
            return
        data = {f: str(form_data.get(f, ""))[:200] for f in FIELDS}
        data["login_alerts"] = checked(form_data.get("login_alerts"))
        try:
            with session_scope() as session:
                row = account.account_config_update(session=session, actor=actor(), data=data)
                self._fill(row)
        except ValidationError as exc:
            self.errors = exc.fields
            self.values = {k: str(v) for k, v in data.items() if k != "login_alerts"}
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        return rx.toast.success("Configuration saved.")
