"""The app module: assembles pages, API routes and lifespan tasks. No logic here."""

import reflex as rx

from portal_app import live, routes, tasks
from portal_app.api.exports import export_routes
from portal_app.api.files import file_routes
from portal_app.api.headers import edge_headers
from portal_app.api.limits import limit_upload_body
from portal_app.api.routes import build_api
from portal_app.api.socket_origins import restrict_socket_origins
from portal_app.logfilter import limit_framework_logs
from portal_app.pages.audit import audit_page
from portal_app.pages.configuration import configuration_page
from portal_app.pages.customers import customers_page
from portal_app.pages.dashboard import dashboard_page
from portal_app.pages.email_log import email_log_page
from portal_app.pages.files import files_page
from portal_app.pages.login import login_page
from portal_app.pages.pending import pending_page
from portal_app.pages.personal import personal_page
from portal_app.pages.portal_domains import portal_domains_page
from portal_app.pages.portal_pages import portal_pages
from portal_app.pages.rate_cards import rate_cards_page
from portal_app.pages.reports import breakout_report_page, cdr_report_page
from portal_app.pages.users import users_page
from portal_app.services.offloop import watch_app_loop
from portal_app.state.audit import AuditState
from portal_app.state.auth import LoginState
from portal_app.state.base import AppState
from portal_app.state.config import ConfigState
from portal_app.state.customers import CustomersState
from portal_app.state.dashboard import DashboardState
from portal_app.state.domains import DomainsState
from portal_app.state.email_log import EmailLogState
from portal_app.state.files import FilesState
from portal_app.state.pending import PendingState
from portal_app.state.profile import ProfileState
from portal_app.state.rate_cards import RateCardsState
from portal_app.state.reports import OperatorReportState
from portal_app.state.smtp import SmtpState
from portal_app.state.users import UsersState

app = rx.App(
    stylesheets=["/theme.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.ico")],
    api_transformer=[build_api(*file_routes(), *export_routes()), limit_upload_body, edge_headers],
)
restrict_socket_origins(app)
limit_framework_logs()

_TITLE = "Carrier Portal"
app.add_page(
    login_page, route=routes.LOGIN, title=f"Log in · {_TITLE}", on_load=LoginState.load_login
)
for page, route, title, loader in [
    (dashboard_page, routes.DASHBOARD, "Dashboard", [DashboardState.load, DashboardState.load_top]),
    (users_page, routes.USERS, "Users", UsersState.load),
    (personal_page, routes.PERSONAL, "Personal Information", [ProfileState.load, SmtpState.load]),
    (configuration_page, routes.CONFIGURATION, "Configuration", ConfigState.load),
    (audit_page, routes.AUDIT_LOG, "Audit Log", AuditState.load),
    (email_log_page, routes.EMAIL_LOG, "Email Log", EmailLogState.load),
    (portal_domains_page, routes.PORTAL_DOMAINS, "Portal", DomainsState.load),
    (files_page, routes.PUBLIC_FILES, "Public Files", FilesState.load),
    (customers_page, routes.CUSTOMERS, "Customers", CustomersState.load),
    (rate_cards_page, routes.RATE_CARDS, "Rate Cards", RateCardsState.load),
    (pending_page, routes.PENDING, "Pending Approval", PendingState.load),
    (cdr_report_page, routes.CDR_REPORT, "CDR Report", OperatorReportState.load_cdr),
    (
        breakout_report_page,
        routes.BREAKOUT_REPORT,
        "Breakout Report",
        OperatorReportState.load_breakout,
    ),
]:
    loaders = loader if isinstance(loader, list) else [loader]
    app.add_page(
        page,
        route=route,
        title=f"{title} · {_TITLE}",
        on_load=[AppState.sync_identity, PendingState.watch, *loaders],
    )

# The customer portal on brand hosts: the host picks the brand, the session decides.
for page, route, loaders in portal_pages():
    app.add_page(page, route=route, title="Customer portal", on_load=loaders)

app.register_lifespan_task(watch_app_loop)
app.register_lifespan_task(tasks.purge_loop)
app.register_lifespan_task(live.poll_loop)
app.register_lifespan_task(tasks.tls_allow_refresh_loop)
app.register_lifespan_task(tasks.domain_recheck_loop)
app.register_lifespan_task(tasks.outbox_loop)
