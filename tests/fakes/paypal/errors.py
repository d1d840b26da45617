"""PayPal's error bodies, in the shapes its REST APIs send them.

The OAuth2 token endpoint answers like an OAuth server (``error``,
``error_description``); the v1 and v2 APIs answer with ``name``, ``message``,
``debug_id``, ``details`` (each with ``issue`` and ``description``) and ``links``.
"""

from __future__ import annotations

import secrets
from typing import Any

MESSAGES = {
    "INVALID_REQUEST": "Request is not well-formed, syntactically incorrect, or violates schema.",
    "UNPROCESSABLE_ENTITY": (
        "The requested action could not be performed, semantically incorrect, or failed "
        "business validation."
    ),
    "RESOURCE_NOT_FOUND": "The specified resource does not exist.",
    "AUTHENTICATION_FAILURE": (
        "Authentication failed due to invalid authentication credentials or a missing "
        "Authorization header."
    ),
    "NOT_AUTHORIZED": "Authorization failed due to insufficient permissions.",
    "UNSUPPORTED_MEDIA_TYPE": "The server does not support the request payload's media type.",
    "METHOD_NOT_SUPPORTED": "The server does not implement the requested HTTP method.",
    "INTERNAL_SERVER_ERROR": "An internal server error has occurred.",
    "SERVICE_UNAVAILABLE": "Service Unavailable.",
    "VALIDATION_ERROR": "Invalid request - see details.",
}
STATUS = {
    "INVALID_REQUEST": 400,
    "VALIDATION_ERROR": 400,
    "AUTHENTICATION_FAILURE": 401,
    "NOT_AUTHORIZED": 403,
    "RESOURCE_NOT_FOUND": 404,
    "METHOD_NOT_SUPPORTED": 405,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "UNPROCESSABLE_ENTITY": 422,
    "INTERNAL_SERVER_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}


def debug_id() -> str:
    return secrets.token_hex(7)


class ApiError(Exception):
    """An answer other than success: ``status`` and the JSON ``body`` PayPal would send."""

    def __init__(self, status: int, body: dict[str, Any]):
        super().__init__(f"{status} {body.get('name') or body.get('error')}")
        self.status = status
        self.body = body


def api_error(
    name: str,
    issue: str | None = None,
    description: str | None = None,
    *,
    field: str | None = None,
    value: str | None = None,
    location: str = "body",
) -> ApiError:
    """A v2-style error (``name`` is one of :data:`MESSAGES`), with one detail if given."""
    body: dict[str, Any] = {"name": name, "message": MESSAGES[name], "debug_id": debug_id()}
    if issue:
        detail: dict[str, Any] = {"issue": issue, "description": description or issue}
        if field is not None:
            detail = {
                "field": field,
                **({"value": value} if value is not None else {}),
                "location": location,
                **detail,
            }
        body["details"] = [detail]
        body["links"] = [
            {
                "href": f"https://developer.paypal.com/docs/api/orders/v2/#error-{issue}",
                "rel": "information_link",
                "method": "GET",
            }
        ]
    return ApiError(STATUS[name], body)


def oauth_error(status: int, error: str, description: str) -> ApiError:
    """The token endpoint's own shape."""
    return ApiError(status, {"error": error, "error_description": description})
