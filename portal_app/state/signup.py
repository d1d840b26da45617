"""Sign up on a brand host, and the confirmation link. Public: the domain (from the
host) decides whether sign-up is open; the services check everything again."""

from __future__ import annotations

from portal_app.services import security_settings
from portal_app.services import signups as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import AuthFailed, PermissionDenied, Throttled, ValidationError
from portal_app.services.portal import domain_for_host

from .base import AppState
from .guard import Need, guarded

CHECK_EMAIL = (
    "Thank you. We sent a link to {email}: open it to confirm your address. Your account "
    "is then reviewed, and you can log in once it is approved."
)


def _start(host: str, data: dict, client: str) -> None:
    """Store the sign-up; its email (the link, or a note to an existing login) is queued."""
    with session_scope() as session:
        domain = domain_for_host(session=session, host=host)
        if domain is None:
            raise PermissionDenied("Sign-up is not open on this portal.")
        svc.signup_start(session=session, domain=domain, data=data, client=client)


def _confirm(token: str) -> str:
    with session_scope() as session:
        return svc.signup_confirm(session=session, token=token).name


class SignupState(AppState):
    kind: str = "customer"
    errors: dict[str, str] = {}
    notice: str = ""
    error: str = ""
    busy: bool = False
    confirmed: str = ""  # the confirmed company's name
    password_hint: str = "At least 10 characters."  # the account\x27s minimum (Settings)

    @guarded(Need.PUBLIC)
    def load_signup(self):
        kind = str(self.router.url.query_parameters.get("kind", "customer"))
        self.kind = "carrier" if kind == "carrier" else "customer"
        self.errors, self.notice, self.error = {}, "", ""
        with session_scope() as session:
            self.password_hint = security_settings.password_hint(session=session)

    @guarded(Need.PUBLIC)
    def submit(self, form_data: dict):
        data = {k: str(v)[:300] if v is not None else "" for k, v in form_data.items()}
        data["terms"] = form_data.get("terms")
        data["kind"] = self.kind
        self.busy, self.error = True, ""
        yield
        try:
            client = self._client()[0]
            _start(self._host(), data, client)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except (PermissionDenied, Throttled) as exc:
            self.error = exc.message
            return
        finally:
            self.busy = False
        self.errors = {}
        self.notice = CHECK_EMAIL.format(email=str(form_data.get("email", "")).strip())

    @guarded(Need.PUBLIC)
    def clear_error(self, key: str):
        """The person changed a field whose error was showing: the error goes."""
        if key in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != key}

    @guarded(Need.PUBLIC)
    def confirm(self):
        token = str(self.router.url.query_parameters.get("token", ""))[:128]
        self.confirmed, self.error = "", ""
        try:
            self.confirmed = _confirm(token)
        except AuthFailed as exc:
            self.error = exc.message
