"""Errors raised by services. State classes map them to inline messages or toasts."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: ``message`` is safe to show to the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    """Bad input. ``fields`` maps form field names to messages shown next to them."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "You do not have permission to do that."):
        super().__init__(message)


class Conflict(ServiceError):
    """The change is valid in form but not allowed now (e.g. last administrator)."""


class AuthFailed(ServiceError):
    """Login refused. The message never says whether the account exists."""


class Throttled(ServiceError):
    pass


class Unavailable(ServiceError):
    """An outside service (a payment provider) did not answer or failed on its side:
    trying again later may work."""
