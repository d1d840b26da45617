"""Reflex configuration. App settings live in portal_app/settings.py."""

import reflex as rx

from portal_app.services.origins import control_origins
from portal_app.settings import get_settings

_settings = get_settings()
_redis_url = _settings.redis_url.get_secret_value() if _settings.redis_url else None

# Without Redis, Reflex keeps each tab's UI state in memory (one worker). Its default, the
# disk manager, rescans every saved-state file on each write cycle: after an hour of use
# that was 16,287 files and 0.65 cores for 100 idle tabs, against 0.19 in memory. Nothing
# of value is lost on a restart: sessions, data and settings live in the database, and a
# reconnecting tab re-sends its cookie and reloads its page (see docs/architecture.md).
_state_manager = (
    rx.constants.StateManagerMode.REDIS if _redis_url else rx.constants.StateManagerMode.MEMORY
)


class LayeredRadixThemes(rx.plugins.RadixThemesPlugin):
    """Radix Themes, whose stylesheet assets/theme.css imports into a cascade layer (not
    the root stylesheet, unlayered): a brand's CSS then wins over the component library
    and the theme whatever their selectors' specificity (assets/BRANDING.md)."""

    def get_stylesheet_paths(self, **context) -> tuple[str, ...]:
        return ()


config = rx.Config(
    app_name="portal_app",
    db_url=_settings.database_url.get_secret_value(),
    redis_url=_redis_url,
    state_manager_mode=_state_manager,
    frontend_port=_settings.port,
    backend_port=_settings.port,
    show_built_with_reflex=False,
    # CORS (credentials included) answers only the control panel's own origins. Each
    # brand host serves its pages and backend from one origin and needs none; the
    # websocket's own origin check is in portal_app/api/socket_origins.py.
    cors_allowed_origins=control_origins(_settings),
    telemetry_enabled=False,
    plugins=[
        LayeredRadixThemes(
            theme=rx.theme(
                accent_color="indigo", gray_color="slate", radius="medium", has_background=True
            )
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
