"""The local PayPal's HTTP routes: PayPal's REST paths, the approval page, ``/_config``.

``/_config/...`` routes are the tests' own (PayPal has nothing like them): register a
webhook URL, make the next calls fail, expire tokens, clear a pending capture, resend
an event, drop webhooks. Each takes and returns JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .errors import ApiError, api_error
from .page import approval_page, done_page, with_query
from .store import Store
from .webhooks import CERT_PATH, Hooks

ORDER = r"/v2/checkout/orders/(?P<id>[A-Za-z0-9-]+)"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive (http.client.HTTPMessage)
    body: bytes

    def json(self) -> Any:
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise api_error(
                "UNSUPPORTED_MEDIA_TYPE",
                "UNSUPPORTED_MEDIA_TYPE",
                "The request payload is not supported (use application/json).",
            )
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise api_error(
                "INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed."
            ) from exc

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body).encode())


class Api:
    def __init__(self, store: Store, hooks: Hooks, default_client: str):
        self.store, self.hooks, self.default_client = store, hooks, default_client
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = [
            ("POST", re.compile(r"/v1/oauth2/token"), self.token),
            ("POST", re.compile(r"/v2/checkout/orders"), self.create),
            ("GET", re.compile(ORDER), self.get),
            ("POST", re.compile(ORDER + "/capture"), self.capture),
            ("GET", re.compile(r"/v2/payments/captures/(?P<id>[A-Za-z0-9-]+)"), self.get_capture),
            ("POST", re.compile(r"/v1/notifications/webhooks"), self.add_webhook),
            ("GET", re.compile(r"/v1/notifications/webhooks"), self.list_webhooks),
            ("POST", re.compile(r"/v1/notifications/verify-webhook-signature"), self.verify),
            ("GET", re.compile(re.escape(CERT_PATH) + r"[0-9a-f]+"), self.cert),
            ("GET", re.compile(r"/checkoutnow"), self.page),
            ("POST", re.compile(r"/checkoutnow"), self.decide),
            (
                "POST",
                re.compile(r"/_config/(?P<what>[a-z-]+)(?:/(?P<id>[A-Za-z0-9-]+))?"),
                self.config,
            ),
        ]

    def handle(self, request: Request) -> Reply:
        try:
            for method, pattern, view in self.routes:
                match = pattern.fullmatch(request.path)
                if match and method == request.method:
                    return view(request, **match.groupdict())
            raise api_error("RESOURCE_NOT_FOUND")
        except ApiError as exc:
            return json_reply(exc.status, exc.body)

    def _client(self, request: Request) -> str:
        return self.store.client_for(request.headers.get("Authorization"))

    # --- PayPal's API -----------------------------------------------------------
    def token(self, request: Request) -> Reply:
        form = request.form()
        return json_reply(200, self.store.issue_token(request.headers.get("Authorization"), form))

    def create(self, request: Request) -> Reply:
        client = self._client(request)
        full = "return=representation" in (request.headers.get("Prefer") or "")
        status, body = self.store.create_order(
            client, request.json(), request.headers.get("PayPal-Request-Id"), full
        )
        return json_reply(status, body)

    def get(self, request: Request, id: str) -> Reply:
        return json_reply(200, self.store.get_order(self._client(request), id))

    def capture(self, request: Request, id: str) -> Reply:
        client = self._client(request)
        request.json()
        status, body = self.store.capture(client, id, request.headers.get("PayPal-Request-Id"))
        return json_reply(status, body)

    def get_capture(self, request: Request, id: str) -> Reply:
        return json_reply(200, self.store.get_capture(self._client(request), id))

    def add_webhook(self, request: Request) -> Reply:
        client, body = self._client(request), request.json()
        url = body.get("url") if isinstance(body, dict) else None
        types = [t.get("name") for t in body.get("event_types", [])] if url else []
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not types:
            raise api_error(
                "INVALID_REQUEST",
                "INVALID_PARAMETER_SYNTAX",
                "A webhook needs a url and event_types.",
                field="/url",
            )
        return json_reply(201, self._webhook_json(self.hooks.register(client, url, types)))

    def list_webhooks(self, request: Request) -> Reply:
        client = self._client(request)
        hooks = [
            self._webhook_json(h) for h in self.hooks.webhooks.values() if h.client_id == client
        ]
        return json_reply(200, {"webhooks": hooks})

    @staticmethod
    def _webhook_json(hook) -> dict[str, Any]:
        return {
            "id": hook.id,
            "url": hook.url,
            "event_types": [{"name": name} for name in hook.event_types],
        }

    def verify(self, request: Request) -> Reply:
        client = self._client(request)
        self.store.raise_injected("verify")
        return json_reply(200, self.hooks.verify(client, request.json()))

    def cert(self, request: Request) -> Reply:
        return Reply(200, self.hooks.signer.cert_pem(), "application/x-pem-file")

    # --- the payer's browser ----------------------------------------------------
    def page(self, request: Request) -> Reply:
        order = self.store.order(None, request.query.get("token", ""))
        return Reply(200, approval_page(order), "text/html; charset=utf-8")

    def decide(self, request: Request) -> Reply:
        form = request.form()
        order = self.store.order(None, form.get("token", ""))
        if form.get("action") == "approve" and order.status != "COMPLETED":
            self.store.approve(order.id)
            if order.return_url:
                url = with_query(order.return_url, token=order.id, PayerID=order.payer["payer_id"])
                return Reply(303, b"", "text/plain", {"Location": url})
            return Reply(
                200,
                done_page("Payment approved. You can close this window."),
                "text/html; charset=utf-8",
            )
        if form.get("action") == "cancel" and order.cancel_url:
            url = with_query(order.cancel_url, token=order.id)
            return Reply(303, b"", "text/plain", {"Location": url})
        return Reply(200, done_page("Nothing was paid."), "text/html; charset=utf-8")

    # --- the tests' own ----------------------------------------------------------
    def config(self, request: Request, what: str, id: str | None = None) -> Reply:
        body = request.json()
        if what == "webhooks":
            hook = self.hooks.register(
                body.get("client_id") or self.default_client,
                body["url"],
                tuple(body.get("event_types") or ("*",)),
            )
            return json_reply(201, self._webhook_json(hook))
        if what == "fail":
            try:
                self.store.fail_next(body["endpoint"], body["error"], int(body.get("times", 1)))
            except (KeyError, ValueError) as exc:
                return json_reply(400, {"error": str(exc)})
        elif what == "expire-tokens":
            self.store.expire_tokens()
        elif what == "drop-webhooks":
            self.hooks.drop = bool(body.get("drop", True))
        elif what == "complete-capture" and id:
            self.store.complete_capture(id)
        elif what == "resend" and id:
            sent = self.hooks.resend(id)
            return json_reply(200, {"deliveries": [d.status for d in sent]})
        else:
            raise api_error("RESOURCE_NOT_FOUND")
        return json_reply(200, {"ok": True})
