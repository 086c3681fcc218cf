"""Where the app leans on how Dash and plotly work inside, these tests say so and fail, with what to re-check,
when an upgrade changes it. Each coupling is named in its module's docstring; the behaviour itself is tested
where the feature is (test_page_cache.py, test_first_view.py, test_http_security.py, the browser tier).

Run them after any change to the dash, dash-core-components or plotly pins."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from components.app_factory import create_app
from components.ids import Ids
from components.page_cache import LAYOUT_ROUTE, VIEW_COOKIE, serialize_layout
from settings import Settings
from tests.register_requests import paper
from tests.unit.test_register_security import components_in

REPO = Path(__file__).resolve().parents[2]
DASH = Path(__import__("dash").__file__).parent
LINK = "?force=E23000021&themes=mental-health"


def recheck(what: str, dash_version: str | None = None) -> str:
    return (
        f"dash {dash_version or version('dash')}, plotly {version('plotly')}: {what}. Re-check before "
        "upgrading, then update this test."
    )


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(url_prefix="/collab/"), paper())


def props_by_id(layout: dict) -> dict[str, dict]:
    return {c["props"]["id"]: c["props"] for c in components_in(layout) if isinstance(c["props"].get("id"), str)}


# The page: components/page_cache.py and assets/view-cookie.js


def test_dash001_the_page_named_by_its_cookie_opens_on_its_view_whatever_the_referer_says(app):
    client = app.server.test_client()
    client.set_cookie(VIEW_COOKIE, "%3Fforce%3DE23000021%26themes%3Dmental-health", path=f"/collab/{LAYOUT_ROUTE}")
    response = client.get(
        f"/collab/{LAYOUT_ROUTE}", headers={"Accept-Encoding": "identity", "Referer": "http://intranet.example/collab/"}
    )
    props = props_by_id(response.get_json())
    assert props[Ids.RESULTS]["data-force"] == "E23000021" and props[Ids.THEMES]["value"] == ["mental-health"]
    assert {"Cookie", "Referer", "Accept-Encoding"} <= set(response.headers["Vary"].replace(" ", "").split(","))
    # An empty cookie is the page's own "no query": England, even if a Referer names a force.
    client.set_cookie(VIEW_COOKIE, "", path=f"/collab/{LAYOUT_ROUTE}")
    england = client.get(f"/collab/{LAYOUT_ROUTE}", headers={"Referer": f"http://intranet.example/collab/{LINK}"})
    assert props_by_id(england.get_json())[Ids.RESULTS]["data-force"] == ""


def test_dash002_the_page_names_the_layout_path_its_cookie_is_scoped_to(app):
    page = app.server.test_client().get("/collab/").get_data(as_text=True)
    assert f'name="pph-layout-path" content="/collab/{LAYOUT_ROUTE}"' in page
    script = (REPO / "assets" / "view-cookie.js").read_text()
    assert f"'{VIEW_COOKIE}='" in script and "pph-layout-path" in script


def test_dash003_the_cached_page_is_byte_for_byte_what_dashs_own_layout_view_sends(app):
    """The shared page is served ahead of Dash's `_dash-layout` view (a before_request handler), from
    `app.get_layout()` through plotly's `to_json_plotly`. Dash's view must still send exactly that."""
    with app.server.test_request_context(f"/collab/{LAYOUT_ROUTE}"):
        ours = serialize_layout(app)
        dash_sends = app.serve_layout().get_data(as_text=True)
    assert json.loads(ours) == json.loads(dash_sends), recheck(
        "Dash's _dash-layout view no longer sends app.get_layout() through plotly's to_json_plotly; "
        "components/page_cache.py serves its cached page in its place"
    )


def test_dash004_dash_still_serves_the_layout_at_the_path_the_cache_answers_and_the_renderer_asks(app):
    rules = {rule.rule for rule in app.server.url_map.iter_rules()}
    assert f"/collab/{LAYOUT_ROUTE}" in rules, recheck(
        f"Dash no longer serves the layout at <prefix>{LAYOUT_ROUTE}; components/page_cache.py answers there"
    )
    renderer = (DASH / "dash-renderer" / "build" / "dash_renderer.min.js").read_text()
    assert f'"{LAYOUT_ROUTE}","GET"' in renderer, recheck(
        "Dash's renderer may fetch its layout otherwise; assets/view-cookie.js scopes its cookie to "
        f"<prefix>{LAYOUT_ROUTE} and components/page_cache.py reads it there"
    )


# The callback guard: components/security.py leaves the wire format to Dash and maps its dispatch errors


def guarded_app():
    """A small app behind the same guard, with a callback of ours that fails as a bug does."""
    from dash import Dash, Input, Output, html

    from components.security import install_security

    small = Dash(__name__)
    small.layout = html.Div([html.Button(id="go"), html.Div(id="a"), html.Div(id="b")])

    @small.callback(Output("a", "children"), Output("b", "children"), Input("go", "n_clicks"))
    def two(clicks):
        return {}["missing"] if clicks == 13 else (str(clicks), str(clicks))

    install_security(small, Settings())
    return small


def two_outputs_request(app, clicks: int = 1, outputs=None) -> dict:
    key = next(iter(app.callback_map))
    return {
        "output": key,
        "inputs": [{"id": "go", "property": "n_clicks", "value": clicks}],
        "outputs": outputs
        if outputs is not None
        else [{"id": "a", "property": "children"}, {"id": "b", "property": "children"}],
        "changedPropIds": ["go.n_clicks"],
    }


@pytest.mark.parametrize(
    "outputs",
    [
        "x",
        [],
        [{"id": "a", "property": "children"}],
        {"id": "a", "property": "children"},
        [{"id": "a", "property": "children"}] * 3,
        ["x", "y"],
    ],
    ids=["text", "none", "one-of-two", "single", "three-of-two", "not-dependencies"],
)
def test_dash005_dashs_own_dispatch_refuses_outputs_that_do_not_fit_and_the_guard_answers_400(outputs):
    app = guarded_app()
    client = app.server.test_client()
    assert client.post("/_dash-update-component", json=two_outputs_request(app)).status_code == 200
    refused = client.post("/_dash-update-component", json=two_outputs_request(app, outputs=outputs))
    assert refused.status_code == 400, recheck(
        f"Dash's dispatch no longer raises one of components.security.DISPATCH_ERRORS for outputs {outputs!r} "
        f"(answer {refused.status_code}: {refused.get_data(as_text=True)[:200]}); components/security.py relies "
        "on it to answer a request that does not fit its callback with a 400"
    )


def test_dash006_a_bug_in_a_callback_of_ours_stays_a_500_whatever_its_error():
    app = guarded_app()
    answer = app.server.test_client().post("/_dash-update-component", json=two_outputs_request(app, clicks=13))
    assert answer.status_code == 500 and b"Traceback" not in answer.data


# plotly.js: no chart on the page is drawn by it, so nothing leans on Dash's private _dashPlotlyJSURL


def test_dash007_no_dcc_graph_anywhere_so_dash_never_fetches_its_own_plotly_bundle():
    """A dcc.Graph would make Dash's renderer fetch plotly.js from its private `_dashPlotlyJSURL` (the full
    4.6 MB bundle). The charts are HTML lists; plotly.js is loaded by assets/plotly-on-demand.js, only to save
    images, with a script tag of the app's own bundle."""
    sources = {path: path.read_text() for folder in ("components", "domain") for path in (REPO / folder).glob("*.py")}
    assert [str(path.relative_to(REPO)) for path, text in sources.items() if "Graph(" in text] == []
    for script in (REPO / "assets").glob("*.js"):
        assert "_dashPlotlyJSURL" not in script.read_text(), script


def test_dash008_dash_serializes_callback_answers_with_plotlys_default_engine(monkeypatch, app):
    """components/app_factory.use_json_engine sets plotly's default JSON engine for the process: the one
    setting Dash's callback answers go through. If Dash names an engine of its own, or stops using plotly's
    encoder, that setting no longer does anything."""
    import plotly.io as plotly_io
    import plotly.io.json as plotly_json

    assert plotly_io.json.config.default_engine == "json"
    calls: list[dict] = []
    real = plotly_json.to_json_plotly

    def spy(value, *args, **kwargs):
        calls.append({"args": args, **kwargs})
        return real(value, *args, **kwargs)

    monkeypatch.setattr(plotly_json, "to_json_plotly", spy)
    small = guarded_app()
    answered = small.server.test_client().post("/_dash-update-component", json=two_outputs_request(small))
    assert answered.status_code == 200
    assert calls and all(not c["args"] and c.get("engine") is None for c in calls), recheck(
        f"Dash's callback answers no longer go through plotly's to_json_plotly with its default engine ({calls}); "
        "re-check use_json_engine in components/app_factory.py and re-measure with benchmarks/perf_benchmark.py"
    )


# assets/a11y-fixes.js repairs dcc.Dropdown's markup as Dash 4.4 renders it

A11Y_CHECKED_WITH = "4.4.1"  # the dash release whose dropdown markup assets/a11y-fixes.js was checked against
DROPDOWN_MARKUP = (
    'className:"dash-dropdown-wrapper"',
    'className:"dash-dropdown-focus-target"',
    '"aria-hidden":"true"',
    'className:"dash-dropdown "',
    '"aria-labelledby"',
    'className:"dash-dropdown-clear"',
    'className:"dash-dropdown-content"',  # the open list, whose search box a typed letter is sent to
    'className:"dash-dropdown-search"',
    '"Home"',  # the list's own key back to its search box, which a11y-fixes.js presses for the reader
)
OPTION_MARKUP = "dash-options-list-option-checkbox"  # the option that takes the focus as a chosen list opens
# The open list's roles that a11y-fixes.js takes away (a label "option" around a focusable checkbox, in a "listbox").
LIST_ROLES = ('role:"option","aria-selected"', 'role:"listbox"')


def test_dash009_the_dropdown_markup_a11y_fixes_repairs_is_the_installed_dashs():
    bundle = (DASH / "dcc" / "async-dropdown.js").read_text()
    missing = [part for part in DROPDOWN_MARKUP if part not in bundle]
    assert not missing, recheck(f"dcc.Dropdown's markup changed ({missing} gone): re-check assets/a11y-fixes.js")
    options = (DASH / "dcc" / "dash_core_components.js").read_text()
    assert OPTION_MARKUP in options, recheck(
        f"dcc.Dropdown's options are no longer {OPTION_MARKUP}: re-check the search repair in assets/a11y-fixes.js "
        "(does typing with a value chosen still narrow the list?)"
    )
    gone = [part for part in LIST_ROLES if part not in options]
    assert not gone, recheck(
        f"dcc.Dropdown's open list no longer has {gone}: re-check the list repair in assets/a11y-fixes.js (run axe "
        "with each dropdown open: tests/browser/test_ease.py::test_ease019)"
    )
    assert version("dash") == A11Y_CHECKED_WITH, recheck(
        f"dash is no longer {A11Y_CHECKED_WITH}: re-check assets/a11y-fixes.js against the new dcc.Dropdown "
        "(does it still focus an aria-hidden helper, name its button by aria-labelledby, leave typed letters on "
        "the chosen option rather than in the search box?), run the browser tier's "
        "axe tests without the script, then set A11Y_CHECKED_WITH"
    )
    script = (REPO / "assets" / "a11y-fixes.js").read_text()
    assert "document.documentElement, { childList: true, subtree: true }" in script  # no page-wide attribute watch
    assert script.count("attributes: true") == 1  # one per dropdown wrapper
