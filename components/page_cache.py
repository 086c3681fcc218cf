"""HTTP: the page (Dash's `/_dash-layout`), built, serialized and compressed once per snapshot version
and view.

The page is built for the view its address asks for (a force, filters, a tab). Dash's renderer asks for
the layout with a plain `fetch` of `_dash-layout`, which carries neither the page's address nor its query.
So the page's own script (assets/view-cookie.js), which runs before the renderer, writes the query into a
short-lived cookie scoped to the layout's path, `pph_view`: the layout request, and only it, carries it.
Where no cookie comes (cookies off, or a cross-site iframe, whose requests carry no SameSite cookie), the
Referer header, which names the page's address, is read instead. A page that opens showing its view needs
no callback to redraw the profile, the map or the filters after load: on a link to a force, that second
drawing was most of the time the browser was busy. With neither, the page is England's and the callbacks
fill in the view.

Every visitor who is not signed in to the register sees the same page for a given snapshot and view, so
its JSON (~150 KB, ~4-8 ms of worker CPU to serialize) and its gzip are made at most once per
publication and view, and then served from memory by a Flask `before_request` handler of the layout's
path, ahead of Dash's own view. The JSON is what Dash would send (`app.get_layout()` through plotly's
public `to_json_plotly`; tests/unit/test_dash_couplings.py fails if Dash ever serializes it otherwise).
A signed-in contributor or reviewer also gets the register's section, which differs by user: that page is
left to Dash's own view, which calls the layout function (`LayoutCache.__call__`) per request.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from dash import Dash, html
from flask import Response, has_request_context, request
from plotly.io.json import to_json_plotly

from components import freshness, register, shell
from components.identity import current_user
from components.memo import BoundedMemo
from domain.register import User
from domain.source import SnapshotProvider, Snapshot
from domain.state import DEFAULT_STATE, ViewState, state_from_query
from services.live_source import RegisterSource
from settings import Settings

# Pages kept built and encoded per worker: the default view and the most visited links.
PAGES_KEPT = 64
# The page's query, written by assets/view-cookie.js for the layout request that follows (its path only).
VIEW_COOKIE = "pph_view"
LAYOUT_ROUTE = "_dash-layout"


@dataclass(frozen=True)
class EncodedPage:
    # Kept under page_key, which names the snapshot version and view it is of.
    body: bytes
    gzipped: bytes


def page_key(snapshot: Snapshot, state: ViewState) -> str:
    return snapshot.version + state.to_query()


class LayoutCache:
    """The page for the current snapshot and the view asked for, built once per snapshot version and view
    rather than per visit, plus the register's section for the user asking, when the register is on."""

    def __init__(self, source: SnapshotProvider, url_prefix: str, settings: Settings | None = None):
        self._source = source
        self._url_prefix = url_prefix
        self._settings = settings
        self._pages = BoundedMemo[html.Div](PAGES_KEPT)
        self._encoded = BoundedMemo[EncodedPage](PAGES_KEPT)

    def page(self, snapshot: Snapshot, state: ViewState = DEFAULT_STATE) -> html.Div:
        if state.notices:
            # Built for this visit only: a notice quotes what the link held, and kept pages must stay the few
            # views people share.
            return self._build(snapshot, state)
        return self._pages.get(page_key(snapshot, state), lambda: self._build(snapshot, state))

    def _build(self, snapshot: Snapshot, state: ViewState) -> html.Div:
        page = shell.build_layout(snapshot, self._url_prefix, state)
        if not snapshot.register_on:
            return page
        # Register mode: above the page's content, whether the register is reachable and, later, whether
        # it has moved on since this page was built (components/freshness.py).
        unreachable = isinstance(self._source, RegisterSource) and self._source.register_unreachable(snapshot)
        poll_seconds = self._settings.register_poll_seconds if self._settings is not None else 2
        main = next(i for i, child in enumerate(page.children) if isinstance(child, html.Main))
        page.children = [
            *page.children[:main],
            freshness.layout(snapshot, unreachable, poll_seconds),
            *page.children[main:],
        ]
        return page

    def requested_state(self, snapshot: Snapshot) -> ViewState:
        """The view the page's address asks for: from the `pph_view` cookie its script set for this layout
        request, else from the request's Referer. The default view when there is neither, and when it holds
        a search: free text would make every address a page of its own to build (about 80 ms each) and would
        push the common views out of the cache. An address that needs a notice (an unknown force, British
        Transport Police) gets what could be honoured and the notice at once: left to the callbacks, a force
        link's profile stayed hidden while it waited (clientside.js)."""
        query = page_query()
        if not query:
            return DEFAULT_STATE
        state = state_from_query(f"?{query}", snapshot.dataset)
        return DEFAULT_STATE if state.search else state

    def user_with_own_page(self) -> User | None:
        """The signed-in register user asking, whose page holds their register section; None for everyone
        who gets the shared page."""
        if self._settings is None or not self._settings.register or not has_request_context():
            return None
        return current_user(request, self._settings)

    def __call__(self) -> html.Div:
        snapshot = self._source.current()
        state = self.requested_state(snapshot)
        page = self.page(snapshot, state)
        # The embedded widget is read-only: no register section, whose drafts need the browser's storage, which
        # a browser refuses to a frame on another site (the whole frame stayed blank).
        user = None if state.embed else self.user_with_own_page()
        section = register.layout(snapshot, user) if user is not None else None
        if user is None or section is None:
            return page
        # A new root around the shared children: the cached page itself is never changed.
        class_name, root_id = page.className, page.id  # type: ignore[attr-defined]  # props: set by Dash at run time
        return html.Div(register.with_section(page.children, user, section), className=class_name, id=root_id)

    def encoded(self, snapshot: Snapshot, state: ViewState, serialize) -> EncodedPage:
        """The shared page of `snapshot` and `state` as JSON and gzip; `serialize` makes the JSON (Dash's
        own layout hooks and extra components included)."""

        def encode() -> EncodedPage:
            body = serialize().encode()
            return EncodedPage(body, gzip.compress(body, compresslevel=6, mtime=0))

        return encode() if state.notices else self._encoded.get(page_key(snapshot, state), encode)


def page_query() -> str:
    """The query of the page asking for its layout (without the "?"): the `pph_view` cookie, or the
    Referer's query; "" outside a request or when neither names one."""
    if not has_request_context():
        return ""
    cookie = request.cookies.get(VIEW_COOKIE)
    if cookie is not None:
        return unquote(cookie).lstrip("?")
    return urlsplit(request.referrer).query if request.referrer else ""


def serialize_layout(app: Dash) -> str:
    """The page as Dash's `_dash-layout` sends it: the layout with Dash's hooks applied, through plotly's
    JSON encoder (the json engine, named here rather than switched on for the whole process)."""
    return to_json_plotly(app.get_layout(), engine="json")


def install_layout_route(app: Dash, layout: LayoutCache, source: SnapshotProvider, settings: Settings) -> None:
    """Answer `_dash-layout` from `layout`'s encoded page whenever the visitor has no register section; a
    visitor with one is left to Dash's own view."""
    layout_path = f"{settings.routes_prefix}{LAYOUT_ROUTE}"

    @app.server.before_request
    def serve_shared_layout() -> Response | None:
        if request.path != layout_path or request.method != "GET" or layout.user_with_own_page() is not None:
            return None
        snapshot = source.current()
        encoded = layout.encoded(snapshot, layout.requested_state(snapshot), lambda: serialize_layout(app))
        if "gzip" in request.accept_encodings:
            response = Response(encoded.gzipped, mimetype="application/json")
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = Response(encoded.body, mimetype="application/json")
        response.vary.add("Accept-Encoding")
        # The page differs by the address it is for: no shared cache may give one view's page for another.
        response.vary.add("Cookie")
        response.vary.add("Referer")
        return response
