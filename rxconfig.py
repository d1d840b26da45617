"""Reflex configuration. App settings live in portal_app/settings.py."""

import reflex as rx

from portal_app.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="portal_app",
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    frontend_port=_settings.port,
    backend_port=_settings.port,
    show_built_with_reflex=False,
    telemetry_enabled=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                accent_color="indigo", gray_color="slate", radius="medium", has_background=True
            )
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
