"""Which menu link is the page being shown: the control panel's sidebar and the
portal's menu mark it with ``aria-current="page"`` (theme.css styles that attribute)."""

from __future__ import annotations

import reflex as rx


def current(path, href):
    """Whether the browser is on ``href``; production URLs carry a trailing slash."""
    return (path == href) | (path == href + "/")


def nav_attrs(path, href) -> dict:
    """The attributes of a menu link to ``href`` while the browser is on ``path``."""
    return {"aria-current": rx.cond(current(path, href), "page", "false")}
