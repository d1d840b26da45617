"""The app module: assembles pages, API routes and lifespan tasks. No logic here."""

import reflex as rx

from portal_app import live, routes, startup, tasks
from portal_app.api.exports import export_routes
from portal_app.api.files import file_routes
from portal_app.api.forwarded import forwarded_scheme
from portal_app.api.headers import edge_headers
from portal_app.api.limits import limit_upload_body
from portal_app.api.payments import payment_routes
from portal_app.api.routes import build_api
from portal_app.api.sessions import session_routes
from portal_app.api.socket_origins import restrict_socket_origins
from portal_app.logfilter import limit_framework_logs
from portal_app.pages.control_pages import control_pages
from portal_app.pages.login import login_page
from portal_app.pages.not_found import not_found_page
from portal_app.pages.portal_pages import portal_pages
from portal_app.services.offloop import watch_app_loop
from portal_app.state.auth import LoginState
from portal_app.state.not_found import NotFoundState

app = rx.App(
    stylesheets=["/theme.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.ico")],
    api_transformer=[
        build_api(*file_routes(), *export_routes(), *session_routes(), *payment_routes()),
        limit_upload_body,
        edge_headers,
        forwarded_scheme,
    ],
)
restrict_socket_origins(app)
limit_framework_logs()

_TITLE = "Carrier Portal"
app.add_page(
    login_page, route=routes.LOGIN, title=f"Log in · {_TITLE}", on_load=LoginState.load_login
)
for page, route, title, loaders in control_pages():
    app.add_page(page, route=route, title=f"{title} · {_TITLE}", on_load=loaders)

# The customer portal on brand hosts: the host picks the brand, the session decides.
for page, route, loaders in portal_pages():
    app.add_page(page, route=route, title="Customer portal", on_load=loaders)

app.add_page(
    not_found_page, route="404", title=f"Page not found · {_TITLE}", on_load=NotFoundState.load
)

app.register_lifespan_task(watch_app_loop)
app.register_lifespan_task(tasks.purge_loop)
app.register_lifespan_task(tasks.seen_flush_loop)
app.register_lifespan_task(live.poll_loop)
app.register_lifespan_task(startup.tls_allow_kept)
app.register_lifespan_task(tasks.domain_recheck_loop)
app.register_lifespan_task(tasks.outbox_loop)
app.register_lifespan_task(tasks.import_repair_loop)
app.register_lifespan_task(tasks.payment_reconcile_loop)
app.register_lifespan_task(tasks.autotopup_loop)
app.register_lifespan_task(tasks.server_probe_loop)
app.register_lifespan_task(tasks.package_charge_loop)
