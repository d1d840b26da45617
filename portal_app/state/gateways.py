"""Setup › My Account › API: payment gateways (Stripe, PayPal), for the Payment area.

The browser gets the services' views, which say whether a key is saved but never hold
one; the key boxes start empty and an empty box keeps the saved key.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import payment_gateways as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.validation import parse_id

from .base import AppState
from .guard import Need, actor, checked, guarded

FORM_FIELDS = [
    "name",
    "mode",
    "public_key",
    "account_email",
    "currencies",
    "min_amount",
    "max_amount",
    "surcharge_percent",
    "surcharge_fixed",
    "presets",
]
PROVIDER_LABELS = {"stripe": "Stripe", "paypal": "PayPal"}


@dataclasses.dataclass
class GatewayRow:
    id: int
    name: str
    provider: str
    mode: str
    currencies: str
    checked: str
    check_ok: bool
    check_message: str


def _row(view: dict, fmt: dates.DateFormatter) -> GatewayRow:
    return GatewayRow(
        id=view["id"],
        name=view["name"],
        provider=PROVIDER_LABELS.get(view["provider"], view["provider"]),
        mode=view["mode"],
        currencies=view["currencies"],
        checked=fmt.datetime(view["checked_at"], "never"),
        check_ok=bool(view["check_ok"]),
        check_message=view["check_message"],
    )


class GatewaysState(AppState):
    gateways: list[GatewayRow] = []
    dialog: str = ""  # "" closed, "new", or the id being edited
    provider: str = "stripe"
    form: dict[str, str] = {}
    has_secret_key: bool = False
    has_webhook_secret: bool = False
    errors: dict[str, str] = {}
    confirm_delete: int = 0
    confirm_label: str = ""
    checking: int = 0

    def _reload(self) -> None:
        with session_scope() as session:
            fmt = dates.formatter(session=session)
            self.gateways = [_row(v, fmt) for v in svc.gateway_list(session=session, actor=actor())]

    @guarded(Need.AREA, Area.PAYMENT)
    def load(self):
        self.dialog, self.errors, self.confirm_delete = "", {}, 0
        self._reload()

    @guarded(Need.AREA, Area.PAYMENT)
    def open_new(self, provider: str):
        if provider not in PROVIDER_LABELS:
            return
        self.provider, self.dialog, self.errors = provider, "new", {}
        self.form = {f: "" for f in FORM_FIELDS} | {"mode": "test", "enabled": "on"}
        self.has_secret_key = self.has_webhook_secret = False

    @guarded(Need.AREA, Area.PAYMENT)
    def open_edit(self, gateway_id: str):
        if (gid := parse_id(gateway_id)) is None:
            return
        try:
            with session_scope() as session:
                view = svc.gateway_get(session=session, actor=actor(), gateway_id=gid)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.provider, self.dialog, self.errors = view["provider"], str(gid), {}
        self.form = {f: str(view[f] or "") for f in FORM_FIELDS}
        self.form["enabled"] = "on" if view["enabled"] else ""
        self.has_secret_key = view["has_secret_key"]
        self.has_webhook_secret = view["has_webhook_secret"]

    @guarded(Need.AREA, Area.PAYMENT)
    def close(self):
        self.dialog, self.errors, self.confirm_delete = "", {}, 0

    @guarded(Need.AREA, Area.PAYMENT)
    def save(self, form_data: dict):
        if not isinstance(form_data, dict) or not self.dialog:
            return
        data = {f: str(form_data.get(f, ""))[:400] for f in FORM_FIELDS}
        for secret in ("secret_key", "webhook_secret"):
            data[secret] = str(form_data.get(secret, ""))[:400]
        data["enabled"] = checked(form_data.get("enabled"))
        data["provider"] = self.provider
        try:
            with session_scope() as session:
                if self.dialog == "new":
                    svc.gateway_create(session=session, actor=actor(), data=data)
                else:
                    gid = int(self.dialog)
                    svc.gateway_update(session=session, actor=actor(), gateway_id=gid, data=data)
        except ValidationError as exc:
            self.errors = exc.fields
            self.form = {f: data[f] for f in FORM_FIELDS} | {
                "enabled": "on" if data["enabled"] else ""
            }
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.dialog, self.errors = "", {}
        self._reload()
        return rx.toast.success("Gateway saved.")

    @guarded(Need.AREA, Area.PAYMENT)
    def refresh(self, gateway_id: str):
        """Ask the provider whether the saved credentials work; show its answer."""
        if (gid := parse_id(gateway_id)) is None:
            return
        self.checking = gid
        yield
        try:
            with session_scope() as session:
                view = svc.gateway_check(session=session, actor=actor(), gateway_id=gid)
        except ServiceError as exc:
            yield rx.toast.error(exc.message)
            return
        finally:
            self.checking = 0
        self._reload()
        toast = rx.toast.success if view["check_ok"] else rx.toast.error
        yield toast(f"{view['name']}: {view['check_message']}")

    @guarded(Need.AREA, Area.PAYMENT)
    def ask_delete(self, gateway_id: str):
        gid = parse_id(gateway_id)
        row = next((g for g in self.gateways if g.id == gid), None)
        if row is not None:
            self.confirm_delete, self.confirm_label = row.id, row.name

    @guarded(Need.AREA, Area.PAYMENT)
    def delete(self):
        gid, self.confirm_delete = self.confirm_delete, 0
        if not gid:
            return
        try:
            with session_scope() as session:
                svc.gateway_delete(session=session, actor=actor(), gateway_id=gid)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success("Gateway deleted.")
