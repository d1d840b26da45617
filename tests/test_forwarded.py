"""X-Forwarded-Proto sets the request's scheme only behind a trusted proxy."""

from __future__ import annotations

import asyncio

import pytest

from portal_app.api.forwarded import forwarded_scheme


async def _echo(scope, receive, send):
    scope["seen"].append(scope["scheme"])


def _scheme(hops: int, kind: str, proto: str | None) -> str:
    seen: list[str] = []
    headers = [(b"x-forwarded-proto", proto.encode())] if proto is not None else []
    scope = {"type": kind, "scheme": "ws" if kind == "websocket" else "http"}
    scope |= {"headers": headers, "seen": seen}
    asyncio.run(forwarded_scheme(_echo, hops=hops)(scope, None, None))
    return seen[0]


@pytest.mark.parametrize(
    ("hops", "kind", "proto", "expected"),
    [
        (1, "http", "https", "https"),
        (1, "websocket", "https", "wss"),
        (1, "http", "HTTPS", "https"),
        (1, "http", None, "http"),
        (1, "http", "gopher", "http"),  # not a scheme the app serves: ignored
        (1, "http", "http, https", "https"),  # the nearest proxy's word counts
        (2, "http", "https, http", "https"),
        (2, "http", "https", "http"),  # fewer entries than trusted hops: ignored
        (0, "http", "https", "http"),  # no trusted proxy: anyone could send it
    ],
)
def test_the_trusted_proxy_names_the_scheme(hops, kind, proto, expected):
    assert _scheme(hops, kind, proto) == expected
