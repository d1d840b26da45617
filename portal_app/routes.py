"""Every route of the app, in one place. Pages and redirects use these constants."""

LOGIN = "/login"
DASHBOARD = "/"
USERS = "/setup/account/users"
PERSONAL = "/setup/account/personal"
CONFIGURATION = "/setup/account/configuration"
SECURITY = "/setup/account/settings"
AUDIT_LOG = "/setup/account/audit-log"
EMAIL_LOG = "/setup/account/email-log"
GATEWAYS = "/setup/account/api"
MY_SERVERS = "/setup/account/servers"
USAGE = "/setup/account/usage"
PAYMENTS = "/management/payments"
PORTAL_DOMAINS = "/setup/integrations/portal"
PUBLIC_FILES = "/management/file/public"
CUSTOMERS = "/management/customers"
CDR_REPORT = "/management/customers/cdr"
BREAKOUT_REPORT = "/report/breakout"
RATE_CARDS = "/management/rate-cards"
PENDING = "/management/pending"

# Pages of the control panel (and its login): on a brand host they lead to the portal.
CONTROL_PAGES = (
    LOGIN,
    DASHBOARD,
    USERS,
    PERSONAL,
    CONFIGURATION,
    SECURITY,
    AUDIT_LOG,
    EMAIL_LOG,
    GATEWAYS,
    MY_SERVERS,
    USAGE,
    PAYMENTS,
    PORTAL_DOMAINS,
    PUBLIC_FILES,
    CUSTOMERS,
    CDR_REPORT,
    BREAKOUT_REPORT,
    RATE_CARDS,
    PENDING,
)

# The customer portal, on brand hosts.
PORTAL = "/portal"
PORTAL_LOGIN = "/portal/login"
PORTAL_FORGOT = "/portal/forgot"
PORTAL_SIGNUP = "/portal/signup"
PORTAL_SIGNUP_CONFIRM = "/portal/signup/confirm"
PORTAL_SET_PASSWORD = "/portal/set-password"
PORTAL_INVITE = "/portal/invite"  # accept a colleague's invitation (services/invites.py)
PORTAL_VIEW_AS = "/portal/view-as"  # an operator's read-only view (services/view_as.py)
PORTAL_BALANCE = "/portal/balance"
PORTAL_CONTACTS = "/portal/contacts"
PORTAL_CDR = "/portal/cdr"
PORTAL_BREAKOUT = "/portal/breakout"
PORTAL_RATES = "/portal/rates"
PORTAL_PROFILE = "/portal/profile"
PORTAL_PAYMENTS = "/portal/payments"
PORTAL_PACKAGES = "/portal/packages"
PORTAL_ALERTS = "/portal/alerts"
PORTAL_CARRIER = "/portal/carrier"
_PORTAL_SECTIONS = {
    "balance": PORTAL_BALANCE,
    "cdr": PORTAL_CDR,
    "breakout": PORTAL_BREAKOUT,
    "rate_card": PORTAL_RATES,
    "contacts": PORTAL_CONTACTS,
    "profile": PORTAL_PROFILE,
    "payments": PORTAL_PAYMENTS,
    "packages": PORTAL_PACKAGES,
    "alerts": PORTAL_ALERTS,
    "carrier_portal": PORTAL_CARRIER,
}


def is_control_page(path: str) -> bool:
    """Whether ``path`` (as the browser shows it, maybe with a trailing slash) is one of
    the control panel's pages."""
    return (path.rstrip("/") or "/") in CONTROL_PAGES


def portal_section(key: str) -> str:
    """The page of a portal section (the portal home for one without a page)."""
    return _PORTAL_SECTIONS.get(key, PORTAL)
