"""The page opens showing the view its address asks for, so nothing is drawn twice after load; hidden
tabs' panels are built when first shown. Through Flask's test client (the browser tier loads the same
links in chromium: tests/browser/test_layout.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from components import page_cache, shell
from components.app_factory import create_app
from components.ids import Ids, view_panel
from components.page_cache import LayoutCache, page_query
from components.shell import LAZY_VIEWS
from components.view_state import store_of
from domain.aggregation import filter_initiatives, force_counts
from domain.force_map import map_colours
from domain.source import StaticSource, snapshot_of
from domain.state import DEFAULT_STATE, VIEWS, state_from_query
from settings import Settings
from tests import dataset_facts as facts
from tests.register_requests import callback_with_output, paper, post_callback, response_values, simple_request
from tests.unit.test_register_security import components_in as components

LINK = "?force=E23000021&themes=mental-health&view=compare&compare=E23000021,E23000037"


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(), paper())


@pytest.fixture
def client(app):
    return app.server.test_client()


def by_id(layout: dict) -> dict[str, dict]:
    return {c["props"]["id"]: c["props"] for c in components(layout) if isinstance(c["props"].get("id"), str)}


def layout_for(client, referer: str | None) -> tuple[dict, Any]:
    headers = {"Accept-Encoding": "identity", **({"Referer": referer} if referer else {})}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return by_id(response.get_json()), response


def test_first001_a_link_opens_on_its_own_view(client):
    dataset = paper()
    state = state_from_query(LINK, dataset)
    props, response = layout_for(client, f"http://intranet.example/collab/{LINK}")
    assert "Referer" in response.headers["Vary"]  # no cache may give one link's page for another
    assert props[Ids.STATE]["data"] == store_of(state) and props[Ids.FILTERS]["data"] == store_of(state.filters_only())
    assert props[Ids.VIEW_TITLE]["children"] == dataset.forces_by_id["E23000021"].name
    assert props[Ids.RESULTS]["data-force"] == "E23000021"
    assert props[Ids.FORCE_SELECT]["value"] == "E23000021" and props[Ids.THEMES]["value"] == ["mental-health"]
    assert props[Ids.COMPARE]["value"] == ["E23000021", "E23000037"]
    # Every force: Dash's dropdown drops values it has no option for.
    assert {o["value"] for o in props[Ids.COMPARE]["options"]} == {
        f.id for f in dataset.forces if f.kind == "territorial"
    }
    matching = filter_initiatives(dataset, state)
    assert props[Ids.RESULTS_COUNT]["children"] == f"{len(matching)} of {len(dataset.initiatives)} initiatives match"
    snapshot = snapshot_of(dataset)
    expected = map_colours(force_counts(dataset, snapshot.join, matching, False), filtered=True).as_data()
    assert props[Ids.MAP_COLOURS]["data"] == json.loads(json.dumps(expected))
    assert [v for v in VIEWS if not props[view_panel(v)]["hidden"]] == ["compare"]


@pytest.mark.parametrize(
    "referer", [None, "http://intranet.example/", "http://intranet.example/?force=E23000021&q=triage"]
)
def test_first002_no_address_or_a_search_opens_on_england(client, referer):
    """The callbacks then read the address as they always did. A search is free text: a page for each would
    be built at each new word and push the common views out of the cache."""
    props, _ = layout_for(client, referer)
    assert props[Ids.VIEW_TITLE]["children"] == "England" and props[Ids.RESULTS]["data-force"] == ""
    assert props[Ids.STATE]["data"] == {"query": "", "notices": []}


def test_first003_each_view_is_built_once_and_served_the_same(monkeypatch):
    """Counted, on an app of its own (the module's app may have built these views already): the page for a
    view is built and serialized once, then served from memory to the next visitor of the same view."""
    built: Counter[str] = Counter()
    serialized: list[str] = []
    real_build, real_serialize = shell.build_layout, page_cache.serialize_layout

    def counting_build(snapshot, url_prefix, state=DEFAULT_STATE):
        built[state.to_query()] += 1
        return real_build(snapshot, url_prefix, state)

    def counting_serialize(dash_app):
        serialized.append(page_query())
        return real_serialize(dash_app)

    monkeypatch.setattr(shell, "build_layout", counting_build)
    monkeypatch.setattr(page_cache, "serialize_layout", counting_serialize)
    client = create_app(Settings(), paper()).server.test_client()
    link_query = state_from_query(LINK, paper()).to_query()
    assert link_query != DEFAULT_STATE.to_query()

    first, _ = layout_for(client, f"http://x/{LINK}")
    again = client.get("/_dash-layout", headers={"Referer": f"http://other/{LINK}", "Accept-Encoding": "identity"})
    plain = client.get("/_dash-layout", headers={"Accept-Encoding": "identity"})
    plain_again = client.get("/_dash-layout", headers={"Accept-Encoding": "identity"})
    assert by_id(again.get_json()) == first and again.data != plain.data and plain_again.data == plain.data
    assert built[link_query] == 1, dict(built)  # the second visitor of the link got the kept page
    assert built[DEFAULT_STATE.to_query()] <= 1, dict(built)  # at most once: create_app may have built it already
    assert len(serialized) == 2, serialized  # one JSON per view, not per request


def test_first004_the_address_callback_redraws_nothing_on_a_page_built_for_its_address(app, client):
    key = next(k for k in app.callback_map if k.startswith("..url.search"))
    state = store_of(state_from_query(LINK, paper()))
    same = post_callback(client, simple_request(app, key, {Ids.URL: LINK, Ids.STATE: state}), user=None)
    assert same.status_code == 204  # PreventUpdate: not one control is written again
    other = post_callback(client, simple_request(app, key, {Ids.URL: "?force=E23000037", Ids.STATE: state}), user=None)
    assert response_values(other)[Ids.STATE]["data"]["query"] == "?force=E23000037"


def test_first005_hidden_tabs_panels_are_built_when_first_shown(app, client):
    plain, _ = layout_for(client, None)
    assert all(plain[view_panel(v)].get("children") in (None, []) for v in LAZY_VIEWS)
    assert plain[view_panel("cite")]["children"]  # printed with the page: always there
    national, _ = layout_for(client, "http://x/?view=national")
    assert Ids.OFF_MAP in national and national[Ids.PANELS_BUILT]["data"] == ["national"]

    key = callback_with_output(app, f"{view_panel('matrix')}.children")
    shown = {view_panel(v): v != "matrix" for v in LAZY_VIEWS}
    answer = response_values(
        post_callback(client, simple_request(app, key, {**shown, Ids.PANELS_BUILT: []}), user=None)
    )
    assert set(answer) == {view_panel("matrix"), Ids.PANELS_BUILT}  # only the tab just shown is sent
    assert Ids.MATRIX_TOGGLE in {c["props"].get("id") for c in components(answer[view_panel("matrix")]["children"])}
    assert answer[Ids.PANELS_BUILT]["data"] == ["matrix"]
    again = post_callback(client, simple_request(app, key, {**shown, Ids.PANELS_BUILT: ["matrix"]}), user=None)
    assert again.status_code == 204  # built once: its matrix, once opened, is not thrown away on return


def test_first006_switching_tabs_writes_only_the_two_tabs_that_change(app, client):
    key = callback_with_output(app, "notice.children")
    hidden_now = {view_panel(v): v != "overview" for v in VIEWS}
    state = store_of(state_from_query("?view=matrix", paper()))
    answer = response_values(
        post_callback(client, simple_request(app, key, {Ids.STATE: state, **hidden_now}), user=None)
    )
    assert {k for k in answer if k.startswith("view-") and k != Ids.NOTICE} == {
        view_panel("overview"),
        view_panel("matrix"),
        "view-tab-overview",
        "view-tab-matrix",
    }
    assert answer[view_panel("matrix")]["hidden"] is False and answer[view_panel("overview")]["hidden"] is True


@pytest.mark.parametrize(
    ("link", "said", "state_query"),
    [
        ("?force=nowhere", "unknown force 'nowhere'", ""),
        # A force with no area on the map opens the tab that lists its work.
        ("?force=british-transport-police", "has no force area on the map, so its work is shown", "?view=national"),
    ],
)
def test_first010_a_bad_or_non_territorial_force_link_opens_on_england_with_its_notice(
    client, app, link, said, state_query
):
    """Before: the page was England's with no notice, and the profile stayed hidden (the link has `force=`)
    until the callbacks answered, 2-5 s. Now the notice is in the page, so England's profile shows at once
    (the stylesheet hides a pending profile only while no notice is shown), and no callback redraws it."""
    props, _ = layout_for(client, f"http://intranet.example/{link}")
    assert props[Ids.VIEW_TITLE]["children"] == "England" and props[Ids.RESULTS]["data-force"] == ""
    notices = props[Ids.NOTICE]["children"]
    assert len(notices) == 1 and said in notices[0]["props"]["children"]
    assert props[Ids.STATE]["data"]["notices"] and props[Ids.STATE]["data"]["query"] == state_query
    assert props[view_panel("national")]["hidden"] is (state_query == "")
    # A page with a notice quotes the link: built for that visit, never kept among the shared pages.
    snapshot = snapshot_of(paper())
    cache = LayoutCache(StaticSource(snapshot), "/")
    cache.page(snapshot, state_from_query(link, snapshot.dataset))
    assert len(cache._pages) == 0
    css = (Path(__file__).resolve().parents[2] / "assets" / "style.css").read_text(encoding="utf-8")
    assert '.profile-pending .app:not(:has(#notice > p)) .profile[data-force=""]' in css


def test_first011_a_register_source_link_without_a_register_says_so_with_a_way_back(client):
    """Before: '0 of 50 initiatives match' (50: every initiative then) and no notice or control to undo it on the read-only dashboard."""
    props, _ = layout_for(client, "http://intranet.example/?source=register&themes=dementia")
    [notice] = props[Ids.NOTICE]["children"]
    text, link = notice["props"]["children"]
    assert "no register" in text and "none matches" in text
    assert link["props"]["children"] == "Show every initiative" and link["props"]["href"] == "?themes=dementia"
    assert props[Ids.RESULTS_COUNT]["children"].startswith(f"0 of {facts.total()} ")
