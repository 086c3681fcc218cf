"""What reaches the app from outside, in the browser tier: hostile text drawn in a chart by the app's own
plotly.js bundle and in the map by its own script, and mutated callback requests replayed against the
live server.

The callback fuzz records every request a real browser session sends to `_dash-update-component`
(every server-side callback of the app, reads included), then posts mutations of them: a request the
page could never send must get a 4xx, never a 500. Mutations are drawn by hypothesis, derandomized,
so a run in CI sends the same ~1,000 requests every time.
"""

from __future__ import annotations

import copy
import json
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.aggregation import force_counts
from domain.chart_text import plain_text
from domain.force_map import map_colours, map_shapes
from domain.joining import join_initiatives
from domain.state import VIEWS
from tests.conftest import REPO, choose_option, click_force, open_watched_page, ready, wait_until
from tests.unit.test_chart_text import HOSTILE, hostile_dataset, hostile_figures
from tests import dataset_facts as facts

pytestmark = pytest.mark.browser
TIMEOUT = 20

# --- hostile text in a chart -------------------------------------------------------------------

CHART_ORIGIN = "http://charts.test"
CHART_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>chart</title>
<link rel="stylesheet" href="/style.css"><script src="/plotly.js"></script><script src="/force-map.js"></script></head>
<body><div id="chart" style="width:900px;height:700px"></div>
<div id="force-map" class="map" style="width:700px"></div></body></html>"""


def chart_page(browser, files: dict[str, tuple[bytes, str]] | None = None):
    """A page on its own origin that loads the app's plotly.js bundle (vendor/plotly), its map script and
    stylesheet (assets/), and nothing else."""
    watched = open_watched_page(browser, CHART_ORIGIN)
    served = {
        "/": (CHART_PAGE.encode(), "text/html"),
        "/plotly.js": ((REPO / "vendor" / "plotly" / "plotly-basic.min.js").read_bytes(), "text/javascript"),
        "/force-map.js": ((REPO / "assets" / "force-map.js").read_bytes(), "text/javascript"),
        "/style.css": ((REPO / "assets" / "style.css").read_bytes(), "text/css"),
        **(files or {}),
    }

    def serve(route):
        path = "/" + route.request.url.removeprefix(CHART_ORIGIN).lstrip("/").split("?")[0]
        body, content_type = served.get(path, (b"", "text/plain"))
        route.fulfill(status=200 if path in served else 404, body=body, content_type=content_type)

    watched.page.route(f"{CHART_ORIGIN}/**", serve)  # registered last, so it answers before the watcher
    watched.page.goto(f"{CHART_ORIGIN}/")
    return watched


def draw(page, figure: dict) -> None:
    page.evaluate(
        """async (figure) => { const gd = document.getElementById('chart'); Plotly.purge(gd);
        await Plotly.newPlot(gd, figure.data, figure.layout, {displayModeBar: false}); }""",
        figure,
    )


def drawn(page) -> dict:
    """The chart's SVG as drawn: every text element's text, and the elements data markup would make."""
    return page.evaluate("""() => { const gd = document.getElementById('chart');
        return {texts: Array.from(gd.querySelectorAll('svg text')).map(t => t.textContent),
                links: gd.querySelectorAll('svg a').length,
                styled: Array.from(gd.querySelectorAll('svg tspan[style]')).map(t => t.getAttribute('style'))}; }""")


def hover_text(page, curve: int, point: int) -> str:
    """The hover label of one point, as plotly.js draws it for the pointer."""
    page.evaluate("([c, p]) => Plotly.Fx.hover('chart', [{curveNumber: c, pointNumber: p}])", [curve, point])
    return wait_until(
        page,
        """() => Array.from(document.querySelectorAll('#chart .hoverlayer .hovertext'))
                                     .map(h => h.textContent).join(' | ')""",
        timeout=TIMEOUT,
    )


def test_fuzz001_hostile_labels_are_drawn_as_literal_text(browser):
    """plotly.js 4 decodes the entities plain_text writes, and fills no template from data; the map's script
    sets force names as text."""
    dataset = hostile_dataset()
    figures = dict(hostile_figures(dataset))
    watched = chart_page(browser)
    page = watched.page
    try:
        # The hazard is real in this bundle: raw data makes a link, and data written into a template is filled.
        raw = {
            "data": [
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [5],
                    "y": [HOSTILE[0]],
                    "customdata": [["filled"]],
                    "hovertemplate": "Zq %{customdata[0]} %{x}<extra></extra>",
                }
            ],
            "layout": {"yaxis": {"type": "category", "automargin": True}},
        }
        draw(page, raw)
        assert drawn(page)["links"] == 1
        assert hover_text(page, 0, 0) == "Zq filled 5"
        # Escaped, the same text is drawn literally, even written into a template.
        escaped = {
            "data": [
                {
                    **raw["data"][0],
                    "y": [plain_text(HOSTILE[0])],
                    "hovertemplate": plain_text("Zq %{customdata[0]} %{x}") + "<extra></extra>",
                }
            ],
            "layout": {**raw["layout"], "title": {"text": plain_text(HOSTILE[1] + " " + HOSTILE[4])}},
        }
        draw(page, escaped)
        shown = drawn(page)
        assert shown["links"] == 0 and shown["styled"] == []
        assert HOSTILE[0] in shown["texts"] and f"{HOSTILE[1]} {HOSTILE[4]}" in shown["texts"]
        assert hover_text(page, 0, 0) == "Zq %{customdata[0]} %{x}"

        # Every plotly chart of the app, fed hostile titles, measures, force and theme names.
        for name, figure in figures.items():
            draw(page, figure)
            shown = drawn(page)
            assert shown["links"] == 0, name
            assert not [s for s in shown["styled"] if "red" in s or "bold" in s], name
            text = " ".join(shown["texts"])
            assert "Zq" in text, name  # the hostile labels are on the chart
            assert "<b>" in text or "<a" in text or "%{" in text, name
            # A point of the charted data: its hover label shows the data literally.
            curve = next(i for i, t in enumerate(figure["data"]) if t.get("hovertemplate"))
            label = hover_text(page, curve, 0)
            assert "Zq" in label and "<extra>" not in label, (name, label)

        # The map, drawn by assets/force-map.js: a force's tooltip names it literally, and makes no element of it.
        join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
        colours = map_colours(force_counts(dataset, join, dataset.initiatives, False)).as_data()
        page.evaluate(
            """([shapes, colours]) => {
            window.dash_clientside.set_props = () => {};
            window.dash_clientside.forceMap.draw(shapes, colours, {query: ''}); }""",
            [map_shapes(dataset.boundaries.geojson_bytes).as_data(), colours],
        )
        page.hover("#force-map path.force-area[data-force='E23000037']")
        tip = page.locator("#force-map .map-tooltip")
        tip.wait_for(state="visible", timeout=TIMEOUT * 1000)
        name = dataset.forces_by_id["E23000037"].name
        assert tip.inner_text().splitlines()[0] == name and "<" in name
        assert page.evaluate("document.querySelectorAll('#force-map .map-tooltip *').length") == len(
            [line for line in colours["labels"]["E23000037"] if line]
        )  # one text element per line, no markup
        assert page.evaluate("document.querySelectorAll('#force-map a, #force-map img, #force-map b').length") == 0
    finally:
        page.context.close()
    assert watched.foreign_requests == [], "requests left the page's origin"
    assert watched.console_errors == [], "the browser console logged errors"


# --- every callback, fuzzed ------------------------------------------------------------------------

UPDATE = "_dash-update-component"
KEYS = ("output", "outputs", "inputs", "state", "changedPropIds", "parsedChangedPropsIds")
STATUSES: Counter = Counter()  # every status the fuzz saw, printed at the end of the module (pytest -s)
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Recorded:
    url: str
    body: dict
    status: int


def post(url: str, data: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    STATUSES[status] += 1
    return status, text.decode("utf-8", "replace")


def assert_no_server_error(url: str, data: bytes) -> int:
    status, text = post(url, data)
    assert status < 500, f"{status} for {data[:600]!r}: {text[:300]}"
    return status


def assert_client_error(url: str, data: bytes) -> int:
    """A body no page could send is refused as the client's fault: a 4xx, never a 200 or a 5xx."""
    status, text = post(url, data)
    assert 400 <= status < 500, f"{status} (a client error was due) for {data[:600]!r}: {text[:300]}"
    return status


def settle(page, sent: list, answered: list) -> None:
    """Wait until every callback request the page sent has its answer, and no new one follows."""
    quiet_since = time.monotonic()
    deadline = quiet_since + TIMEOUT
    seen = -1
    while time.monotonic() < deadline:
        if len(sent) != len(answered) or len(sent) != seen:
            seen, quiet_since = len(sent), time.monotonic()
        elif time.monotonic() - quiet_since > 0.5:
            return
        page.wait_for_timeout(50)
    raise TimeoutError(f"{len(sent)} callback requests sent, {len(answered)} answered")


def browse_every_feature(page, base_url: str, sent: list, answered: list) -> None:
    """A realistic visit: a force clicked on the map, a theme chosen, words searched, the Welsh forces shown,
    every view opened, a force added to the comparison, the tables shown and the downloads taken."""
    ready(page, base_url)
    click_force(page, "E23000021")
    wait_until(page, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    with page.expect_download():  # the first of its two charts, saved as an image
        page.locator("#save-charts").click()
    # No force of the paper has more titles than a page holds, so the "more" button stays hidden; pressed
    # anyway (as a script could), its callback is reached and so fuzzed.
    page.evaluate("document.getElementById('profile-more').click()")
    with page.expect_download():  # the overview's charts, saved as images
        page.locator("#overview-save").click()
    click_force(page, "E23000037")
    wait_until(
        page, "document.querySelector('#view-title')?.textContent === 'Gloucestershire Constabulary'", timeout=TIMEOUT
    )
    choose_option(page, "theme-filter", "Mental health", "Mental health (core topic)")
    wait_until(page, "location.search.includes('themes=mental-health')", timeout=TIMEOUT)
    page.locator("#search-text").click()
    page.keyboard.type("triage", delay=30)
    wait_until(page, "location.search.includes('q=triage')", timeout=TIMEOUT)
    page.locator("#show-wales").click()
    wait_until(page, "location.search.includes('wales=1')", timeout=TIMEOUT)
    settle(page, sent, answered)
    for view in VIEWS:
        page.locator(f"#view-tab-{view}").click()
        wait_until(page, "(v) => !document.querySelector('#view-' + v).hidden", arg=view, timeout=TIMEOUT)
        settle(page, sent, answered)
        if view == "compare":
            page.locator("#add-to-compare").click()
            wait_until(page, "location.search.includes('compare=')", timeout=TIMEOUT)
            settle(page, sent, answered)
    # The large tables last: the page takes seconds to draw the matrix (~1,000 elements), and again
    # on every later change of the filters while it is open.
    with page.expect_download():
        page.locator("#export-csv").click()
    page.locator("#view-tab-matrix").click()
    page.locator("#coverage-matrix-toggle").click()
    wait_until(
        page,
        "document.querySelector('#coverage-matrix-toggle').getAttribute('aria-expanded') === 'true'",
        timeout=TIMEOUT,
    )
    with page.expect_download():
        page.locator("#matrix-export").click()
    page.locator("#force-table-toggle").click()
    wait_until(
        page, "document.querySelector('#force-table-toggle').getAttribute('aria-expanded') === 'true'", timeout=TIMEOUT
    )
    settle(page, sent, answered)


@pytest.fixture(scope="module")
def recorded(browser, live_server) -> tuple[Recorded, ...]:
    origin = "/".join(live_server.base_url.split("/", 3)[:3])
    watched = open_watched_page(browser, origin)
    page = watched.page
    sent: list = []
    answered: list[Recorded] = []
    page.on("request", lambda r: sent.append(r) if UPDATE in r.url and r.method == "POST" else None)
    page.on(
        "response",
        lambda r: (
            answered.append(Recorded(r.url, json.loads(r.request.post_data), r.status))
            if UPDATE in r.url and r.request.method == "POST"
            else None
        ),
    )
    try:
        browse_every_feature(page, live_server.base_url, sent, answered)
    finally:
        page.context.close()
    assert watched.foreign_requests == [] and watched.console_errors == []
    return tuple(answered)


@pytest.fixture(scope="module", autouse=True)
def tally():
    yield
    if STATUSES:
        print(f"\ncallback fuzz: {sum(STATUSES.values())} requests, statuses {dict(sorted(STATUSES.items()))}")


def test_fuzz002_the_session_reached_every_server_callback_and_each_request_is_answered(recorded, live_server):
    with urllib.request.urlopen(f"{live_server.base_url}_dash-dependencies", timeout=10) as response:
        server_side = {c["output"] for c in json.load(response) if not c.get("clientside_function")}
    missed = server_side - {r.body["output"] for r in recorded}
    assert not missed, f"the session never called these callbacks, so nothing fuzzes them: {sorted(missed)}"
    assert {r.status for r in recorded} <= {200, 204}
    # Replayed as they were sent, outside the browser, they are answered again.
    for r in recorded:
        assert post(r.url, json.dumps(r.body).encode())[0] in {200, 204}, r.body["output"]


def find(recorded: tuple[Recorded, ...], output_prefix: str) -> Recorded:
    return next(r for r in recorded if r.body["output"].startswith(output_prefix))


def with_input(body: dict, component: str, value: Any) -> dict:
    return {**body, "inputs": [{**d, "value": value} if d["id"] == component else d for d in body["inputs"]]}


# The page never sends these. The first ones got a 500 before components/security.py refused them:
# Dash, or the callback, failed on them. The rest were answered as if they made sense.
REFUSED = {
    "one output fewer than declared": lambda r: {
        **find(r, "..citation").body,
        "outputs": find(r, "..citation").body["outputs"][:-1],
    },
    "an output of another component": lambda r: {
        **find(r, "..citation").body,
        "outputs": [{"id": "filter-state", "property": "children"}, *find(r, "..citation").body["outputs"][1:]],
    },
    "several outputs for a single one": lambda r: {
        **find(r, "outcomes-overview").body,
        "outputs": [{"id": "force-map-colours", "property": "data"}, {"id": "results-count", "property": "children"}],
    },
    "a list of outputs where no wildcard is declared": lambda r: {**find(r, "..comparison").body, "outputs": [[]]},
    "the address' query as a list": lambda r: with_input(find(r, "..url.search").body, "url", ["?force=x"]),
    "the address as a lone surrogate": lambda r: with_input(find(r, "..citation").body, "url", "\ud800"),
    "search text with a lone surrogate": lambda r: {
        **with_input(find(r, "..url.search").body, "search-text", "a\ud800"),
        "changedPropIds": ["search-text.value"],
    },
    # answered before, as if they made sense. (An allow_duplicate output sent without its hash is no longer
    # refused: Dash dispatches by the callback's key and ignores it, and the guard no longer re-implements
    # Dash's hash, components/security.py.)
    "a list of inputs where no wildcard is declared": lambda r: {
        **find(r, "..citation").body,
        "inputs": [[find(r, "..citation").body["inputs"][0]], find(r, "..citation").body["inputs"][1]],
    },
    "a changed property with a lone surrogate": lambda r: {
        **find(r, "..url.search").body,
        "changedPropIds": ["search-text.value\udfff"],
    },
}


@pytest.mark.parametrize("name", REFUSED)
def test_fuzz007_requests_the_page_never_sends_are_refused(recorded, name):
    body = REFUSED[name](recorded)
    assert post(find(recorded, "..citation").url, json.dumps(body).encode())[0] == 400


# Values a renderer never sends, or sends only for other properties.
HUGE = ("x" * 5_000, "x" * 40_000, "x" * 70_000)  # over a value's limit, over the address' limit, over the body's
ODD_VALUES = st.sampled_from(
    [
        *HUGE,
        "",
        ".",
        "{",
        "}",
        '{"index":0}',
        "\x00",
        "\ud800",
        "\u202e\u0301",
        "😀" * 300,
        "-1",
        "NaN",
        0,
        -1,
        1.5,
        2**63,
        10**40,
        -0.0,
        1e308,
        float("nan"),
        float("inf"),
        True,
        None,
        [],
        {},
        [[]],
        [None],
        {"id": "url", "property": "search"},
        {"points": []},
        {"points": [{}]},
        {"points": [{"location": ["x"]}]},
        {"query": 5, "notices": "x"},
        {"query": "?force=E23000037", "notices": [5]},
    ]
)


def nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Copied as drawn: a mutation step edits dependencies in place, and an edited literal of ODD_VALUES would
# change what later examples draw (hypothesis then stops with FlakyStrategyDefinition).
VALUES = JSON | ODD_VALUES.map(copy.deepcopy) | st.sampled_from([7, 40, 300]).map(nested)


def dependency_lists(body: dict) -> list[list]:
    lists = [body[k] for k in ("inputs", "state") if isinstance(body.get(k), list)]
    outputs = body.get("outputs")
    if isinstance(outputs, list):
        lists.append(outputs)
    elif isinstance(outputs, dict):
        body["outputs"] = [outputs]  # as a list, so it can be mutated in place
        lists.append(body["outputs"])
    return [deps for deps in lists if deps]


def mutate_inside(value: Any, data) -> Any:
    """Change one leaf, key or item deep inside a recorded value, or the value itself."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        if data.draw(st.booleans()):
            return {k: v for k, v in value.items() if k != key}
        return {**value, key: mutate_inside(value[key], data)}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], mutate_inside(value[index], data), *value[index + 1 :]]
    return data.draw(VALUES)


def mutate_value(body: dict, data) -> None:
    """A request of the right shape whose value is wrong: the callback itself must cope or refuse."""
    lists = [body[k] for k in ("inputs", "state") if isinstance(body.get(k), list)]
    deps = [d for deps in lists for d in deps if isinstance(d, dict)]
    if deps:
        dep = data.draw(st.sampled_from(deps))
        dep["value"] = mutate_inside(dep.get("value"), data)


def mutate_structure(body: dict, data, recorded: tuple[Recorded, ...]) -> None:
    kind = data.draw(st.sampled_from(["drop", "replace", "dependency", "value", "changed", "output"]))
    if kind == "drop":
        body.pop(data.draw(st.sampled_from(KEYS)), None)
    elif kind == "replace":
        body[data.draw(st.sampled_from(KEYS))] = data.draw(VALUES)
    elif kind == "value":
        mutate_value(body, data)
    elif kind == "changed":
        ids = [f"{d.get('id')}.{d.get('property')}" for r in recorded for d in r.body["inputs"] if isinstance(d, dict)]
        body[data.draw(st.sampled_from(KEYS[-2:]))] = data.draw(
            st.lists(
                st.sampled_from(ids)
                | st.sampled_from(["", ".", "{", '{"a":1}.x', '{"index":[1]}.n_clicks', "x" * 3000])
                | st.text(max_size=20)
                | VALUES,
                max_size=4,
            )
        )
    elif kind == "output":
        other = data.draw(st.sampled_from(recorded)).body
        body["output"] = other["output"] if data.draw(st.booleans()) else data.draw(VALUES)
        if data.draw(st.booleans()):
            body["outputs"] = copy.deepcopy(other["outputs"])
    else:
        lists = dependency_lists(body)
        if not lists:
            return
        deps = data.draw(st.sampled_from(lists))
        index = data.draw(st.integers(0, len(deps) - 1))
        dep = deps[index]
        ids = sorted({str(d.get("id")) for r in recorded for d in r.body["inputs"] if isinstance(d, dict)})
        op = data.draw(
            st.sampled_from(["drop-field", "set-field", "wrong-id", "dict-id", "replace", "wrap", "extra", "remove"])
        )
        if op == "drop-field" and isinstance(dep, dict):
            dep.pop(data.draw(st.sampled_from(["id", "property", "value"])), None)
        elif op == "set-field" and isinstance(dep, dict):
            dep[data.draw(st.sampled_from(["id", "property", "value", "extra"]))] = data.draw(VALUES)
        elif op == "wrong-id" and isinstance(dep, dict):
            dep["id"] = data.draw(st.sampled_from(ids) | st.text(max_size=20))
        elif op == "dict-id" and isinstance(dep, dict):
            dep["id"] = data.draw(
                st.dictionaries(
                    st.sampled_from(["type", "index", "id"]),
                    st.text(max_size=8) | st.integers() | st.sampled_from([["ALL"], ["MATCH"]]) | JSON,
                    max_size=3,
                )
            )
        elif op == "replace":
            deps[index] = data.draw(VALUES)
        elif op == "wrap":
            deps[index] = [dep] * data.draw(st.integers(0, 2))
        elif op == "extra":
            deps.append(copy.deepcopy(dep))
        else:
            deps.pop(index)


@settings(FUZZ, max_examples=450)
@given(data=st.data())
def test_fuzz003_mutated_requests_never_get_a_server_error(recorded, data):
    original = data.draw(st.sampled_from(recorded))
    body = copy.deepcopy(original.body)
    for _ in range(data.draw(st.integers(1, 3))):
        mutate_structure(body, data, recorded)
    assert_no_server_error(original.url, json.dumps(body).encode())


@settings(FUZZ, max_examples=450)
@given(data=st.data())
def test_fuzz004_well_formed_requests_with_wrong_values_never_get_a_server_error(recorded, data):
    original = data.draw(st.sampled_from(recorded))
    body = copy.deepcopy(original.body)
    mutate_value(body, data)
    assert_no_server_error(original.url, json.dumps(body).encode())


RAW_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"x"',
    b"1",
    b"NaN",
    b"{}",
    b'{"output": null}',
    b"\xff\xfe{}",
    b"\xef\xbb\xbf{}",
    b"[" * 30_000 + b"]" * 30_000,
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b"9" * 5_000,
    b'"\\ud800"',
]


@pytest.mark.parametrize("raw", RAW_BODIES, ids=[repr(r[:12]) for r in RAW_BODIES])
def test_fuzz005_bodies_that_are_not_a_callback_request_get_a_client_error(live_server, raw):
    assert_client_error(f"{live_server.base_url}{UPDATE}", raw)


@settings(FUZZ, max_examples=60)
@given(raw=st.binary(max_size=300))
def test_fuzz006_random_bytes_get_a_client_error(live_server, raw):
    assert_client_error(f"{live_server.base_url}{UPDATE}", raw)
