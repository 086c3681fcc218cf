"""Protection of the register's callbacks against cross-site requests and untrusted callers.

Read callbacks stay open to every page view. A callback that touches the register (any output id
starting with `register-`) must come from this app's own page, with the CSRF token Dash's renderer
sends (header X-CSRFToken, copied from the `_csrf_token` cookie set on the page), and from a user
the reverse proxy vouches for.
"""

from __future__ import annotations

from collections.abc import Collection

import hmac
import secrets
from urllib.parse import urlsplit

from dash import Dash
from flask import Response, request

from components.identity import current_user
from settings import Settings

CSRF_COOKIE = "_csrf_token"  # the name Dash's renderer reads
CSRF_HEADER = "X-CSRFToken"
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def is_register_callback(payload: object, register_outputs: Collection[str]) -> bool:
    """Whether a callback request is for one of the register's callbacks: its `output` is the key Dash
    dispatches on (Dash.callback_map), so an exact match names the callback that would run."""
    output = payload.get("output") if isinstance(payload, dict) else None
    return isinstance(output, str) and output in register_outputs


def cross_site_reason(headers, cookies, host: str) -> str | None:
    """Why a write request is not from this app's own page, or None when it is."""
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in SAME_SITE_FETCHES:
        return f"a {fetch_site} request"
    origin = headers.get("Origin")
    # The host only: behind a proxy that ends TLS the app sees http while the page's origin says https.
    if origin is not None and urlsplit(origin).netloc != host:
        return "a request from another origin"
    token, sent = cookies.get(CSRF_COOKIE, ""), headers.get(CSRF_HEADER, "")
    if not token or not hmac.compare_digest(token, sent):
        return "a request without this page's token"
    return None


def install_write_guard(app: Dash, settings: Settings, register_outputs: Collection[str]) -> None:
    """Register callbacks (`register_outputs`, as components.register.register returns them) answer only
    requests from this app's own page, with its token, from a signed-in user."""
    server = app.server
    update_path = f"{settings.routes_prefix}_dash-update-component"
    cookie_path = settings.url_prefix

    @server.before_request
    def guard_register_callbacks() -> Response | None:
        if request.path != update_path or request.method != "POST":
            return None
        if not is_register_callback(request.get_json(silent=True), register_outputs):
            return None
        reason = cross_site_reason(request.headers, request.cookies, request.host)
        if reason:
            return _plain(f"Forbidden: the register does not accept {reason}.", 403)
        if current_user(request, settings) is None:
            return _plain("Forbidden: the register needs a user signed in through the intranet.", 403)
        return None

    @server.after_request
    def give_page_a_token(response: Response) -> Response:
        # Every HTML page gets a token; the renderer sends it back with each callback.
        if response.mimetype == "text/html" and CSRF_COOKIE not in request.cookies:
            response.set_cookie(
                CSRF_COOKIE,
                secrets.token_urlsafe(32),
                path=cookie_path,
                samesite="Strict",
                httponly=False,
                secure=request.is_secure,
            )
        return response
