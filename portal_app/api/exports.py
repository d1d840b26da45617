"""``GET /api/export/cdr.csv``: a whole CDR range as CSV, streamed; and
``GET /api/export/usage.csv``: My Account › Usage as CSV (from the call rollups).

A plain HTTP download (not a Reflex event), so a large range never passes through the
state or memory. The browser sends the session cookie with it: on a brand host that is
a contact's session and the customer comes from it; on a control-panel host an
operator's, with the CDR permission, who names the customer. The host header only has
to agree with the session, as everywhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from portal_app.models import Area
from portal_app.services import cdr_export, cdrs, dates, usage
from portal_app.services.db import get_engine, session_scope
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.offloop import run_blocking
from portal_app.services.policy import Need, Rule, authorize, control_host
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.services.validation import parse_id

OPERATOR_RULE = Rule(Need.AREA, Area.CDR)
CONTACT_RULE = Rule(Need.CONTACT, section="cdr")


def _plan(request: Request):
    """(actor, query, columns, tz) for this request, or raise PermissionDenied.

    Blocking (database): runs in a worker thread. The policy decides, as for handlers.
    """
    token = request.cookies.get(SESSION_COOKIE, "")
    host = request.headers.get("host", "")
    params = request.query_params
    tz = params.get("tz", "UTC")[:64]
    first, last = cdrs.parse_days(params.get("first", ""), params.get("last", ""), tz)
    start, end = cdrs.day_range(first, last, tz)
    rule = OPERATOR_RULE if control_host(host) else CONTACT_RULE
    with session_scope() as session:
        decision = authorize(rule, session=session, token=token, host=host)
        if not decision.allowed:
            raise PermissionDenied()
        if decision.portal is not None:
            ctx = decision.portal
            actor, customer_id, columns = ctx.actor, ctx.customer.id, list(ctx.domain.cdr_columns)
        else:
            actor = decision.actor
            customer_id = parse_id(params.get("customer", ""))
            if customer_id is None:  # not a row id at all (2**63 included)
                raise PermissionDenied()
            # Checks access before the first byte, so a refusal is a clean 403.
            setup = cdrs.report_setup(session=session, actor=actor, customer_id=customer_id)
            columns = setup.cdr_columns
    query = cdrs.CdrQuery(
        customer_id=customer_id,
        start=start,
        end=end,
        search=params.get("search", "")[:40],
        status=params.get("status", "")[:16],
        direction=params.get("direction", "")[:16],
    )
    return actor, query, columns, tz


def _chunks(actor, query, columns, tz) -> Iterator[bytes]:
    with Session(get_engine()) as session:
        for text in cdr_export.cdr_csv(
            session=session, actor=actor, query=query, columns=columns, tz=tz
        ):
            yield text.encode()


async def _stream(actor, query, columns, tz) -> AsyncIterator[bytes]:
    """Pull each batch in a thread so the event loop keeps serving everyone else."""
    chunks = _chunks(actor, query, columns, tz)
    done = object()
    while (chunk := await run_blocking(next, chunks, done)) is not done:
        yield chunk


async def cdr_csv(request: Request) -> Response:
    try:
        actor, query, columns, tz = await run_blocking(_plan, request)
    except ValidationError as exc:
        return PlainTextResponse(exc.message, status_code=400)
    except PermissionDenied:
        return PlainTextResponse("Not allowed.", status_code=403)
    name = f"cdr-{request.query_params.get('first')}-{request.query_params.get('last')}.csv"
    return StreamingResponse(
        _stream(actor, query, columns, tz),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


USAGE_RULE = Rule(Need.AREA, usage.USAGE_AREAS)


def _usage(request: Request) -> str:
    """My Account › Usage as CSV (control-panel hosts only: it is the account's traffic).
    Blocking (database): runs in a worker thread; the policy decides, as for handlers."""
    host = request.headers.get("host", "")
    if not control_host(host):
        raise PermissionDenied()
    params = request.query_params
    tz = cdrs.zone(params.get("tz", "UTC")[:64]).key
    first, last, by = usage.parse_period(  # the link's ISO dates
        params.get("first", ""), params.get("last", ""), params.get("by", "day")
    )
    with session_scope() as session:
        fmt = dates.formatter(session=session, tz=tz)
        token = request.cookies.get(SESSION_COOKIE, "")
        decision = authorize(USAGE_RULE, session=session, token=token, host=host)
        if not decision.allowed or decision.actor is None:
            raise PermissionDenied()
        rows = usage.usage_report(
            session=session, actor=decision.actor, first=first, last=last, tz=tz, by=by
        )
    return usage.usage_csv(rows, by, fmt)


async def usage_csv(request: Request) -> Response:
    try:
        text = await run_blocking(_usage, request)
    except ValidationError as exc:
        return PlainTextResponse(exc.message, status_code=400)
    except PermissionDenied:
        return PlainTextResponse("Not allowed.", status_code=403)
    name = f"usage-{request.query_params.get('first')}-{request.query_params.get('last')}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def export_routes() -> list[Route]:
    return [
        Route("/api/export/cdr.csv", cdr_csv, methods=["GET"]),
        Route("/api/export/usage.csv", usage_csv, methods=["GET"]),
    ]
