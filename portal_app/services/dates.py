"""Dates as the account shows them: My Account › Configuration's Date Format."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from portal_app.models import AccountConfig
from portal_app.models.base import utcnow

# The account's Date Format choices (services/account.DATE_FORMATS) as strftime patterns.
PATTERNS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD/MM/YYYY": "%d/%m/%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
}


def account_time_text(*, session: Session, when: datetime | None = None) -> str:
    """``when`` (now by default) as "02/12/2026 14:05 UTC" in the account's date format."""
    account = session.get(AccountConfig, 1)
    pattern = PATTERNS.get(account.date_format if account else "", "%Y-%m-%d")
    return (when or utcnow()).strftime(f"{pattern} %H:%M UTC")
