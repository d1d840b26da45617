"""Raw Socket.IO clients call an administrator-only handler directly, as an attacker
would: without a session, and as a plain User. Nothing may change. The same calls by
an administrator do change the database, so the test could fail."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio
from sqlmodel import select

from portal_app.devclient import USER_AGENT, claim_ticket, find_ticket
from portal_app.models import AuditEvent, OperatorUser
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.state.auth import LoginState
from portal_app.state.users import UsersState

from .conftest import attempt_tag

pytestmark = pytest.mark.live

NS = "/_event"
ROUTER = {"pathname": "/setup/account/users", "asPath": "/setup/account/users"}
HYDRATE = "reflex___state____state.hydrate_and_load"


class Client:
    """A minimal Reflex browser: one client token, events in, deltas out."""

    def __init__(self, url: str):
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: list[dict] = []
        self.sio.on("event", self._on_event, namespace=NS)

    async def _on_event(self, data):
        self.messages.append(data)

    async def connect(self, cookie: str = "") -> None:
        """Connect as a browser whose HttpOnly session cookie holds ``cookie``."""
        headers = {"Origin": self.url, "User-Agent": USER_AGENT}
        if cookie:
            headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
        await self.sio.connect(
            f"{self.url}?token={uuid.uuid4()}",
            socketio_path="/_event",
            namespaces=[NS],
            transports=["websocket"],
            headers=headers,
            auth={"event": {"name": HYDRATE, "payload": {}, "router_data": ROUTER}},
        )
        await self.wait_for(lambda m: "is_hydrated_rx_state_" in str(m), "hydration")

    async def call(self, handler: str, timeout: float = 8.0, **payload) -> list[dict]:
        start = len(self.messages)
        await self.sio.emit(
            "event", {"name": handler, "payload": payload, "router_data": ROUTER}, namespace=NS
        )
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
            if len(self.messages) > start and self.messages[-1].get("final", True):
                await asyncio.sleep(0.3)
                break
        return self.messages[start:]

    async def wait_for(self, predicate, what: str, timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not any(predicate(m) for m in self.messages):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {what} within {timeout}s: {self.messages[-3:]}")
            await asyncio.sleep(0.1)

    async def login(self, email: str, password: str) -> None:
        """Log in as the page does: the password over the socket, the ticket posted to
        /api/session for the HttpOnly cookie, then a new connection that carries it."""
        await self.call(
            f"{LoginState.get_full_name()}.submit_password",
            form_data={"email": email, "password": password},
        )
        await self.wait_for(lambda m: bool(find_ticket([m])), "session ticket")
        token = await claim_ticket(self.url, find_ticket(self.messages))
        assert token, "the ticket gave no cookie"
        await self.sio.disconnect()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace=NS)
        self.messages.clear()
        await self.connect(cookie=token)

    async def close(self) -> None:
        await self.sio.disconnect()


USERS = UsersState.get_full_name()
NEW_USER = {
    "name": "Mallory",
    "email": "mallory@attacker.test",
    "password": "mallory-password-1",
    "role": "admin",
    "enabled": "on",
}


async def _attempt_create(client: Client, user: dict) -> list[dict]:
    replies = await client.call(f"{USERS}.open_user", user_id="new")
    replies += await client.call(f"{USERS}.save_user", form_data=user)
    replies += await client.call(f"{USERS}.setvar", var_name="user_dialog", value="new")
    return replies


def _state_of_db(live_app) -> tuple[list[str], int]:
    with live_app.session() as session:
        emails = sorted(session.exec(select(OperatorUser.email)).all())
        audits = len(session.exec(select(AuditEvent.id)).all())
    return emails, audits


def test_admin_only_handler_refused_without_session_and_for_plain_user(live_app):
    # A failed attempt's Mallory is never deleted: a rerun's admin would meet the email.
    mallory = NEW_USER | {"email": f"mallory-{attempt_tag()}@attacker.test"}

    async def scenario():
        before = _state_of_db(live_app)

        anonymous = Client(live_app.url)
        await anonymous.connect()
        replies = await _attempt_create(anonymous, mallory)
        assert "/login" in str(replies), "anonymous caller must be sent to the login page"
        await anonymous.close()
        assert _state_of_db(live_app) == before

        plain = Client(live_app.url)
        await plain.connect()
        await plain.login("support@example.com", "support-password-1")
        replies = await _attempt_create(plain, mallory)
        assert "permission" in str(replies).lower()
        await plain.close()
        assert _state_of_db(live_app) == before

        # Control: the same calls by an administrator do create the user.
        admin = Client(live_app.url)
        await admin.connect()
        await admin.login("admin@example.com", "admin-password-1")
        await _attempt_create(admin, mallory)
        await admin.close()
        emails, audits = _state_of_db(live_app)
        assert mallory["email"] in emails
        assert audits == before[1] + 1

        with live_app.session() as session:
            user = session.exec(
                select(OperatorUser).where(OperatorUser.email == mallory["email"])
            ).one()
            session.delete(user)
            session.commit()

    asyncio.run(scenario())
