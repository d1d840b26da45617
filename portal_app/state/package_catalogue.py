"""Management › Rate Cards › Packages: the catalogue, and a dialog to add or edit a
package (its price, frequency, lookup service, enabled); delete asks first and says
which customers lose it."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import packages as svc
from portal_app.services.account import account_currency
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.money import plain_minor
from portal_app.services.validation import parse_id

from .base import AppState
from .guard import Need, actor, checked, guarded

TEXT_FIELDS = ["package_name", "package_currency", "package_fee", "package_minutes"]
TEXT_FIELDS += ["package_frequency", "package_service"]
BLANK = {
    "package_name": "",
    "package_currency": "USD",
    "package_fee": "0",
    "package_minutes": "0",
    "package_frequency": "monthly",
    "package_service": "none",
    "package_enabled": "on",
    "package_auto": "",
}


@dataclasses.dataclass
class PackageRow:
    id: int
    name: str
    currency: str
    price: str
    minutes: str
    service: str
    status: str  # "Enabled" / "Disabled"
    customers: int


def _form(form_data: dict) -> svc.PackageForm:
    get = lambda key, n: str(form_data.get(key) or "")[:n]  # noqa: E731
    return svc.PackageForm(
        name=get("package_name", 200),
        currency=get("package_currency", 3),
        fee=get("package_fee", 40),
        minutes=get("package_minutes", 12) or "0",
        frequency=get("package_frequency", 16),
        service=get("package_service", 32),
        enabled=checked(form_data.get("package_enabled")),
        auto_decrement=checked(form_data.get("package_auto")),
    )


class PackageCatalogueState(AppState):
    packages: list[PackageRow] = []
    dialog: str = ""  # "" closed, "new", or the id being edited
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    confirm_id: int = 0
    confirm_name: str = ""
    confirm_customers: list[str] = []

    def _reload(self) -> None:
        with session_scope() as session:
            rows = svc.package_list(session=session, actor=actor())
        self.packages = [
            PackageRow(
                id=r.id,
                name=r.name,
                currency=r.currency,
                price=r.price,
                minutes=f"{r.minutes:,}",
                service=r.service,
                status="Enabled" if r.enabled else "Disabled",
                customers=r.customers,
            )
            for r in rows
        ]

    @guarded(Need.AREA, Area.CARD)
    def load(self):
        self.dialog, self.errors, self.confirm_id = "", {}, 0
        self._reload()

    @guarded(Need.AREA, Area.CARD)
    def open_new(self):
        with session_scope() as session:
            currency = account_currency(session=session)
        self.dialog, self.errors = "new", {}
        self.form = BLANK | {"package_currency": currency}

    @guarded(Need.AREA, Area.CARD)
    def open_edit(self, package_id: str):
        if (pid := parse_id(package_id)) is None:
            return None
        try:
            with session_scope() as session:
                p = svc.package_get(session=session, actor=actor(), package_id=pid)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.dialog, self.errors = str(pid), {}
        self.form = {
            "package_name": p.name,
            "package_currency": p.currency,
            "package_fee": plain_minor(p.retail, p.currency),
            "package_minutes": str(p.included_minutes),
            "package_frequency": p.frequency,
            "package_service": p.service,
            "package_enabled": "on" if p.enabled else "",
            "package_auto": "on" if p.auto_decrement else "",
        }
        return None

    @guarded(Need.AREA, Area.CARD)
    def close(self):
        self.dialog, self.errors, self.confirm_id, self.confirm_customers = "", {}, 0, []

    @guarded(Need.AREA, Area.CARD)
    def save(self, form_data: dict):
        if not isinstance(form_data, dict) or not self.dialog:
            return None
        form = _form(form_data)
        try:
            with session_scope() as session:
                if self.dialog == "new":
                    svc.package_create(session=session, actor=actor(), form=form)
                else:
                    pid = int(self.dialog)
                    svc.package_update(session=session, actor=actor(), package_id=pid, form=form)
        except ValidationError as exc:
            self.errors = exc.fields
            self.form = {k: str(form_data.get(k) or "")[:200] for k in TEXT_FIELDS} | {
                "package_enabled": "on" if form.enabled else "",
                "package_auto": "on" if form.auto_decrement else "",
            }
            return None
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.dialog, self.errors = "", {}
        self._reload()
        return rx.toast.success(f"Package {form.name.strip()} saved.")

    @guarded(Need.AREA, Area.CARD)
    def ask_delete(self, package_id: int):
        row = next((p for p in self.packages if p.id == package_id), None)
        if row is None:
            return
        with session_scope() as session:
            names = svc.package_customers(session=session, actor=actor(), package_id=row.id)
        self.confirm_id, self.confirm_name, self.confirm_customers = row.id, row.name, names

    @guarded(Need.AREA, Area.CARD)
    def delete_now(self):
        pid, name = self.confirm_id, self.confirm_name
        self.confirm_id, self.confirm_customers = 0, []
        if not pid:
            return None
        try:
            with session_scope() as session:
                lost = svc.package_delete(session=session, actor=actor(), package_id=pid)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success(f"Package {name} deleted; {len(lost)} customer(s) lost it.")
