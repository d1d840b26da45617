"""Raw Socket.IO clients open the websocket from other origins, as a hostile page in a
logged-in operator's browser would (cross-site websocket hijacking): the handshake is
refused and no state arrives. The control panel's own origin and a verified brand's
still work, so the test could fail.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest
import socketio
from sqlmodel import select

from portal_app.devclient import DevClient
from portal_app.models import OperatorUser
from portal_app.services.sessions import session_create
from portal_app.state.brand import BrandState
from portal_app.state.users import UsersState

pytestmark = pytest.mark.live


def _admin_token(live_app) -> str:
    with live_app.session() as session:
        admin = session.exec(
            select(OperatorUser).where(OperatorUser.email == "admin@example.com")
        ).one()
        token = session_create(session=session, user_id=admin.id)
        session.commit()
    return token


def test_foreign_origins_get_no_websocket_and_no_state(live_app):
    port = urlsplit(live_app.url).port
    token = _admin_token(live_app)
    foreign = [
        "https://evil.example.net",
        f"http://localhost.evil.example.net:{port}",
        f"http://acme.localhost.evil.example.net:{port}",
        f"http://unverified.example.net:{port}",  # not a verified brand domain
        "null",  # sandboxed frames, file: pages
    ]

    async def scenario():
        for origin in foreign:
            client = DevClient(live_app.url, origin=origin, path="/setup/account/users")
            with pytest.raises(socketio.exceptions.ConnectionError):
                # The browser would send the operator's cookie with the handshake.
                await client.connect(session_token=token, timeout=5)
            assert client.messages == [], origin
            assert not client.sio.connected
            await client.sio.disconnect()

        # Positive controls: the control panel's own page gets the operator's data...
        own = DevClient(live_app.url, path="/setup/account/users")
        await own.connect(session_token=token)
        await own.request(f"{UsersState.get_full_name()}.load")
        await own.wait_for(lambda m: "admin@example.com" in str(m), "the user list")
        await own.close()
        # ...and a verified brand's page gets its brand.
        brand = DevClient(live_app.url, origin=f"http://acme.localhost:{port}", path="/")
        await brand.connect()
        await brand.request(f"{BrandState.get_full_name()}.load_brand")
        await brand.wait_for(lambda m: "Acme Telecom" in str(m), "the brand")
        await brand.close()

    asyncio.run(scenario())
