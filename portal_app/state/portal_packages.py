"""The portal's Packages section: the customer's packages (Name, Retail, Frequency, Auto
Decrement Credit, as the anchor's portal lists them) and, with an enabled number
lookup package, the lookup: one number from the form, or a CSV of numbers answered as
a CSV download. The customer comes from the session; the services count each lookup."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import customer_packages, dates, number_lookup
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError

from .base import AppState
from .guard import Need, Writes, guarded, portal

UPLOAD_ID = "lookup_csv_upload"


@dataclasses.dataclass
class OwnRow:
    name: str
    retail: str
    frequency: str
    auto_decrement: str  # "Yes" / "No"
    service: str  # "Number lookup", "Number lookup (disabled)" or "—"
    next_charge: str  # the day in the account's format, "—" when not charged


class PortalPackagesState(AppState):
    packages: list[OwnRow] = []
    can_lookup: bool = False
    answer: dict[str, str] = {}  # the last number's answer, empty for none
    errors: dict[str, str] = {}
    file_outcome: str = ""

    @guarded(Need.CONTACT, section="packages")
    def load(self):
        self.errors, self.answer, self.file_outcome = {}, {}, ""
        with session_scope() as session:
            rows = customer_packages.own_packages(session=session, actor=portal().actor)
            fmt = dates.formatter(session=session)
        self.packages = [
            OwnRow(
                name=p.name,
                retail=p.retail,
                frequency=p.frequency,
                auto_decrement="Yes" if p.auto_decrement else "No",
                service=(p.service + ("" if p.enabled else " (disabled)")) if p.service else "—",
                next_charge=fmt.date(p.next_charge, empty="—"),
            )
            for p in rows
        ]
        self.can_lookup = any(p.service == "Number lookup" and p.enabled for p in rows)

    @guarded(Need.CONTACT, section="packages", writes=Writes.ACCOUNT)
    def lookup(self, form_data: dict):
        number = str(form_data.get("lookup_number") or "")[:60]
        try:
            with session_scope() as session:
                info = number_lookup.lookup_number(
                    session=session, actor=portal().actor, number=number
                )
        except ValidationError as exc:
            self.errors, self.answer = exc.fields, {}
            return None
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        self.answer = {
            "Number": info.e164,
            "Country": info.country,
            "Region": info.region or "—",
            "Line type": info.line_type,
            "Original carrier": info.carrier or "—",
        }
        return None

    @guarded(Need.CONTACT, section="packages", writes=Writes.ACCOUNT)
    def upload_csv(self, files: list[rx.UploadFile]):
        if len(files) != 1:
            self.errors = {"lookup_file": "Choose one CSV file."}
            return None
        data = files[0].file.read(number_lookup.MAX_CSV_BYTES + 1)
        try:
            with session_scope() as session:
                text, answered = number_lookup.lookup_csv(
                    session=session, actor=portal().actor, data=data
                )
        except ValidationError as exc:
            self.errors, self.file_outcome = exc.fields, ""
            return None
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors = {}
        self.file_outcome = f"Looked up {answered:,} numbers: the results are downloading."
        return [rx.clear_selected_files(UPLOAD_ID), rx.download(data=text, filename="lookup.csv")]
