"""Sign up on a brand host, and the confirmation link. Public: the domain (from the
host) decides whether sign-up is open; the services check everything again."""

from __future__ import annotations

from portal_app.services import signups as svc
from portal_app.services.contacts import Mail, portal_url
from portal_app.services.db import session_scope
from portal_app.services.errors import AuthFailed, PermissionDenied, Throttled, ValidationError
from portal_app.services.mail import MailError, send_mail, smtp_for_domain
from portal_app.services.portal import domain_for_host

from .base import AppState
from .guard import Need, guarded

CHECK_EMAIL = (
    "Thank you. We sent a link to {email}: open it to confirm your address. Your account "
    "is then reviewed, and you can log in once it is approved."
)


def _start(host: str, data: dict, client: str) -> None:
    """Store the sign-up and email the link (or a note to an existing login)."""
    from portal_app.routes import PORTAL_FORGOT, PORTAL_SIGNUP_CONFIRM

    with session_scope() as session:
        domain = domain_for_host(session=session, host=host)
        if domain is None:
            raise PermissionDenied("Sign-up is not open on this portal.")
        started = svc.signup_start(session=session, domain=domain, data=data, client=client)
        if started is None:
            return
        config = smtp_for_domain(session=session, domain=domain)
        if config is None:
            raise MailError("This portal cannot send email yet. Please try again later.")
        if started.token:
            link = portal_url(domain.host, f"{PORTAL_SIGNUP_CONFIRM}?token={started.token}")
            body = (
                f"Hello,\n\nPlease confirm your email to finish signing up for "
                f"{domain.brand_name}:\n\n{link}\n\nThe link works once and expires in 24 "
                "hours. If you did not sign up, ignore this email.\n"
            )
            subject = f"Confirm your {domain.brand_name} sign-up"
        else:
            link = portal_url(domain.host, PORTAL_FORGOT)
            body = (
                f"Hello,\n\nSomeone tried to sign up for {domain.brand_name} with this "
                "email, which already has a login. Log in, or choose a new password here:"
                f"\n\n{link}\n\nIf it was not you, ignore this email.\n"
            )
            subject = f"Your {domain.brand_name} login"
        mail = Mail(config=config, to=started.email, subject=subject, body=body)
    send_mail(mail.config, to=mail.to, subject=mail.subject, body=mail.body)


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
    countries: list[list[str]] = []

    @guarded(Need.PUBLIC)
    def load_signup(self):
        kind = str(self.router.url.query_parameters.get("kind", "customer"))
        self.kind = "carrier" if kind == "carrier" else "customer"
        self.errors, self.notice, self.error = {}, "", ""
        self.countries = sorted(([c, n] for c, n in svc.COUNTRIES.items()), key=lambda p: p[1])

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
        except (PermissionDenied, Throttled, MailError) as exc:
            self.error = exc.message
            return
        finally:
            self.busy = False
        self.errors = {}
        self.notice = CHECK_EMAIL.format(email=str(form_data.get("email", "")).strip())

    @guarded(Need.PUBLIC)
    def confirm(self):
        token = str(self.router.url.query_parameters.get("token", ""))[:128]
        self.confirmed, self.error = "", ""
        try:
            self.confirmed = _confirm(token)
        except AuthFailed as exc:
            self.error = exc.message
