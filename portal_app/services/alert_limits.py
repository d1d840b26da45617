"""Editable Balance Alert: the limits an operator sets per portal domain (User Access
Area) within which its customers edit their own low-balance alerts in the portal.

The bounds are whole units of each customer's own currency ("between 5 and 500": $5 for
a USD customer, €5 for a EUR one): a domain serves several currencies and amounts are
never converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal_app.models import PortalDomain

from .money import exponent

FIELDS = ("alert_min", "alert_max", "alert_max_count")
MAX_UNITS = 1_000_000_000  # whole units: far below the 64-bit minor-unit bound
MAX_COUNT = 20


@dataclass(frozen=True)
class AlertLimits:
    editable: bool
    min_minor: int
    max_minor: int
    max_count: int


def alert_limits(domain: PortalDomain | None, currency: str) -> AlertLimits:
    """The domain's limits in minor units of ``currency``; no domain: not editable."""
    if domain is None:
        return AlertLimits(False, 0, 0, 0)
    scale = 10 ** exponent(currency)
    return AlertLimits(
        editable=domain.alert_editable,
        min_minor=domain.alert_min * scale,
        max_minor=domain.alert_max * scale,
        max_count=domain.alert_max_count,
    )


def _whole(raw: Any, field: str, top: int, errors: dict[str, str]) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or int(text) > top:
        errors[field] = f"Enter a whole number from 0 to {top:,}."
        return 0
    return int(text)


def alert_limits_clean(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The Editable Balance Alert options of a domain form, checked; problems go into
    ``errors`` by field. Absent fields keep the model's defaults."""
    clean: dict[str, Any] = {"alert_editable": bool(data.get("alert_editable"))}
    defaults = {"alert_min": 0, "alert_max": 1000, "alert_max_count": 3}
    for field in FIELDS:
        raw = data.get(field, defaults[field])
        top = MAX_COUNT if field == "alert_max_count" else MAX_UNITS
        clean[field] = _whole(raw, field, top, errors)
    bounds_ok = "alert_max" not in errors and "alert_min" not in errors
    if bounds_ok and clean["alert_max"] < clean["alert_min"]:
        errors["alert_max"] = "The highest threshold is below the lowest."
    if (
        clean["alert_editable"]
        and clean["alert_max_count"] == 0
        and "alert_max_count" not in errors
    ):
        errors["alert_max_count"] = "Allow at least one alert, or turn editing off."
    return clean
