"""The control panel's pages, their routes, titles and loaders, for the app module.

Every page first works out who is asking (``AppState.sync_identity``, which sends a
stranger to the login page) and starts the tab's live pending-sign-ups watcher; the
page's own loaders are guarded handlers that check permissions on the server.
"""

from __future__ import annotations

from portal_app import routes
from portal_app.pages.audit import audit_page
from portal_app.pages.configuration import configuration_page
from portal_app.pages.customers import customers_page
from portal_app.pages.dashboard import dashboard_page
from portal_app.pages.email_log import email_log_page
from portal_app.pages.files import files_page
from portal_app.pages.gateways import gateways_page
from portal_app.pages.payments import payments_page
from portal_app.pages.pending import pending_page
from portal_app.pages.personal import personal_page
from portal_app.pages.portal_domains import portal_domains_page
from portal_app.pages.rate_cards import rate_cards_page
from portal_app.pages.reports import breakout_report_page, cdr_report_page
from portal_app.pages.security import security_page
from portal_app.pages.servers import servers_page
from portal_app.pages.usage import usage_page
from portal_app.pages.users import users_page
from portal_app.state.audit import AuditState
from portal_app.state.base import AppState
from portal_app.state.config import ConfigState
from portal_app.state.customers import CustomersState
from portal_app.state.dashboard import DashboardState
from portal_app.state.domains import DomainsState
from portal_app.state.email_log import EmailLogState
from portal_app.state.files import FilesState
from portal_app.state.gateways import GatewaysState
from portal_app.state.package_catalogue import PackageCatalogueState
from portal_app.state.page_gate import gated
from portal_app.state.payments_admin import PaymentsState
from portal_app.state.pending import PendingState
from portal_app.state.profile import ProfileState
from portal_app.state.rate_card_detail import RateCardDetailState
from portal_app.state.rate_cards import RateCardsState
from portal_app.state.reports import OperatorReportState
from portal_app.state.security import SecurityState
from portal_app.state.servers import ServersState
from portal_app.state.sessions import OperatorSessionsState
from portal_app.state.sms import SmsState
from portal_app.state.smtp import SmtpState
from portal_app.state.usage import UsageState
from portal_app.state.users import UsersState

CONTROL_PAGES = [
    (dashboard_page, routes.DASHBOARD, "Dashboard", [DashboardState.load, DashboardState.load_top]),
    (users_page, routes.USERS, "Users", UsersState.load),
    (
        personal_page,
        routes.PERSONAL,
        "Personal Information",
        [ProfileState.load, SmtpState.load, SmsState.load, OperatorSessionsState.load_sessions],
    ),
    (configuration_page, routes.CONFIGURATION, "Configuration", ConfigState.load),
    (security_page, routes.SECURITY, "Settings", SecurityState.load),
    (audit_page, routes.AUDIT_LOG, "Audit Log", AuditState.load),
    (gateways_page, routes.GATEWAYS, "API", GatewaysState.load),
    (servers_page, routes.MY_SERVERS, "My Servers", ServersState.load),
    (usage_page, routes.USAGE, "Usage", UsageState.load),
    (email_log_page, routes.EMAIL_LOG, "Email Log", EmailLogState.load),
    (portal_domains_page, routes.PORTAL_DOMAINS, "Portal", DomainsState.load),
    (files_page, routes.PUBLIC_FILES, "Public Files", FilesState.load),
    (customers_page, routes.CUSTOMERS, "Customers", CustomersState.load),
    (
        rate_cards_page,
        routes.RATE_CARDS,
        "Rate Cards",
        [RateCardsState.load, PackageCatalogueState.load, RateCardDetailState.close_card],
    ),
    (pending_page, routes.PENDING, "Pending Approval", PendingState.load),
    (payments_page, routes.PAYMENTS, "Payments", PaymentsState.load),
    (cdr_report_page, routes.CDR_REPORT, "CDR Report", OperatorReportState.load_cdr),
    (
        breakout_report_page,
        routes.BREAKOUT_REPORT,
        "Breakout Report",
        OperatorReportState.load_breakout,
    ),
]


def control_pages():
    """(page, route, title, on_load) of every control-panel page but the login."""
    pages = []
    for page, route, title, loader in CONTROL_PAGES:
        loaders = loader if isinstance(loader, list) else [loader]
        # Only the loaders the guard would run (state/page_gate.py): no refusal toast.
        on_load = [AppState.sync_identity, PendingState.watch, *gated(route, loaders)]
        pages.append((page, route, title, on_load))
    return pages
