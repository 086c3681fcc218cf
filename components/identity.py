"""Who is asking: the intranet's reverse proxy authenticates, and the app trusts it narrowly.

The user name is read from the header named by PPH_USER_HEADER only when the request comes straight
from an address in PPH_FORWARDED_ALLOW_IPS, so nobody reaching the app past the proxy can claim a
name. PPH_DEV_USER stands in for the proxy on a laptop. Modelled on Grafana's auth proxy and
Superset's REMOTE_USER mode.
"""

from __future__ import annotations

from flask import Request

from domain.register import User
from settings import USER_NAME, Settings


def current_user(request: Request, settings: Settings) -> User | None:
    """The trusted user of a request, or None: then the write views are absent and writes get 403."""
    if not settings.register:
        return None
    name = settings.dev_user or _proxied_name(request, settings)
    if not name:
        return None
    return User(name, name in settings.reviewers)


def _proxied_name(request: Request, settings: Settings) -> str:
    allowed = settings.forwarded_allow_ips
    if not settings.user_header or ("*" not in allowed and request.remote_addr not in allowed):
        return ""
    value = request.headers.get(settings.user_header, "").strip()
    return value if USER_NAME.fullmatch(value) else ""
