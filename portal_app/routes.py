"""Every route of the app, in one place. Pages and redirects use these constants."""

LOGIN = "/login"
DASHBOARD = "/"
USERS = "/setup/account/users"
PERSONAL = "/setup/account/personal"
CONFIGURATION = "/setup/account/configuration"
AUDIT_LOG = "/setup/account/audit-log"
