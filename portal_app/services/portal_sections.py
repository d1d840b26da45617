"""What a domain's portal can show: its sections (the User Access Area) and the columns
of its Breakout and CDR reports, each with its label, in menu order, and the defaults."""

from __future__ import annotations

# Portal sections a domain can show (User Access Area), in menu order, with labels.
SECTIONS: dict[str, str] = {
    "balance": "Balance",
    "cdr": "CDR",
    "rate_card": "Rate Card",
    "breakout": "Breakout",
    "payments": "Payments",
    "carrier_portal": "Carrier Portal",
    "contacts": "Contacts",
    "profile": "Profile",
    "alerts": "Alerts",
    "packages": "Packages",
}
DEFAULT_ACCESS = ["balance", "cdr", "rate_card", "payments", "contacts", "profile"]
BREAKOUT_COLUMNS: dict[str, str] = {
    "destination": "Destination",
    "prefix": "Prefix",
    "calls": "Calls",
    "connected": "Connected",
    "minutes": "Minutes",
    "asr": "ASR",
    "acd": "ACD",
    "pdd": "PDD",
    "rate": "Rate",
    "cost": "Cost",
}
DEFAULT_BREAKOUT = ["destination", "calls", "minutes", "asr", "acd", "cost"]
CDR_COLUMNS: dict[str, str] = {
    "call_start": "Call start (UTC)",
    "direction": "Direction",
    "cli": "Caller (CLI)",
    "dialled": "Called number",
    "destination": "Destination",
    "prefix": "Prefix",
    "duration": "Duration",
    "billed_duration": "Billed duration",
    "rate": "Rate",
    "cost": "Cost",
    "status": "Status",
    "release_reason": "Release reason",
    "sip_call_id": "SIP call id",
}
DEFAULT_CDR = ["call_start", "cli", "dialled", "destination", "duration", "cost", "status"]
