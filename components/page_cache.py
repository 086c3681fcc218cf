"""HTTP: the page (Dash's `/_dash-layout`), built, serialized and compressed once per snapshot version.

Every visitor who is not signed in to the register sees the same page for a given snapshot, so its JSON
(48 KB, ~4-8 ms of worker CPU to serialize) and its gzip are made at most once per publication and then
served from memory. A signed-in contributor or reviewer also gets the register's section, which differs
by user: that page is built and serialized per request, as Dash would.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass

from dash import Dash, html
from dash._utils import to_json
from flask import Response, has_request_context, request

from components import register_view, shell
from components.identity import current_user
from domain.register import User
from domain.source import DataSource, Snapshot
from settings import Settings


@dataclass(frozen=True)
class EncodedPage:
    version: str
    body: bytes
    gzipped: bytes


class LayoutCache:
    """The page for the current snapshot, built once per snapshot version rather than per visit, plus
    the register's section for the user asking, when the register is on."""

    def __init__(self, source: DataSource, url_prefix: str, base_map_url: str, settings: Settings | None = None):
        self._source = source
        self._url_prefix = url_prefix
        self._base_map_url = base_map_url
        self._settings = settings
        self._built: tuple[str, html.Div] | None = None
        self._encoded: EncodedPage | None = None
        # Only one request serializes a new version; the others wait for it rather than repeat the work.
        self._encode_lock = threading.Lock()

    def page(self, snapshot: Snapshot) -> html.Div:
        built = self._built
        if built is None or built[0] != snapshot.version:
            # Two requests racing here both build the same page; either result is right.
            built = (snapshot.version, shell.build_layout(snapshot, self._url_prefix, self._base_map_url))
            self._built = built
        return built[1]

    def user_with_own_page(self) -> User | None:
        """The signed-in register user asking, whose page holds their register section; None for everyone
        who gets the shared page."""
        if self._settings is None or not self._settings.register or not has_request_context():
            return None
        return current_user(request, self._settings)

    def __call__(self) -> html.Div:
        snapshot = self._source.current()
        page = self.page(snapshot)
        user = self.user_with_own_page()
        section = register_view.layout(snapshot, user) if user is not None else None
        if section is None:
            return page
        # A new root around the shared children: the cached page itself is never changed.
        return html.Div([*page.children, section], className=page.className, id=page.id)

    def encoded(self, snapshot: Snapshot, serialize) -> EncodedPage:
        """The shared page of `snapshot` as JSON and gzip; `serialize` makes the JSON (Dash's own
        layout hooks and extra components included)."""
        encoded = self._encoded
        if encoded is not None and encoded.version == snapshot.version:
            return encoded
        with self._encode_lock:
            encoded = self._encoded
            if encoded is None or encoded.version != snapshot.version:
                body = serialize().encode()
                encoded = EncodedPage(snapshot.version, body, gzip.compress(body, compresslevel=6, mtime=0))
                self._encoded = encoded
        return encoded


def install_layout_route(app: Dash, layout: LayoutCache, source: DataSource, settings: Settings) -> None:
    """Serve `/_dash-layout` from `layout`'s encoded page whenever the visitor has no register section."""
    endpoint = f"{settings.routes_prefix}_dash-layout"
    dash_serve_layout = app.server.view_functions[endpoint]

    def serve_layout() -> Response:
        if layout.user_with_own_page() is not None:
            return dash_serve_layout()
        snapshot = source.current()
        encoded = layout.encoded(snapshot, lambda: to_json(app.get_layout()))
        if "gzip" in request.accept_encodings:
            response = Response(encoded.gzipped, mimetype="application/json")
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = Response(encoded.body, mimetype="application/json")
        response.vary.add("Accept-Encoding")
        return response

    app.server.view_functions[endpoint] = serve_layout
