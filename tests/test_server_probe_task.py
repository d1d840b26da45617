"""The My Servers lifespan task: registered with the app, it probes every server not in
maintenance at start (a real SIP responder on loopback answers), off the event loop."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from portal_app.models import Server, ServerProbe
from portal_app.portal_app import app
from portal_app.services.db import get_engine
from portal_app.services.offloop import watch_loop
from portal_app.tasks import server_probe_loop
from tests.sipresponder import SipResponder


def _statuses() -> dict[str, str]:
    with Session(get_engine()) as session:
        return {s.name: s.last_status for s in session.exec(select(Server)).all()}


def test_the_loop_probes_servers_at_start_and_leaves_maintenance_alone(db):
    assert server_probe_loop in app.get_lifespan_tasks()
    with SipResponder("ok") as sip:
        db.add(Server(name="Live", host="127.0.0.1", port=sip.port))
        db.add(Server(name="Paused", host="127.0.0.1", port=sip.port, maintenance=True))
        db.commit()

        async def run() -> dict[str, str]:
            watch_loop()  # as the app does: a blocking call on this loop would fail
            task = asyncio.create_task(server_probe_loop())
            try:
                for _ in range(100):
                    await asyncio.sleep(0.1)
                    found = await asyncio.to_thread(_statuses)
                    if found["Live"]:
                        return found
                return found
            finally:
                task.cancel()

        found = asyncio.run(run())
    assert found == {"Live": "up", "Paused": ""}
    assert len(sip.requests) == 1
    assert len(db.exec(select(ServerProbe)).all()) == 1
