"""Management › Rate Cards: the cards, a new card, and CSV imports of rate entries and
call records with a progress bar.

An upload is saved to a temporary file (services/import_files.py), then a background
event has a child process check and write it (services/import_child.py) while the bar
moves; other users and this tab stay responsive. The file is removed when the import
ends, however it ends; one left by a crash is removed at the next start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os

import reflex as rx

from portal_app.services import rates as svc
from portal_app.services.account import account_currency
from portal_app.services.db import session_scope
from portal_app.services.errors import ValidationError
from portal_app.services.identity import Area
from portal_app.services.import_child import ImportChild, Job
from portal_app.services.import_files import import_file_create
from portal_app.services.offloop import run_blocking

from .base import AppState
from .guard import Need, actor, guarded

UPLOAD_ID = "csv_import_upload"


@dataclasses.dataclass
class CardRow:
    id: int
    name: str
    currency: str
    entry_count: str


class RateCardsState(AppState):
    cards: list[CardRow] = []
    errors: dict[str, str] = {}
    target: str = "cdr"  # "cdr" or a rate card id
    importing: bool = False
    progress: int = 0
    phase: str = ""
    outcome: str = ""
    problems: list[str] = []
    currency: str = "USD"  # a new card's: the account's Currency
    _path: str = ""

    def _reload(self) -> None:
        with session_scope() as session:
            rows = svc.card_list(session=session, actor=actor())
            self.currency = account_currency(session=session)
        self.cards = [
            CardRow(id=c.id, name=c.name, currency=c.currency, entry_count=f"{n:,}")
            for c, n in rows
        ]

    @guarded(Need.AREA, Area.CARD)
    def load(self):
        self.errors, self.problems, self.outcome, self.phase = {}, [], "", ""
        self._reload()

    @guarded(Need.AREA, Area.CARD)
    def create_card(self, form_data: dict):
        try:
            with session_scope() as session:
                card = svc.card_create(
                    session=session,
                    actor=actor(),
                    name=str(form_data.get("card_name") or "")[:200],
                    currency=str(form_data.get("card_currency") or "")[:3],
                )
                name = card.name
        except ValidationError as exc:
            self.errors = exc.fields
            return
        self.errors = {}
        self._reload()
        return rx.toast.success(f"Rate card {name} created. Import its rates below.")

    @guarded(Need.AREA, Area.CARD)
    def set_target(self, target: str):
        if target == "cdr" or any(str(c.id) == target for c in self.cards):
            self.target = target

    @guarded(Need.AREA, Area.CARD)
    def upload_import(self, files: list[rx.UploadFile]):
        if len(files) != 1:
            self.outcome, self.problems = "Choose one CSV file.", []
            return
        if self.importing:
            return
        handle, path = import_file_create()
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := files[0].file.read(1 << 20):
                    out.write(chunk)
        except BaseException:
            os.unlink(path)
            raise
        self._path = path
        self.importing, self.progress, self.phase = True, 0, "Checking every row…"
        self.outcome, self.problems = "", []
        yield RateCardsState.run_import

    @guarded(Need.AREA, Area.CARD, background=True)
    async def run_import(self):
        who = actor()
        async with self:
            path, target = self._path, self.target
            self._path = ""
        if not path:
            return
        try:
            child = await run_blocking(ImportChild, Job(who, target, path))
            while child.running():
                await asyncio.sleep(0.3)
                done, total = child.progress
                if total:
                    async with self:
                        self.phase = f"Writing {done:,} of {total:,} rows…"
                        self.progress = 100 * done // total
                elif done:  # still checking: nothing is written until every row is good
                    async with self:
                        self.phase = f"Checked {done:,} rows…"
            result = await run_blocking(child.outcome)
        finally:
            await run_blocking(os.unlink, path)
        async with self:
            self.importing = False
            if isinstance(result, str):
                self.phase, self.outcome = "", result
                return
            if result.ok:
                self.progress, self.phase = 100, ""
                self.outcome = f"Imported {result.imported:,} rows."
                await run_blocking(self._reload)
            else:
                self.phase = ""
                self.outcome = f"Nothing was imported: {result.error_count:,} bad rows."
                self.problems = [f"Line {line}: {msg}" for line, msg in result.errors]
