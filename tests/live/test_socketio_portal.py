"""A contact's raw Socket.IO client sends another customer's ids to portal and
control-panel handlers, as an attacker would. Every such call is refused and nothing of
the other customer comes back; the contact's own data does (so the test could fail).

Demo data: Bea logs in for Bluebird Call Centre on acme.localhost; Globex Retail, on
globex.localhost, is the other customer.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
import socketio
from sqlmodel import select

from portal_app.devclient import USER_AGENT, claim_ticket, find_ticket
from portal_app.models import Contact, Customer
from portal_app.services.sessions import SESSION_COOKIE, session_create
from portal_app.state.contacts import ContactsState
from portal_app.state.customers import CustomersState
from portal_app.state.ledger import LedgerState
from portal_app.state.portal import PortalState
from portal_app.state.portal_auth import PortalLoginState
from portal_app.state.portal_balance import PortalBalanceState
from portal_app.state.reports import OperatorReportState, PortalReportState

from .test_socketio_guard import HYDRATE, NS, Client

pytestmark = pytest.mark.live
REPORT = PortalReportState.get_full_name()

# Strings of Globex Retail's that Bea must never receive.
OTHER = [
    "Globex Retail",
    "gina@globexretail.example",
    "Welcome credit",
    "Card payment",
    "Thank you for choosing Globex Voice",
]


class BrandClient(Client):
    """A client whose page is on a brand host (the Origin the app reads the host from)."""

    def __init__(self, url: str, origin: str, path: str = "/portal"):
        super().__init__(url)
        self.origin = origin
        self.router = {"pathname": path, "asPath": path}

    async def connect(self, cookie: str = "") -> None:
        headers = {"Origin": self.origin, "User-Agent": USER_AGENT}
        if cookie:
            headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
        await self.sio.connect(
            f"{self.url}?token=portal-{id(self)}-{len(cookie)}",
            socketio_path="/_event",
            namespaces=[NS],
            transports=["websocket"],
            headers=headers,
            auth={"event": {"name": HYDRATE, "payload": {}, "router_data": self.router}},
        )
        await self.wait_for(lambda m: "is_hydrated_rx_state_" in str(m), "hydration")

    async def call(self, handler: str, timeout: float = 6.0, **payload) -> list[dict]:
        start = len(self.messages)
        await self.sio.emit(
            "event",
            {"name": handler, "payload": payload, "router_data": self.router},
            namespace=NS,
        )
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
            if len(self.messages) > start and self.messages[-1].get("final", True):
                await asyncio.sleep(0.3)
                break
        return self.messages[start:]

    async def login(self, email: str, password: str) -> None:
        """As the page: password over the socket, the ticket to /api/session, reconnect."""
        await self.call(
            f"{PortalLoginState.get_full_name()}.submit_password",
            form_data={"email": email, "password": password},
        )
        await self.wait_for(lambda m: bool(find_ticket([m])), "session ticket")
        token = await claim_ticket(self.url, find_ticket(self.messages), origin=self.origin)
        assert token, "the ticket gave no cookie"
        await self.sio.disconnect()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace=NS)
        self.messages.clear()
        await self.connect(cookie=token)


def _ids(live_app) -> tuple[int, int, str]:
    with live_app.session() as session:
        other = session.exec(select(Customer).where(Customer.name == "Globex Retail")).one()
        gina = session.exec(select(Contact).where(Contact.customer_id == other.id)).one()
        bea = session.exec(select(Contact).where(Contact.email == "bea@bluebird.example")).one()
        token = session_create(session=session, user_id=bea.id, principal="contact")
        session.commit()
        return other.id, gina.id, token


def _assert_nothing_of_the_other(
    replies: list[dict], what: str, secrets: list[str] = OTHER
) -> None:
    text = str(replies)
    for secret in secrets:
        assert secret not in text, f"{what} leaked {secret!r}"


def test_forged_ids_from_a_contact_are_refused(live_app):
    port = live_app.url.rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    other_id, other_contact, token = _ids(live_app)
    with live_app.session() as session:
        bluebird = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
        bluebird.portal_access = {}  # other tests override its access; start from the domain's
        session.add(bluebird)
        session.commit()
    # The demo's calls carry the customer's id in the caller number (4420 + 4 digits).
    own_cli, other_cli = f"4420{bluebird.id:04d}", f"4420{other_id:04d}"
    today = date.today().isoformat()
    month_ago = (date.today() - timedelta(days=29)).isoformat()

    async def scenario():
        bea = BrandClient(base, f"http://acme.localhost:{port}")
        await bea.connect()
        await bea.login("bea@bluebird.example", "bluebird-pass-1")
        forged = [
            (f"{LedgerState.get_full_name()}.open_ledger", {"customer_id": other_id}),
            (f"{LedgerState.get_full_name()}.download_csv", {}),
            (f"{ContactsState.get_full_name()}.open_contacts", {"customer_id": other_id}),
            (f"{ContactsState.get_full_name()}.open_contact", {"contact_id": other_contact}),
            (f"{CustomersState.get_full_name()}.open_customer", {"customer_id": str(other_id)}),
            (f"{PortalBalanceState.get_full_name()}.load", {"customer_id": other_id}),
            (f"{PortalBalanceState.get_full_name()}.go_page", {"delta": other_id}),
            (f"{PortalBalanceState.get_full_name()}.download_csv", {"customer_id": other_id}),
            (f"{PortalState.get_full_name()}.load_team", {"customer_id": other_id}),
            (f"{REPORT}.load_cdr", {"customer_id": other_id}),
            (f"{REPORT}.apply_cdr", {"form_data": {"first": "x"}, "customer_id": other_id}),
            (f"{OperatorReportState.get_full_name()}.refresh_cdr", {}),
            (f"{OperatorReportState.get_full_name()}.load_cdr", {}),
        ]
        for handler, payload in forged:
            portal_handler = "___state___portal" in handler or "portal_report_state" in handler
            refused_as_malformed = "customer_id" in payload and portal_handler
            replies = await bea.call(
                handler, timeout=2.0 if refused_as_malformed else 0.5, **payload
            )
            _assert_nothing_of_the_other(replies, handler)
            if refused_as_malformed:
                assert "malformed" in str(replies), f"{handler} accepted an extra argument"
        await asyncio.sleep(2.0)  # a late reply to any of them is in bea.messages too
        _assert_nothing_of_the_other(bea.messages, "a forged call")
        # Control: the same session gets its own data from the portal handlers.
        own = await bea.call(f"{PortalBalanceState.get_full_name()}.load")
        own += await bea.call(f"{PortalState.get_full_name()}.load_team")
        assert "Bank transfer 1001" in str(own) and "bea@bluebird.example" in str(own)
        # Its calls too (the demo's month of CDRs), with no carrier route in them.
        await bea.call(f"{REPORT}.set_tz", tz="UTC")
        calls = await bea.call(
            f"{REPORT}.apply_cdr",
            form_data={"first": month_ago, "last": today, "status": "all", "search": own_cli},
        )
        assert own_cli in str(calls), "the contact's own calls came back"
        assert other_cli not in str(calls) and "Carrier" not in str(calls)
        _assert_nothing_of_the_other(own + calls, "own data")
        await bea.close()

        # Bea's session on the other brand's host is no session at all.
        elsewhere = BrandClient(base, f"http://globex.localhost:{port}")
        await elsewhere.connect(cookie=token)
        replies = await elsewhere.call(f"{PortalBalanceState.get_full_name()}.load")
        replies += await elsewhere.call(f"{PortalState.get_full_name()}.load_portal")
        assert "/portal/login" in str(replies)
        assert "Bank transfer" not in str(replies)
        _assert_nothing_of_the_other(replies, "other host")
        await elsewhere.close()

    asyncio.run(scenario())


def test_a_carrier_contact_forging_ids_gets_only_its_own_carrier_portal(live_app):
    """Theo logs in for Transit One Carrier (the demo's CarrierA-LON route) and sends the
    Carrier Portal's and the operator's handlers another carrier's (Initech VoIP, route
    CarrierB-FRA) and a customer's ids: refused, nothing of theirs comes back; its own
    traffic does. A customer's contact (Bea) gets no Carrier Portal at all."""
    from portal_app.state.carrier_routes import CarrierRoutesState
    from portal_app.state.portal_carrier import PortalCarrierState

    port = live_app.url.rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    carrier = PortalCarrierState.get_full_name()
    with live_app.session() as session:
        transit = session.exec(select(Customer).where(Customer.name == "Transit One Carrier")).one()
        initech = session.exec(select(Customer).where(Customer.name == "Initech VoIP")).one()
        bluebird = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
        saved = dict(transit.portal_access or {})
        transit.portal_access = {**saved, "carrier_portal": "show"}
        bluebird.portal_access = {"carrier_portal": "show"}  # shown, yet no carrier
        session.add_all([transit, bluebird])
        session.commit()
        transit_id, initech_id, bluebird_id = transit.id, initech.id, bluebird.id
    theirs = ["Initech VoIP", "CarrierB-FRA", "CarrierC-NYC", "Bluebird Call Centre", "bea@"]

    async def scenario():
        theo = BrandClient(base, f"http://acme.localhost:{port}", path="/portal/carrier")
        await theo.connect()
        await theo.login("noc@transitone.example", "transit-pass-1")
        forged = [
            (f"{carrier}.load", {"customer_id": initech_id}),
            (f"{carrier}.older", {"direction": "received", "customer_id": initech_id}),
            (f"{carrier}.newest", {"direction": "sent", "customer_id": bluebird_id}),
            (f"{carrier}.show_month", {"form_data": {"month": ""}, "customer_id": initech_id}),
            (f"{carrier}.search_rates", {"form_data": {}, "customer_id": initech_id}),
            (f"{CarrierRoutesState.get_full_name()}.open_routes", {"customer_id": initech_id}),
            (f"{CarrierRoutesState.get_full_name()}.delete_route", {"route_id": 1}),
            (f"{PortalBalanceState.get_full_name()}.load", {"customer_id": initech_id}),
        ]
        for handler, payload in forged:
            refused_as_malformed = "___state___portal" in handler and "customer_id" in payload
            replies = await theo.call(
                handler, timeout=2.0 if refused_as_malformed else 0.5, **payload
            )
            _assert_nothing_of_the_other(replies, handler, theirs)
            if refused_as_malformed:
                assert "malformed" in str(replies), f"{handler} accepted an extra argument"
        await asyncio.sleep(2.0)  # a late reply to any of them is in theo.messages too
        _assert_nothing_of_the_other(theo.messages, "a forged call", theirs)
        # Control: Theo's own Carrier Portal comes back, with its own route only.
        own = await theo.call(f"{carrier}.load", timeout=8.0)
        own += await theo.call(f"{carrier}.older", direction="received")
        text = str(own)
        assert "CarrierA-LON" in text, "the carrier's own terminated calls came back"
        _assert_nothing_of_the_other(own, "own carrier portal", theirs)
        await theo.close()

        bea = BrandClient(base, f"http://acme.localhost:{port}", path="/portal/carrier")
        await bea.connect()
        await bea.login("bea@bluebird.example", "bluebird-pass-1")
        replies = await bea.call(f"{carrier}.load", timeout=3.0)
        replies += await bea.call(f"{carrier}.older", direction="received")
        assert "This section is not available for your account." in str(replies)
        assert "CarrierA-LON" not in str(replies) and "Transit One" not in str(replies)
        await bea.close()

    try:
        asyncio.run(scenario())
    finally:
        with live_app.session() as session:
            for customer_id, access in ((transit_id, saved), (bluebird_id, {})):
                row = session.get(Customer, customer_id)
                row.portal_access = access
                session.add(row)
            session.commit()
