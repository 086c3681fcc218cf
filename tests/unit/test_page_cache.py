"""The page is serialized once per snapshot version, and every visitor still gets the page that is theirs:
the shared page as Dash itself would serialize it, a signed-in user's with their register section, and
everyone's with a publication once it is published. Profiles are memoized within a bound."""

from __future__ import annotations

import gzip
import json

import pytest
from dash._utils import to_json

from components.app_factory import create_app
from components.ids import Ids
from components.memo import BoundedMemo
from components.profile import profile_content
from components.view_state import store_of
from domain.state import ViewState
from settings import Settings
from tests.register_requests import (
    CONTRIBUTOR,
    USER_HEADER,
    json_mentions_register,
    overview_request,
    page_token,
    paper,
    post_callback,
    register_app,
    register_count_note,
    simple_request,
)
from tests.unit.test_register_security import strings_in, submit_and_publish, wait_for_layout


@pytest.fixture(scope="module")
def read_only_app():
    return create_app(Settings(), paper())


def test_the_layout_is_what_dash_would_serve_and_the_same_bytes_on_every_visit(read_only_app):
    client = read_only_app.server.test_client()
    plain = client.get("/_dash-layout", headers={"Accept-Encoding": "identity"})
    again = client.get("/_dash-layout", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})

    assert plain.status_code == again.status_code == zipped.status_code == 200
    assert plain.mimetype == zipped.mimetype == "application/json"
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert plain.data == again.data
    assert gzip.decompress(zipped.data) == plain.data
    with read_only_app.server.test_request_context("/_dash-layout"):
        assert json.loads(plain.data) == json.loads(to_json(read_only_app.get_layout()))


def test_a_signed_in_user_gets_their_register_section_and_an_anonymous_visitor_the_shared_page(tmp_path):
    app = register_app(tmp_path)
    client = app.server.test_client()

    anonymous = client.get("/_dash-layout").get_json()
    contributor = client.get("/_dash-layout", headers={USER_HEADER: CONTRIBUTOR}).get_json()
    anonymous_after = client.get("/_dash-layout").get_json()

    assert json_mentions_register(contributor)
    assert not json_mentions_register(anonymous) and anonymous_after == anonymous


def test_a_publication_reaches_the_cached_page_of_anonymous_visitors(tmp_path):
    app = register_app(tmp_path, register_poll_seconds=1)
    client = app.server.test_client()
    before = client.get("/_dash-layout").data  # cached for the paper-only snapshot
    token = page_token(client)

    submit_and_publish(app, client, token, tmp_path, "Qvz cached-page publication")

    # The map's legend counts the new record: the page anonymous visitors load was built again.
    after = wait_for_layout(client, register_count_note(1), user=None)
    assert register_count_note(1).encode() not in before
    assert any(text.startswith(register_count_note(1)) for _path, text in strings_in(after))
    charts = post_callback(client, overview_request(app), user=None)
    assert charts.status_code == 200 and "Qvz cached-page publication" in charts.get_data(as_text=True)


def test_a_memo_builds_each_key_once_and_keeps_only_the_most_recent():
    memo = BoundedMemo[str](2)
    built: list[str] = []

    def build(key: str):
        return lambda: built.append(key) or key.upper()

    assert [memo.get(k, build(k)) for k in ("a", "b", "a", "c", "b")] == ["A", "B", "A", "C", "B"]
    # "b" was the least recently used when "c" came in, so it was built again; "a" then made way for "b".
    assert built == ["a", "b", "c", "b"] and len(memo) == 2
    with pytest.raises(ValueError):
        BoundedMemo[str](0)


def test_a_kept_profile_answers_with_the_same_json_as_one_built_fresh(read_only_app):
    """The profile memo keeps each profile as the JSON data Dash sends: a click answered from it must say
    exactly what a fresh build says, component for component."""
    client = read_only_app.server.test_client()
    key = next(k for k in read_only_app.callback_map if k.startswith(f"..{Ids.VIEW_TITLE}.children"))
    snapshot = read_only_app.server.extensions["pph.source"].current()
    state = ViewState(force="E23000001")
    request = simple_request(read_only_app, key, {Ids.STATE: store_of(state), Ids.PROFILE_FOR: None})

    first = post_callback(client, request, user=None)
    kept = post_callback(client, request, user=None)

    assert first.status_code == kept.status_code == 200
    assert first.get_json() == kept.get_json()
    fresh = profile_content(snapshot.dataset, snapshot.join, state, "/", snapshot.chart_citation)
    answer = first.get_json()["response"]
    assert answer[Ids.VIEW_TITLE]["children"] == fresh.title == snapshot.dataset.forces_by_id["E23000001"].name
    assert answer[Ids.PROFILE_INITIATIVES]["children"] == json.loads(to_json(fresh.body))
    assert answer[Ids.OUTCOME_TABLE]["children"] == json.loads(to_json(fresh.tables))
    assert answer[Ids.THEME_CHART]["children"] == json.loads(to_json(fresh.themes))


def test_the_embedded_widget_has_no_register_section_even_for_a_signed_in_user(tmp_path):
    """Before: a signed-in user's embed held the register's drafts, which need the browser's storage; a browser
    refuses that to a frame on another site, and the whole frame stayed blank."""
    app = register_app(tmp_path)
    client = app.server.test_client()
    embedded = client.get("/_dash-layout", headers={USER_HEADER: CONTRIBUTOR, "Referer": "http://x/?embed=1"})
    full = client.get("/_dash-layout", headers={USER_HEADER: CONTRIBUTOR, "Referer": "http://x/?force=E23000021"})
    assert not json_mentions_register(embedded.get_json())
    assert json_mentions_register(full.get_json())
