"""The one rate limiter (services/limiter.py) on SQLite and PostgreSQL: counting up to
the limit, windows that start at the first hit, concurrent hits that never count past
the limit, and a purge that never cuts a live window short."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.models import RateLimit
from portal_app.models.base import utcnow
from portal_app.services import limiter
from portal_app.settings import Settings, SettingsError

from .race import together


def test_hits_count_up_to_the_limit_then_are_refused(db):
    amount = limiter.rate("login").amount
    counts = [limiter.limit_hit(session=db, name="login", key="ann|10.0.0.1") for _ in range(7)]
    assert counts == [*range(1, amount + 1), None, None]
    assert limiter.limit_full(session=db, name="login", key="ann|10.0.0.1")
    # Another key, or another limit with the same key, has its own count.
    assert limiter.limit_hit(session=db, name="login", key="ann|10.0.0.2") == 1
    assert limiter.limit_hit(session=db, name="login_client", key="ann|10.0.0.1") == 1


def test_the_window_starts_at_the_first_hit_and_a_new_one_after_it_ends(db):
    start = utcnow()
    window = limiter.rate("verify_now").window
    assert limiter.limit_hit(session=db, name="verify_now", key="7", now=start) == 1
    almost = start + window - timedelta(milliseconds=1)
    assert limiter.limit_hit(session=db, name="verify_now", key="7", now=almost) is None
    assert limiter.limit_hit(session=db, name="verify_now", key="7", now=start + window) == 1
    assert limiter.limit_count(session=db, name="verify_now", key="7", now=start + window) == 1


def test_hits_release_and_reset_are_part_of_the_callers_transaction(db):
    limiter.limit_hit(session=db, name="login", key="k")
    db.rollback()
    assert limiter.limit_count(session=db, name="login", key="k") == 0
    for _ in range(3):
        limiter.limit_hit(session=db, name="login", key="k")
    db.commit()
    limiter.limit_release(session=db, name="login", key="k")
    db.rollback()  # given back only if the caller commits
    assert limiter.limit_count(session=db, name="login", key="k") == 3
    limiter.limit_release(session=db, name="login", key="k")
    db.commit()
    assert limiter.limit_count(session=db, name="login", key="k") == 2
    limiter.limit_reset(session=db, name="login", key="k")
    db.commit()
    assert limiter.limit_count(session=db, name="login", key="k") == 0


def test_concurrent_hits_never_count_past_the_limit(engine, db):
    amount = limiter.rate("login_client").amount  # 20
    results = together(
        engine,
        [
            lambda s: limiter.limit_hit(session=s, name="login_client", key="203.0.113.9")
            for _ in range(amount + 10)
        ],
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r for r in results if r is not None) == list(range(1, amount + 1))
    assert results.count(None) == 10


def test_keys_are_digests_not_emails_or_addresses(db):
    limiter.limit_hit(session=db, name="login", key="ann@example.com|198.51.100.7")
    (row,) = db.exec(select(RateLimit)).all()
    assert "ann" not in row.key and "198.51" not in row.key and row.key.startswith("login:")


def test_the_purge_keeps_live_windows_even_long_ones(db):
    now = utcnow()
    # A sign-up window of an hour started 50 minutes ago: live, kept at its count.
    for _ in range(5):
        limiter.limit_hit(
            session=db, name="signup_client", key="10.0.0.1", now=now - timedelta(minutes=50)
        )
    limiter.limit_hit(session=db, name="login", key="old", now=now - timedelta(minutes=16))
    assert limiter.limits_purge(session=db, now=now) == 1
    db.commit()
    assert limiter.limit_full(session=db, name="signup_client", key="10.0.0.1")
    assert len(db.exec(select(RateLimit)).all()) == 1


@pytest.mark.parametrize("value", ["nonsense", "5 per fortnight", "0 per 1 hour"])
def test_a_bad_limit_setting_is_refused_at_start(value):
    with pytest.raises(SettingsError, match="PORTAL_LIMIT_LOGIN"):
        Settings.from_env({"PORTAL_LIMIT_LOGIN": value})
    assert Settings.from_env({"PORTAL_LIMIT_LOGIN": "3 per 2 minutes"}).limit_login == (
        "3 per 2 minutes"
    )
