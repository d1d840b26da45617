"""Your own sessions: listed with browser and address, signed out one by one or all at
once, never anyone else's; and the idle lifetime ends an unused one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.models import AuthSession
from portal_app.models.base import utcnow
from portal_app.services.errors import NotFound
from portal_app.services.principals import cache_clear, operator_for_token
from portal_app.services.session_list import (
    describe_agent,
    session_end_mine,
    sessions_end_mine,
    sessions_mine,
)
from portal_app.services.sessions import session_create

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_WIN = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
EDGE = CHROME_WIN + " Edg/130.0"


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        (FIREFOX, "Firefox on Linux"),
        (CHROME_WIN, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (EDGE, "Edge on Windows"),
        ("curl/8.5", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_describe_agent(agent, shown):
    assert describe_agent(agent) == shown


def test_an_operator_sees_and_ends_only_their_own_sessions(db, make_user, as_actor):
    ann, bob = make_user(), make_user()
    here = session_create(session=db, user_id=ann.id, client_ip="192.0.2.1", user_agent=FIREFOX)
    there = session_create(session=db, user_id=ann.id, client_ip="198.51.100.2", user_agent=EDGE)
    bobs = session_create(session=db, user_id=bob.id)
    db.commit()
    me = as_actor(ann)
    views = sessions_mine(session=db, actor=me, current_token=here)
    assert sorted((v.device, v.address, v.current) for v in views) == [
        ("Edge on Windows", "198.51.100.2", False),
        ("Firefox on Linux", "192.0.2.1", True),
    ]
    bob_row = db.exec(select(AuthSession).where(AuthSession.user_id == bob.id)).one()
    with pytest.raises(NotFound):
        session_end_mine(session=db, actor=me, session_id=bob_row.id)
    other = next(v for v in views if not v.current)
    session_end_mine(session=db, actor=me, session_id=other.id)
    db.commit()
    assert operator_for_token(db, there) is None and operator_for_token(db, here).id == ann.id
    assert sessions_end_mine(session=db, actor=me) == 1
    db.commit()
    assert operator_for_token(db, here) is None
    assert operator_for_token(db, bobs).id == bob.id  # untouched


def test_a_session_unused_for_the_idle_lifetime_ends(db, make_user):
    ann = make_user()
    token = session_create(session=db, user_id=ann.id)
    db.commit()
    assert operator_for_token(db, token).id == ann.id
    row = db.exec(select(AuthSession).where(AuthSession.user_id == ann.id)).one()
    row.created_at = row.last_seen_at = utcnow() - timedelta(hours=3)  # idle: 2 hours
    db.add(row)
    db.commit()
    cache_clear()
    assert operator_for_token(db, token) is None
