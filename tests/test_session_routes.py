"""``POST /api/session`` (api/sessions.py) over real HTTP: the session cookie and the
device cookie come back HttpOnly, and the device cookie names the account that logged
in, so that browser is later slowed down rather than locked out (services/devices.py)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.api.sessions import session_routes
from portal_app.services.devices import DEVICE_COOKIE, device_trusted
from portal_app.services.identity import SYSTEM
from portal_app.services.sessions import SESSION_COOKIE, session_create
from portal_app.services.tickets import ticket_issue
from portal_app.services.users import user_create


def test_a_session_start_sets_httponly_session_and_device_cookies(db):
    ann = user_create(
        session=db,
        actor=SYSTEM,
        data={
            "name": "Ann",
            "email": "ann@example.com",
            "password": "correct-horse-battery",
            "role": "user",
        },
    )
    token = session_create(session=db, user_id=ann.id, client_ip="testclient")
    ticket = ticket_issue(
        session=db,
        token=token,
        principal="operator",
        host="testserver",
        client_ip="testclient",
        user_agent="testclient",
    )
    db.commit()
    client = TestClient(Starlette(routes=session_routes()), headers={"user-agent": "testclient"})
    answer = client.post(
        "/api/session",
        data={"ticket": ticket},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    jar = SimpleCookie()
    for header in answer.headers.get_list("set-cookie"):
        jar.load(header)
    assert jar[SESSION_COOKIE].value == token
    for name in (SESSION_COOKIE, DEVICE_COOKIE):
        assert jar[name]["httponly"] and jar[name]["samesite"].lower() == "strict"
    device = jar[DEVICE_COOKIE].value
    assert device_trusted(token=device, principal="operator", user_id=ann.id)
    assert not device_trusted(token=device, principal="operator", user_id=ann.id + 1)
