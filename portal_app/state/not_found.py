"""The 404 page: the control panel's look on its hosts, the brand's on a brand host."""

from __future__ import annotations

from portal_app.services.hosts import is_control_host
from portal_app.settings import get_settings

from .base import AppState
from .guard import Need, guarded


class NotFoundState(AppState):
    @guarded(Need.PUBLIC)
    def load(self):
        """Public: a missing page reveals nothing but which app this host serves."""
        self.control_host = is_control_host(self._host(), get_settings().control_hosts)
        if not self.control_host:
            from .brand import BrandState

            return BrandState.load_brand
