"""Operators for state tests, seeded through the services with live session tokens.

Seeding goes through ``user_create`` (argon2 on purpose, ~0.2 s a user), so each test
asks only for the operators it needs.
"""

from __future__ import annotations

import pytest

from portal_app.models import Grant

from .helpers import Operator, seed_group, seed_operator


@pytest.fixture()
def admin(db) -> Operator:
    return seed_operator(db, "admin@example.com", role="admin")


@pytest.fixture()
def clerk_group(db) -> int:
    """Sees the log and cards; explicitly denied users and setup."""
    return seed_group(
        db, "Clerks", log=Grant.ALLOW, card=Grant.ALLOW, user=Grant.DENY, setup=Grant.DENY
    )


@pytest.fixture()
def clerk(db, clerk_group) -> Operator:
    """A plain User whose group does not allow Area.USER or Area.SETUP."""
    return seed_operator(db, "clerk@example.com", group_id=clerk_group)
