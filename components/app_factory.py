"""UI layer: `create_app(settings, data=None)` builds the Dash app the same way for tests,
`python app.py` and gunicorn."""

from __future__ import annotations

import logging

import plotly.io as plotly_io

from dash import Dash
from flask import Response, abort, request

from components import (
    cite_view,
    compare_view,
    freshness,
    map_panel,
    matrix_view,
    national_view,
    orientation,
    overview_view,
    profile,
    register,
    shell,
)
from components.page_cache import LAYOUT_ROUTE, LayoutCache, install_layout_route
from components.write_guard import install_write_guard
from components.security import install_security
from components.static_compression import content_digest, hashed_file_response, install_precompressed_static
from domain import feed
from domain.loading import Dataset, load_dataset
from domain.source import SnapshotProvider, Snapshot, StaticSource, snapshot_of
from domain.state import ViewState
from services.live_source import RegisterSource
from services.register import RegisterService
from settings import REPO_ROOT, Settings
from storage.database import connect, migrate, shown_url
from storage.errors import RegisterUnavailable
from sqlalchemy.exc import ArgumentError

log = logging.getLogger(__name__)

# plotly.js without its map and 3-D traces (npm plotly.js-basic-dist-min: scatter, bar, pie; the charts use
# scatter). It draws no chart on the page (those are HTML lists): "Save these charts as images" loads it
# (assets/plotly-on-demand.js) from the URL in the page's meta tag. Its URL carries the digest of its bytes
# (no version typed here: scripts/fetch_frontend.sh alone says which release is installed).
PLOTLY_BUNDLE = "plotly-basic.min.js"
PLOTLY_BUNDLE_META = "pph-plotly-bundle"


def plotly_bundle_path(url_prefix: str, digest: str) -> str:
    return f"{url_prefix}vendor/plotly-basic.{digest}.min.js"


# Dash's page template with the document's language declared, for screen readers.
INDEX_HTML = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def use_json_engine() -> None:
    """Dash serializes every callback answer through plotly's JSON encoder with plotly's default engine, so
    only that process-wide setting reaches it. Our answers are component trees with small figures; the orjson
    engine walks them in Python first and was ~1.5x slower than json. The page itself names its engine
    (components/page_cache.py). tests/unit/test_dash_couplings.py fails if Dash stops using the default."""
    plotly_io.json.config.default_engine = "json"


class StartupError(RuntimeError):
    """The app cannot start; the message says why and what to do."""


def _check_frontend_files(settings: Settings) -> None:
    for path, package in ((settings.plotly_dir / PLOTLY_BUNDLE, "plotly.js-basic-dist-min"),):
        if not path.is_file():
            raise StartupError(
                f"{path} is missing: run scripts/setup.sh (it installs the npm package {package} into vendor/)"
            )


def _warm_up(snapshot: Snapshot, url_prefix: str) -> None:
    """Build a force's profile once so lazily imported modules load at start-up (with preload_app,
    in the gunicorn master), not in the first user's request (that cost ~0.8 s)."""
    dataset = snapshot.dataset
    first = dataset.initiatives[0].force_ids[0] if dataset.initiatives and dataset.initiatives[0].force_ids else None
    profile.profile_content(dataset, snapshot.join, ViewState(force=first), url_prefix, "")


def _register_source(settings: Settings, dataset: Dataset) -> tuple[RegisterSource, RegisterService]:
    """The register's database, migrated to the latest schema, and the live source reading it."""
    try:
        engine = connect(settings.database_url)
    except (RegisterUnavailable, ValueError, ArgumentError) as exc:
        raise StartupError(
            f"the register's database at {shown_url(settings.database_url)} cannot be used: {exc}. "
            "Check PPH_DATABASE_URL, or leave PPH_REGISTER unset for the read-only dashboard."
        ) from None
    try:
        migrate(engine)
        migrated = True
    except RegisterUnavailable as exc:
        # The dashboard does not go down with the database: it serves the paper's data, says so on the page,
        # and joins the register when a request finds the database back (services/live_source.py).
        log.warning(
            "the register's database at %s cannot be reached (%s): serving the paper's data only until it returns",
            shown_url(settings.database_url),
            exc,
        )
        migrated = False
    if settings.dev_user:
        log.warning(
            "PPH_DEV_USER is set: every visitor is treated as %r. For a laptop trial only; behind an "
            "intranet proxy use PPH_USER_HEADER instead.",
            settings.dev_user,
        )
    service = RegisterService(
        engine, settings.organisation, settings.submissions_per_hour, review_own=settings.review_own
    )
    return RegisterSource(dataset, engine, settings.register_poll_seconds, migrated=migrated), service


def create_app(settings: Settings, data: Dataset | None = None, source: SnapshotProvider | None = None) -> Dash:
    """The dashboard, from the curated files (or `data`), or from a live `source`. With PPH_REGISTER=1
    the source is the paper plus the register's published records."""
    service: RegisterService | None = None
    if source is None:
        source, service = _source_of(settings, data)
    snapshot = source.current()
    dataset = snapshot.dataset
    _check_frontend_files(settings)
    # Read once: the digests in the page's URLs are those of the bytes this process serves, even if
    # vendor/ is reinstalled while it runs.
    plotly_bytes = (settings.plotly_dir / PLOTLY_BUNDLE).read_bytes()
    plotly_digest = content_digest(plotly_bytes)
    use_json_engine()

    app = _dash_app(settings, plotly_digest)
    prefix = settings.url_prefix
    # A function, so a page loaded after a publication shows it; built once per snapshot version.
    # Where tests and operators' tools find the live source (e.g. to refresh it at once).
    app.server.extensions["pph.source"] = source
    layout = LayoutCache(source, prefix, settings)
    app.layout = layout
    install_layout_route(app, layout, source, settings)
    register_outputs = _register_features(app, source, snapshot, service, settings)
    install_security(app, settings, register_outputs)
    if service is not None:
        install_write_guard(app, settings, register_outputs)
    _warm_up(snapshot, prefix)
    assert dataset.boundaries is not None  # _source_of refuses a dataset without; a source passed in must have them
    _add_file_routes(app, settings, dataset.boundaries.geojson_bytes, plotly_bytes, plotly_digest)
    _add_feed_route(app, source, settings)
    return app


def _source_of(settings: Settings, data: Dataset | None) -> tuple[SnapshotProvider, RegisterService | None]:
    """The paper's data (the curated files, or `data`), joined by the register's records when PPH_REGISTER is on;
    and the register's service, which only then exists."""
    dataset = data if data is not None else load_dataset(settings.data_dir)
    if dataset.boundaries is None:
        raise StartupError("the dataset has no boundaries loaded")
    if settings.register:
        return _register_source(settings, dataset)
    return StaticSource(snapshot_of(dataset)), None


def _dash_app(settings: Settings, plotly_digest: str) -> Dash:
    """The Dash app itself, with no layout or callbacks yet."""
    app = Dash(
        __name__,
        title="Police and public health collaboration",
        assets_folder=str(REPO_ROOT / "assets"),
        requests_pathname_prefix=settings.url_prefix,
        routes_pathname_prefix=settings.routes_prefix,
        serve_locally=True,
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (no "Updating..." title); typed as str
        compress=True,
        # The page is served by a function (and, with the register on, differs by user). Dash would otherwise
        # copy the whole layout into every page load (89 KB) so the renderer can check callbacks against it;
        # tests/unit/test_view.py checks every callback's ids against the layout instead.
        suppress_callback_exceptions=True,
        meta_tags=[
            {"name": PLOTLY_BUNDLE_META, "content": plotly_bundle_path(settings.url_prefix, plotly_digest)},
            # Where the page's layout is fetched from: assets/view-cookie.js scopes its cookie to it.
            {"name": "pph-layout-path", "content": f"{settings.url_prefix}{LAYOUT_ROUTE}"},
            {
                "name": "description",
                "content": "Where police and public health work together across England: "
                "a map of the initiatives, themes and outcome figures in Public Health England's 2016 paper"
                + (" and in this dashboard's reviewed register." if settings.register else "."),
            },
        ],
    )
    # Dev tools stay off whatever DASH_DEBUG says; their version check would call the internet.
    app.enable_dev_tools(
        debug=False,
        dev_tools_ui=False,
        dev_tools_props_check=False,
        dev_tools_disable_version_check=True,
        dev_tools_hot_reload=False,
    )
    app.index_string = INDEX_HTML
    return app


def _register_features(
    app: Dash, source: SnapshotProvider, snapshot: Snapshot, service: RegisterService | None, settings: Settings
) -> frozenset[str]:
    """One registration per feature: each module holds its layout and its callbacks side by side. Returns the
    register's callbacks (empty without the register), which the write guard protects."""
    prefix = settings.url_prefix
    shell.register(app, source, prefix)
    map_panel.register(app, source, prefix)
    profile.register(app, source, prefix)
    overview_view.register(app, source)
    national_view.register(app, source, prefix)
    compare_view.register(app, source, prefix)
    matrix_view.register(app, source, prefix)
    cite_view.register(app, source, prefix)
    orientation.register(app)
    if snapshot.register_on:
        freshness.register(app, source, prefix)
    if service is not None:
        return register.register(app, source, service, settings)
    return frozenset()


def _add_feed_route(app: Dash, source: SnapshotProvider, settings: Settings) -> None:
    """`<prefix>feed.atom`: "Recently added or corrected" as Atom 1.0, for an intranet page to show; built from
    the current snapshot, as the page is."""

    @app.server.route(f"{settings.routes_prefix}{orientation.FEED_PATH}")
    def atom_feed() -> Response:
        snapshot = source.current()
        base_url = request.host_url.rstrip("/") + settings.url_prefix
        body = feed.atom_feed(
            snapshot.dataset, snapshot.changes, snapshot.register_on, base_url, f"{base_url}{orientation.FEED_PATH}"
        )
        response = Response(body, mimetype="application/atom+xml")
        response.headers["Cache-Control"] = "no-cache"
        return response


def _add_file_routes(
    app: Dash, settings: Settings, geojson_bytes: bytes, plotly_bytes: bytes, plotly_digest: str
) -> None:
    """The server's own routes beside Dash's: the boundaries, the plotly.js bundle, health, robots.txt, and a
    404 for any other file URL; static files served pre-compressed."""
    geojson_digest = content_digest(geojson_bytes)
    server = app.server
    routes = settings.routes_prefix
    # The plotly.js bundle is at a URL named by its content's digest (components/static_compression.py),
    # cached for a year; the page names it in a meta tag.

    @server.route(f"{routes}geo/police_force_areas.geojson")
    def force_geojson() -> Response:
        # The boundaries the map is drawn from, for scripts and GIS users; the page itself gets them projected,
        # in its layout. Revalidated on every use (ETag), so it cannot serve an old geometry from a cache.
        response = Response(geojson_bytes, mimetype="application/json")
        response.set_etag(geojson_digest)
        response.headers["Cache-Control"] = "no-cache"
        response.make_conditional(request)  # in place, as in static_compression.hashed_file_response
        return response

    @server.route(plotly_bundle_path(routes, "<digest>"))
    def plotly_bundle(digest: str) -> Response:
        return hashed_file_response(plotly_bytes, plotly_digest, digest, "text/javascript")

    @server.route(f"{routes}vendor/<path:_other>")
    @server.route(f"{routes}geo/<path:_other>")
    def other_static(_other: str) -> Response:
        # Dash answers any other path with the page (its client-side router); a stale or mistyped file URL
        # gets a 404 instead, never HTML a browser would try to run as the script it asked for.
        abort(404)

    @server.route(f"{routes}healthz")
    def health() -> Response:
        return Response("ok\n", mimetype="text/plain")

    @server.route(f"{routes}robots.txt")
    def robots() -> Response:
        # A valid answer rather than the 404 page, which crawlers and audits read as a broken file.
        return Response("User-agent: *\nAllow: /\n", mimetype="text/plain")

    install_precompressed_static(
        server, (f"{routes}_dash-component-suites/", f"{routes}assets/", f"{routes}vendor/", f"{routes}geo/")
    )
