"""Demo data for a first run and for the benchmarks: not a business operation, so it
lives outside ``services/`` and only the CLI, the tests and ``bench/`` import it."""

from .calls import demo_cdrs, demo_rate_cards
from .data import DEMO_BRANDS, DEMO_CONTACTS, DEMO_CUSTOMERS, DEMO_LOGINS
from .seed import demo_load

__all__ = [
    "DEMO_BRANDS",
    "DEMO_CONTACTS",
    "DEMO_CUSTOMERS",
    "DEMO_LOGINS",
    "demo_cdrs",
    "demo_load",
    "demo_rate_cards",
]
