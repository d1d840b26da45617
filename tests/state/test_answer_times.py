"""The portal's "Forgot your password?" answers a known and an unknown email after the
same time (medians within 30 %), so the answer's timing tells no one which emails have
a login. The known path queues the mail (the outbox sends it later) and both answer at
FORGOT_ANSWER_SECONDS."""

from __future__ import annotations

import statistics
import time

from portal_app.models import OutboxMessage
from portal_app.services.contacts import contact_create
from portal_app.services.identity import SYSTEM
from portal_app.state.portal_auth import FORGOT_ANSWER, PortalLoginState

from .helpers import call, count, make_state
from .portal_seed import seed_tenant

SAMPLES = 9


def test_forgot_password_answers_known_and_unknown_emails_alike(db):
    alpha = seed_tenant(db, "ALPHA", "alpha.example.test")
    for i in range(SAMPLES):  # a login each: under the limit of links per login
        contact_create(
            session=db,
            actor=SYSTEM,
            customer_id=alpha.customer_id,
            data={"name": f"Pat {i}", "email": f"pat{i}@example.com", "password": "pw-123456789"},
        )
    db.commit()
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(SAMPLES):
        for name, email in (("known", f"pat{i}@example.com"), ("unknown", f"nobody{i}@x.test")):
            state = make_state(
                PortalLoginState, client_ip=f"10.6.{i}.1", **alpha.router("/portal/login")
            )
            started = time.perf_counter()
            call(state, "submit_forgot", form_data={"email": email})
            times[name].append(time.perf_counter() - started)
            assert state.notice == FORGOT_ANSWER and state.error == ""
    assert count(db, OutboxMessage, OutboxMessage.kind == "password_reset") == SAMPLES
    known, unknown = statistics.median(times["known"]), statistics.median(times["unknown"])
    assert max(known, unknown) <= 1.3 * min(known, unknown), (known, unknown)
