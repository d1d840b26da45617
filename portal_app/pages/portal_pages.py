"""The customer portal's pages, their routes and loaders, for the app module to add.

Every page first picks the brand from the host (branding only); the portal's own
loaders then check the contact's session and section on the server.
"""

from __future__ import annotations

from portal_app import routes
from portal_app.pages.portal import portal_balance_page, portal_home_page
from portal_app.pages.portal_alerts import portal_alerts_page
from portal_app.pages.portal_carrier import portal_carrier_page
from portal_app.pages.portal_entry import portal_invite_page, portal_view_as_page
from portal_app.pages.portal_login import (
    portal_forgot_page,
    portal_login_page,
    portal_set_password_page,
)
from portal_app.pages.portal_packages import portal_packages_page
from portal_app.pages.portal_payments import portal_payments_page
from portal_app.pages.portal_profile import portal_profile_page
from portal_app.pages.portal_reports import (
    portal_breakout_page,
    portal_cdr_page,
    portal_rates_page,
)
from portal_app.pages.portal_signup import portal_signup_confirm_page, portal_signup_page
from portal_app.pages.portal_team import portal_contacts_page
from portal_app.state.brand import BrandState
from portal_app.state.page_gate import gated
from portal_app.state.portal import PortalState
from portal_app.state.portal_alerts import PortalAlertsState
from portal_app.state.portal_auth import PortalLoginState
from portal_app.state.portal_autotopup import PortalAutoTopupState
from portal_app.state.portal_balance import PortalBalanceState
from portal_app.state.portal_carrier import PortalCarrierState
from portal_app.state.portal_entry import PortalEntryState
from portal_app.state.portal_packages import PortalPackagesState
from portal_app.state.portal_payments import PortalPaymentsState
from portal_app.state.portal_profile import PortalProfileState
from portal_app.state.portal_rates import PortalRatesState
from portal_app.state.portal_team import PortalTeamState
from portal_app.state.reports import PortalReportState
from portal_app.state.sessions import PortalSessionsState
from portal_app.state.signup import SignupState

_FRAME = PortalState.load_portal

PORTAL_PAGES = [
    (portal_login_page, routes.PORTAL_LOGIN, [PortalLoginState.load_login]),
    (portal_forgot_page, routes.PORTAL_FORGOT, [PortalLoginState.load_login]),
    (portal_set_password_page, routes.PORTAL_SET_PASSWORD, [PortalLoginState.load_link]),
    (portal_invite_page, routes.PORTAL_INVITE, [PortalEntryState.load_invite]),
    (portal_view_as_page, routes.PORTAL_VIEW_AS, [PortalEntryState.enter_view]),
    (portal_signup_page, routes.PORTAL_SIGNUP, [SignupState.load_signup]),
    (portal_signup_confirm_page, routes.PORTAL_SIGNUP_CONFIRM, [SignupState.confirm]),
    (
        portal_home_page,
        routes.PORTAL,
        [_FRAME, PortalState.load_charts, PortalBalanceState.load_summary],
    ),
    (portal_balance_page, routes.PORTAL_BALANCE, [_FRAME, PortalBalanceState.load]),
    (portal_cdr_page, routes.PORTAL_CDR, [_FRAME, PortalReportState.load_cdr]),
    (portal_breakout_page, routes.PORTAL_BREAKOUT, [_FRAME, PortalReportState.load_breakout]),
    (portal_rates_page, routes.PORTAL_RATES, [_FRAME, PortalRatesState.load]),
    (
        portal_contacts_page,
        routes.PORTAL_CONTACTS,
        [_FRAME, PortalState.load_team, PortalTeamState.load],
    ),
    (
        portal_payments_page,
        routes.PORTAL_PAYMENTS,
        [_FRAME, PortalPaymentsState.load, PortalPaymentsState.watch, PortalAutoTopupState.load],
    ),
    (portal_packages_page, routes.PORTAL_PACKAGES, [_FRAME, PortalPackagesState.load]),
    (portal_alerts_page, routes.PORTAL_ALERTS, [_FRAME, PortalAlertsState.load]),
    (
        portal_carrier_page,
        routes.PORTAL_CARRIER,
        [_FRAME, PortalCarrierState.load, PortalBalanceState.load],
    ),
    (
        portal_profile_page,
        routes.PORTAL_PROFILE,
        [_FRAME, PortalProfileState.load, PortalSessionsState.load_sessions],
    ),
]


def portal_pages():
    """(page, route, on_load) of every portal page."""
    return [
        (page, route, [BrandState.load_brand, *gated(route, loaders)])
        for page, route, loaders in PORTAL_PAGES
    ]
