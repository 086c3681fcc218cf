"""HTTP hardening of the Flask server under Dash: security headers (flask-talisman), request size
limits, a guard on callback requests, and plain error pages without stack traces.

The guard checks what Dash itself does not: the JSON content type (a cross-site form cannot send it
without a preflight), size and nesting caps on every value, that the callback asked for is one this app
declares, and that its inputs and state are the components it declares (Dash passes their values by
position, whatever ids they are sent with). The rest of the wire format is left to Dash: where its own
dispatch cannot use a request (outputs of the wrong shape, a key missing), the error it raises inside its
own code is answered with a 400, not a 500 (`dispatch_refused`; tests/unit/test_dash_couplings.py checks
which errors those are, so an upgrade that changes them says so).
"""

from __future__ import annotations

from collections.abc import Collection

import inspect
import json
import os
from pathlib import Path
from typing import Any

import dash
import flask
import werkzeug
from dash import Dash
from dash.exceptions import CallbackException
from flask import Response, request
from flask_talisman import Talisman
from werkzeug.exceptions import HTTPException

from components.identity import current_user
from components.ids import Ids
from components.write_guard import is_register_callback
from settings import Settings

# For an answer that belongs to one signed-in user: no cache, the browser's included, may keep it.
PRIVATE = "private, no-store"
MAX_REQUEST_BYTES = 64 * 1024  # a callback request of this app is under 2 KB
MAX_VALUE_CHARS = 2_000
# The page's address travels in callbacks as it was typed or pasted. A link too long for the app is
# answered with a notice on the page (domain.state), so it must reach the app, not be refused here.
LONG_VALUE_CHARS = 32_000
LONG_VALUE_PROPS = frozenset({(str(Ids.URL), "search"), (str(Ids.URL), "href")})
# dcc.Location sends the address as text, always; a callback reading it may rely on that.
TEXT_PROPS = frozenset({(str(Ids.URL), prop) for prop in ("search", "href", "pathname", "hash")})
# What Dash's dispatch raises when a request names a known callback but does not fit it (an outputs list
# of the wrong length or shape, a dependency without its key): answered as the client's error.
DISPATCH_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError, CallbackException)
# Where Dash's dispatch runs: an error raised with a frame anywhere else on its traceback (a callback of ours)
# is a bug of ours, a 500, whatever its type.
DISPATCH_CODE = tuple(f"{Path(inspect.getfile(module)).parent}{os.sep}" for module in (dash, flask, werkzeug))


class BadCallbackRequest(ValueError):
    pass


def content_security_policy(app: Dash, settings: Settings) -> dict[str, Any]:
    return {
        "default-src": "'self'",
        # Dash's one inline bootstrap script is allowed by its hash; no 'unsafe-eval'.
        "script-src": ["'self'", *app.csp_hashes()],
        # React and plotly.js set style attributes at run time.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": list(settings.frame_ancestors),
    }


def _check_text(value: str) -> None:
    # JSON may escape a lone surrogate ("\ud800"), which is no character: a string holding one cannot be
    # encoded as UTF-8, so the answer (or a link built from it) would fail inside the callback.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadCallbackRequest("value is not valid Unicode text") from None


def _check_value(value: Any, depth: int = 0, max_chars: int = MAX_VALUE_CHARS) -> None:
    if depth > 6:
        raise BadCallbackRequest("value nested too deeply")
    if isinstance(value, str):
        if len(value) > max_chars:
            raise BadCallbackRequest("value too long")
        if not value.isascii():
            _check_text(value)
    elif isinstance(value, list):
        if len(value) > 200:
            raise BadCallbackRequest("list too long")
        for item in value:
            _check_value(item, depth + 1)
    elif isinstance(value, dict):
        if len(value) > 200:
            raise BadCallbackRequest("object too large")
        for key, item in value.items():
            _check_value(key, depth + 1)
            _check_value(item, depth + 1)
    elif value is not None and not isinstance(value, (bool, int, float)):
        raise BadCallbackRequest("unexpected value type")


WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])
LIST_WILDCARDS = (["ALL"], ["ALLSMALLER"])  # these match any number of components: the page sends a list


def _dependency_key(dep: Any) -> tuple[str | dict, str]:
    """(component id, property) of one dependency as the page sends it; a dict id stays a dict."""
    if not isinstance(dep, dict) or not isinstance(dep.get("property"), str):
        raise BadCallbackRequest("malformed dependency")
    component = dep.get("id")
    if isinstance(component, dict):
        if not all(isinstance(k, str) and isinstance(v, (str, int, float, bool)) for k, v in component.items()):
            raise BadCallbackRequest("malformed component id")
        return component, dep["property"]
    if not isinstance(component, str):
        raise BadCallbackRequest("malformed component id")
    return component, dep["property"]


def _matches(sent: str | dict, declared: str) -> bool:
    """Whether a sent component id is the declared one. Dash declares a dict id as its compact,
    key-sorted JSON, with ["ALL"], ["MATCH"] or ["ALLSMALLER"] where any value may stand."""
    if isinstance(sent, str):
        return sent == declared
    try:
        pattern = json.loads(declared)
    except ValueError:
        return False
    if not isinstance(pattern, dict) or set(pattern) != set(sent):
        return False
    return all(value in WILDCARDS or value == sent[key] for key, value in pattern.items())


def _check_dependency(got: Any, want: dict, kind: str) -> None:
    component, prop = _dependency_key(got)
    if prop != want["property"] or not _matches(component, str(want["id"])):
        raise BadCallbackRequest(f"{kind} do not match the callback")
    limit = (
        LONG_VALUE_CHARS if isinstance(component, str) and (component, prop) in LONG_VALUE_PROPS else MAX_VALUE_CHARS
    )
    value = got.get("value")
    if isinstance(component, str) and (component, prop) in TEXT_PROPS and not isinstance(value, (str, type(None))):
        raise BadCallbackRequest(f"{component}.{prop} must be text")
    _check_value(value, max_chars=limit)


def _collects_a_list(declared: str) -> bool:
    """Whether a declared id has an ALL or ALLSMALLER wildcard, for which the page sends a list."""
    try:
        pattern = json.loads(declared)
    except ValueError:
        return False
    return isinstance(pattern, dict) and any(v in LIST_WILDCARDS for v in pattern.values())


def _check_sent(sent: Any, want: dict, kind: str) -> None:
    """One dependency, or for an ALL or ALLSMALLER wildcard a list of them, each matching the pattern."""
    if _collects_a_list(str(want["id"])):
        if not isinstance(sent, list) or len(sent) > 200:
            raise BadCallbackRequest(f"{kind} do not match the callback")
        for item in sent:
            _check_dependency(item, want, kind)
    else:
        _check_dependency(sent, want, kind)


def _check_outputs(outputs: Any, callback: dict) -> None:
    """The `outputs` are dependencies (a list of them for several outputs) naming components: their number
    and shape are Dash's to check (`dispatch_refused`), but a value sent as one must pass the caps."""
    if callback.get("no_output"):
        return  # Dash ignores what is sent
    for sent in outputs if isinstance(outputs, list) else [outputs]:
        for dep in sent if isinstance(sent, list) else [sent]:
            _dependency_key(dep)
            _check_value(dep.get("id"))


def validate_callback_request(payload: Any, callback_map: dict) -> None:
    """Refuse a callback request that this app's own page could never send."""
    if not isinstance(payload, dict):
        raise BadCallbackRequest("body must be a JSON object")
    callback = callback_map.get(payload.get("output")) if isinstance(payload.get("output"), str) else None
    if callback is None:
        raise BadCallbackRequest("unknown callback")
    for kind in ("inputs", "state"):
        sent = payload.get(kind, [])
        declared = callback[kind]
        if not isinstance(sent, list) or len(sent) != len(declared):
            raise BadCallbackRequest(f"{kind} do not match the callback")
        for got, want in zip(sent, declared, strict=True):
            _check_sent(got, want, kind)
    _check_outputs(payload.get("outputs"), callback)
    changed = payload.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallbackRequest("malformed changedPropIds")
    _check_value(changed)
    _check_changed(changed, payload.get("inputs", []))


def _sent_inputs(inputs: list) -> list[tuple[str | dict, str]]:
    return [_dependency_key(dep) for item in inputs for dep in (item if isinstance(item, list) else [item])]


def _check_changed(changed: list[str], inputs: list) -> None:
    """Each changed property names one of the inputs sent. Dash parses an id that starts with '{' as JSON
    to tell a callback what triggered it, so anything else there would crash the callback (a 500)."""
    sent = _sent_inputs(inputs)
    for entry in changed:
        component, _, prop = entry.rpartition(".")
        if component.startswith("{"):
            try:
                parsed = json.loads(component)
            except ValueError:
                raise BadCallbackRequest("malformed changedPropIds") from None
            if not isinstance(parsed, dict) or (parsed, prop) not in sent:
                raise BadCallbackRequest("changedPropIds do not match the inputs")
        elif (component, prop) not in sent:
            raise BadCallbackRequest("changedPropIds do not match the inputs")


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def install_security(app: Dash, settings: Settings, register_outputs: Collection[str] = frozenset()) -> None:
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    Talisman(
        server,
        force_https=False,  # TLS ends at the reverse proxy
        strict_transport_security=False,
        session_cookie_secure=False,
        frame_options=None,  # superseded by CSP frame-ancestors, which allows a configured list
        content_security_policy=content_security_policy(app, settings),
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
    )
    update_path = f"{settings.routes_prefix}_dash-update-component"

    @server.before_request
    def refuse_foreign_callbacks() -> Response | None:
        if request.path != update_path or request.method != "POST":
            return None
        # Only the renderer's JSON: a cross-site <form> can send text/plain or form-encoded bodies
        # without a CORS preflight, and must not reach a callback.
        if request.mimetype != "application/json":
            return _plain("Unsupported media type: callbacks take application/json.", 415)
        try:
            validate_callback_request(request.get_json(force=True, silent=False), app.callback_map)
        except BadCallbackRequest as exc:
            return _plain(f"Bad request: {exc}.", 400)
        except HTTPException as exc:
            return _plain(f"Bad request: {exc.description}", exc.code or 400)
        except RecursionError:
            # Python's JSON parser recurses once per level: "[[[[..." in a 64 KB body exceeds its stack.
            return _plain("Bad request: JSON nested too deeply.", 400)
        return None

    if settings.register:
        install_private_answers(app, settings, register_outputs)

    @server.errorhandler(HTTPException)
    def plain_http_error(exc: HTTPException) -> Response:
        return _plain(f"{exc.code} {exc.name}.", exc.code or 500)

    @server.errorhandler(Exception)
    def plain_error(exc: Exception) -> Response:
        if request.path == update_path and dispatch_refused(exc):
            server.logger.warning("callback request refused by Dash's dispatch: %r", exc)
            return _plain("Bad request: the request does not fit the callback.", 400)
        server.logger.exception("unhandled error")  # the trace goes to the log, never to the user
        return _plain("Something went wrong on our side. Please reload the page.", 500)


def dispatch_refused(exc: BaseException) -> bool:
    """Whether Dash's own dispatch raised `exc` on a request it could not use, rather than a callback of
    ours failing: one of DISPATCH_ERRORS, with every frame on its traceback in Dash, Flask or Werkzeug."""
    if not isinstance(exc, DISPATCH_ERRORS):
        return False
    frame = exc.__traceback__
    while frame is not None:
        if not frame.tb_frame.f_code.co_filename.startswith(DISPATCH_CODE):
            return False
        frame = frame.tb_next
    return True


def install_private_answers(app: Dash, settings: Settings, register_outputs: Collection[str]) -> None:
    """With the register on, some answers are one user's own: their page (with their register section) and
    every register callback's answer (their submissions, the review queue, a refusal). Those are marked
    `private, no-store`, so no proxy or shared cache gives them to someone else and no browser keeps them
    on disk. The anonymous page is shared, but only among anonymous visitors: it varies by the user header.
    """
    server = app.server
    layout_path = f"{settings.routes_prefix}_dash-layout"
    update_path = f"{settings.routes_prefix}_dash-update-component"

    @server.after_request
    def keep_personal_answers_private(response: Response) -> Response:
        if request.path == update_path and request.method == "POST":
            try:
                personal = is_register_callback(request.get_json(silent=True), register_outputs)
            except HTTPException:  # a body refused as too large: whosever it was, its refusal is kept private
                personal = True
            if personal or current_user(request, settings) is not None:
                response.headers["Cache-Control"] = PRIVATE
        elif request.path == layout_path:
            if current_user(request, settings) is not None:
                response.headers["Cache-Control"] = PRIVATE
            elif settings.user_header:
                response.vary.add(settings.user_header)
        return response
