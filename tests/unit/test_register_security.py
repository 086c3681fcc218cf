"""The register's protections, tested at the HTTP level through Flask's test client against a register
app on a temporary SQLite file: who may write, from where, with what body, and how stored text comes
back. Requests are built as Dash's renderer builds them (tests/register_requests.py)."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from components.app_factory import create_app
from components.view_state import store_of
from domain.chart_text import plain_text
from domain.state import ViewState
from settings import Settings
from storage import register_store
from tests.register_requests import (
    CONTRIBUTOR,
    REVIEWER,
    SENT,
    UPDATE_PATH,
    USER_HEADER,
    VALID_FIELDS,
    VALID_FIGURE,
    callback_for,
    callback_with_output,
    engine_for,
    field_errors,
    initiative_request,
    json_mentions_register,
    layout_for,
    overview_request,
    page_token,
    paper,
    outputs_for,
    pending,
    post_callback,
    register_app,
    register_count_note,
    register_ids,
    response_values,
    review_request,
    reviewer_tree,
    simple_request,
    stored_count,
    submit_status,
)

FORCE = "E23000001"  # the force VALID_FIELDS names


@pytest.fixture
def app(tmp_path):
    return register_app(tmp_path)


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def token(client):
    return page_token(client)


def strings_in(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string in a JSON tree, with the keys and indexes leading to it."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings_in(value, (*path, index))
    elif isinstance(node, str):
        yield path, node


def components_in(node: Any) -> Iterator[dict]:
    """Every serialised Dash component (a dict with type, namespace and props) in a JSON tree."""
    if isinstance(node, dict):
        if {"type", "namespace", "props"} <= set(node):
            yield node
        for value in node.values():
            yield from components_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from components_in(value)


def in_a_figure(path: tuple) -> bool:
    return "figure" in path


def wait_for_layout(client, marker: str, user: str | None = CONTRIBUTOR, timeout: float = 5.0) -> Any:
    """Poll /_dash-layout until some string in it holds `marker` (each worker polls the database)."""
    headers = {USER_HEADER: user} if user else {}
    deadline = time.monotonic() + timeout
    while True:
        layout = client.get("/_dash-layout", headers=headers).get_json()
        if any(marker in text for _path, text in strings_in(layout)):
            return layout
        if time.monotonic() > deadline:
            raise AssertionError(f"{marker!r} did not appear in the layout within {timeout}s")
        time.sleep(0.1)


def submit_and_publish(app, client, token, tmp_path, title: str) -> str:
    """A contributor proposes `title`, the reviewer publishes it; the new record's id."""
    sent = post_callback(client, initiative_request(app, {**VALID_FIELDS, "title": title}, [VALID_FIGURE]), token=token)
    assert sent.status_code == 200 and SENT in submit_status(sent), sent.data
    submission = pending(tmp_path)[-1]
    published = post_callback(client, review_request(app, [submission.id], submission.id), user=REVIEWER, token=token)
    assert published.status_code == 200, published.data
    status = response_values(published)["register-review-status"]["children"]
    assert status.startswith(f"Published #{submission.id} as "), status
    return status.split(" as ")[1].split(".")[0]


# --- 1. off by default ------------------------------------------------------------------------------


def test_reg_sec001_register_off_serves_no_register_and_opens_no_database(tmp_path):
    assert Settings().register is False and Settings.from_env({}).register is False
    database = tmp_path / "off.sqlite3"
    off = create_app(
        Settings(database_url=f"sqlite:///{database}", user_header=USER_HEADER, reviewers=frozenset({REVIEWER})),
        paper(),
    )
    client = off.server.test_client()

    layout = client.get("/_dash-layout", headers={USER_HEADER: REVIEWER})
    dependencies = client.get("/_dash-dependencies")

    assert layout.status_code == 200 and dependencies.status_code == 200
    assert not json_mentions_register(layout.get_json())
    assert not [d for d in dependencies.get_json() if "register-" in json.dumps(d)]
    assert not any("register-" in key for key in off.callback_map)
    # A register callback request (built against a register app) is unknown to this one.
    request = initiative_request(register_app(tmp_path / "on"))
    client.get("/")
    assert client.get_cookie("_csrf_token") is None  # no write guard, no token
    refused = post_callback(client, request, user=REVIEWER, token="any")
    assert refused.status_code == 400
    assert not database.exists()


# --- 2-4. no trusted user -----------------------------------------------------------------------------


REGISTER_CALLBACKS = (
    "register-submit",
    "register-note-submit",
    "register-mine-refresh",
    "register-add-figure",
    "register-update-of",
    "register-queue-refresh",
    "register-withdraw",
)


def any_register_request(app, first_input: str) -> dict:
    """A well-formed request for any register callback, its trigger clicked and its states empty."""
    if first_input == "register-submit":
        return initiative_request(app)
    if first_input == "register-queue-refresh":
        return review_request(app, [], 0, action="queue-refresh")
    key, _callback = callback_for(app, first_input)
    return simple_request(app, key)


def test_reg_sec002_without_a_user_there_is_no_register_and_every_write_is_refused(app, client, token, tmp_path):
    assert register_ids(layout_for(app, None)) == []
    assert not json_mentions_register(client.get("/_dash-layout").get_json())

    refused = post_callback(client, initiative_request(app), user=None, token=token)

    assert refused.status_code == 403
    assert stored_count(tmp_path) == 0
    with engine_for(tmp_path) as engine:
        assert register_store.pending(engine) == [] and register_store.history(engine) == []


@pytest.mark.parametrize("first_input", REGISTER_CALLBACKS)
def test_reg_sec002b_every_register_callback_answers_403_without_a_user(app, client, token, first_input):
    response = post_callback(client, any_register_request(app, first_input), user=None, token=token)
    assert response.status_code == 403, response.data


def test_reg_sec003_a_user_header_from_an_untrusted_address_is_ignored(app, client, token, tmp_path):
    untrusted = {"REMOTE_ADDR": "10.9.9.9"}
    assert register_ids(layout_for(app, REVIEWER, remote_addr="10.9.9.9")) == []
    layout = client.get("/_dash-layout", headers={USER_HEADER: REVIEWER}, environ_base=untrusted)
    assert not json_mentions_register(layout.get_json())

    for user in (CONTRIBUTOR, REVIEWER):
        refused = post_callback(client, initiative_request(app), user=user, token=token, environ_base=untrusted)
        assert refused.status_code == 403
    assert stored_count(tmp_path) == 0
    # The same header from the proxy's address is trusted: the refusal above was the address's doing.
    assert register_ids(layout_for(app, REVIEWER))


@pytest.mark.parametrize(
    "name", ["ann smith", "<script>alert(1)</script>", "rita;admin", "a" * 101, "'rita'", "rita/../x", "%72ita"]
)
def test_reg_sec004_an_invalid_user_name_is_no_user(app, client, token, tmp_path, name):
    assert register_ids(layout_for(app, header_value=name)) == []
    layout = client.get("/_dash-layout", headers={USER_HEADER: name})
    assert layout.status_code == 200 and not json_mentions_register(layout.get_json())

    refused = post_callback(client, initiative_request(app), user=name, token=token)

    assert refused.status_code == 403
    assert stored_count(tmp_path) == 0


# --- 5. roles --------------------------------------------------------------------------------------


def test_reg_sec005_a_contributor_cannot_publish_return_or_see_the_queue(app, client, token, tmp_path):
    sent = post_callback(client, initiative_request(app), token=token)
    assert SENT in submit_status(sent)
    submission = pending(tmp_path)[0]

    for action in ("publish", "return", "queue-refresh"):
        request = review_request(app, [submission.id], submission.id, action=action, comment="Please add a source")
        assert post_callback(client, request, user=CONTRIBUTOR, token=token).status_code == 403, action
    contributor_ids = register_ids(layout_for(app, CONTRIBUTOR))
    assert "register-submit" in contributor_ids and "register-queue" not in contributor_ids

    [still] = pending(tmp_path)
    assert (still.id, still.status, still.reviewed_by) == (submission.id, "pending", None)
    with engine_for(tmp_path) as engine:
        assert [e.action for e in register_store.history(engine)] == ["submitted"]


def test_reg_sec005b_a_contributor_cannot_withdraw_a_published_record(app, client, token, tmp_path):
    record_id = submit_and_publish(app, client, token, tmp_path, "Street triage for withdrawal")
    key, callback = callback_for(app, "register-withdraw")
    request = {
        "output": key,
        "outputs": outputs_for(key, reviewer_tree(app)),
        "inputs": [{**callback["inputs"][0], "value": 1}],
        "state": [{**callback["state"][0], "value": record_id}, {**callback["state"][1], "value": "duplicate"}],
        "changedPropIds": ["register-withdraw.n_clicks"],
    }

    assert post_callback(client, request, user=CONTRIBUTOR, token=token).status_code == 403
    with engine_for(tmp_path) as engine:
        assert register_store.get_record(engine, record_id).state == "published"
    # The reviewer's identical request is the one that works.
    done = post_callback(client, request, user=REVIEWER, token=token)
    assert done.status_code == 200 and "Withdrawn" in response_values(done)["register-withdraw-status"]["children"]
    # A second reviewer withdrawing the same record a moment later is told so, not given a server error.
    again = post_callback(client, request, user=REVIEWER, token=token)
    assert again.status_code == 200
    assert response_values(again)["register-withdraw-status"]["children"] == (
        f"Not withdrawn: Record {record_id} is already withdrawn; nothing was withdrawn."
    )
    with engine_for(tmp_path) as engine:
        assert [e.action for e in register_store.history(engine, record_id=record_id)].count("withdrawn") == 1


# --- 6. cross-site requests and foreign bodies ---------------------------------------------------------


CROSS_SITE = {
    "another origin": {"Origin": "https://evil.example"},
    "origin null": {"Origin": "null"},
    "origin with the host as user info": {"Origin": "http://localhost@evil.example"},
    "cross-site fetch": {"Sec-Fetch-Site": "cross-site"},
    "same-site fetch": {"Sec-Fetch-Site": "same-site"},
    "wrong token": {"X-CSRFToken": "not-the-token"},
    "empty token": {"X-CSRFToken": ""},
}


@pytest.mark.parametrize("case", sorted(CROSS_SITE))
def test_reg_sec006_cross_site_and_tokenless_writes_get_403(app, client, token, tmp_path, case):
    response = post_callback(client, initiative_request(app), user=REVIEWER, token=token, headers=CROSS_SITE[case])
    assert response.status_code == 403, response.data
    assert stored_count(tmp_path) == 0


def test_reg_sec006b_a_missing_token_or_a_missing_cookie_gets_403(app, client, token, tmp_path):
    assert post_callback(client, initiative_request(app), user=REVIEWER, token=None).status_code == 403
    fresh = app.server.test_client()  # never loaded the page: no cookie, so no token can match
    assert post_callback(fresh, initiative_request(app), user=REVIEWER, token=token).status_code == 403
    assert stored_count(tmp_path) == 0


FORM_BODIES = {
    # What an HTML <form> on another site can post without a CORS preflight.
    "text/plain": lambda body: {"data": body, "content_type": "text/plain"},
    "form-encoded": lambda body: {"data": {"payload": body}},
    "multipart": lambda body: {"data": {"payload": body}, "content_type": "multipart/form-data"},
}


@pytest.mark.parametrize("kind", sorted(FORM_BODIES))
def test_reg_sec006c_bodies_a_cross_site_form_can_send_get_415(app, client, token, tmp_path, kind):
    body = json.dumps(initiative_request(app))
    headers = {USER_HEADER: REVIEWER, "X-CSRFToken": token, "Origin": "http://localhost"}
    response = client.post(UPDATE_PATH, headers=headers, **FORM_BODIES[kind](body))
    assert response.status_code == 415, response.data
    assert stored_count(tmp_path) == 0


# --- 7. size and shape --------------------------------------------------------------------------------


def test_reg_sec007_an_oversized_body_gets_413(app, client, token, tmp_path):
    request = initiative_request(app, {**VALID_FIELDS, "summary": "x" * 70_000})
    response = post_callback(client, request, user=CONTRIBUTOR, token=token)
    assert response.status_code == 413
    assert stored_count(tmp_path) == 0


@pytest.mark.parametrize("body", [b"{this is not json", b'{"output": ', b"\xff\xfe", b"[]", b"null"])
def test_reg_sec007b_malformed_json_gets_400(client, token, tmp_path, body):
    response = client.post(
        UPDATE_PATH,
        data=body,
        content_type="application/json",
        headers={USER_HEADER: CONTRIBUTOR, "X-CSRFToken": token},
    )
    assert response.status_code == 400
    assert b"Traceback" not in response.data
    assert stored_count(tmp_path) == 0


def test_reg_sec007c_a_value_longer_than_any_form_field_is_refused_before_the_callback(app, client, token, tmp_path):
    # The title box holds 200 characters; 3,000 is more than any value of the page (2,000), so the
    # request is refused whole (400) rather than answered field by field.
    response = post_callback(client, initiative_request(app, {**VALID_FIELDS, "title": "T" * 3_000}), token=token)
    assert response.status_code == 400
    assert stored_count(tmp_path) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "T" * 1_500),
        ("themes", [f"theme-{i}" for i in range(50)]),
        ("themes", ["mental-health"] * 50),
        ("force_ids", [FORCE] * 50),
        ("lead_organisations", " | ".join(f"Organisation {i}" for i in range(50))),
    ],
)
def test_reg_sec007d_an_overlong_field_is_named_in_the_answer_and_not_stored(
    app, client, token, tmp_path, field, value
):
    response = post_callback(client, initiative_request(app, {**VALID_FIELDS, field: value}), token=token)

    assert response.status_code == 200, response.data
    errors = field_errors(response)
    assert field in errors, errors
    assert submit_status(response).startswith("Not sent")
    assert stored_count(tmp_path) == 0


# --- 8. rate limit ------------------------------------------------------------------------------------


def test_reg_sec008_the_submission_over_the_hourly_limit_is_not_stored(tmp_path):
    app = register_app(tmp_path, submissions_per_hour=2)
    client = app.server.test_client()
    token = page_token(client)

    answers = [
        post_callback(client, initiative_request(app, {**VALID_FIELDS, "title": f"Street triage {n}"}), token=token)
        for n in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [SENT in submit_status(a) for a in answers] == [True, True, False]
    assert "2 submissions in the last hour" in submit_status(answers[2])
    assert stored_count(tmp_path) == 2
    # Another contributor has an allowance of their own.
    other = post_callback(client, initiative_request(app), user="omar", token=token)
    assert SENT in submit_status(other)


# --- 9-10. the whole path, and stored text shown as text -------------------------------------------------


def test_reg_sec009_proposed_published_and_shown_as_text(tmp_path):
    app = register_app(tmp_path, register_poll_seconds=1)
    client = app.server.test_client()
    token = page_token(client)
    title = 'Zqx triage <b>night</b> & "day"'

    sent = post_callback(client, initiative_request(app, {**VALID_FIELDS, "title": title}, [VALID_FIGURE]), token=token)
    assert SENT in submit_status(sent)
    mine = json.dumps(response_values(sent)["register-mine"])
    assert "pending" in mine
    [submission] = pending(tmp_path)
    assert (submission.submitted_by, submission.payload["title"]) == (CONTRIBUTOR, title)
    with engine_for(tmp_path) as engine:
        assert [e.action for e in register_store.history(engine, submission_id=submission.id)] == ["submitted"]

    published = post_callback(client, review_request(app, [submission.id], submission.id), user=REVIEWER, token=token)
    assert published.status_code == 200
    with engine_for(tmp_path) as engine:
        [record] = register_store.published_records(engine)
        assert (record.state, record.payload["title"], record.submission_id) == ("published", title, submission.id)
        assert [e.action for e in register_store.history(engine, submission_id=submission.id)] == [
            "submitted",
            "published",
        ]

    layout = wait_for_layout(client, "Zqx")
    holding = [(path, text) for path, text in strings_in(layout) if "Zqx" in text]
    assert any(text == title for _path, text in holding)  # the record's own option, verbatim
    for path, text in holding:
        if in_a_figure(path):
            assert plain_text(title) in text and "<b>" not in text, text
        else:
            assert title in text, (path, text)
    assert not [c for c in components_in(layout) if c["props"].get("children") == "night"]


def test_reg_sec010_a_script_in_a_title_is_text_on_the_page_and_escaped_in_charts(tmp_path):
    app = register_app(tmp_path, register_poll_seconds=1)
    client = app.server.test_client()
    token = page_token(client)
    title = "Zqy <script>alert(1)</script>"
    submit_and_publish(app, client, token, tmp_path, title)

    # Signed-in users' pages name the record (the register's own lists); an anonymous reader meets it in
    # the overview's charts, which the page asks for once they come into view.
    wait_for_layout(client, register_count_note(1), user=None)
    shown = [wait_for_layout(client, "Zqy", user=user) for user in (CONTRIBUTOR, REVIEWER)]
    overview = post_callback(client, overview_request(app), user=None)
    assert overview.status_code == 200
    shown.append(overview.get_json())
    for layout in shown:
        assert not [c for c in components_in(layout) if c["type"].lower() == "script"]
        assert any("Zqy" in text for _path, text in strings_in(layout))
        for path, text in strings_in(layout):
            if "<script>" not in text and "&lt;script&gt;" not in text:
                continue
            if in_a_figure(path):
                assert "<script>" not in text and plain_text(title) in text, (path, text)
            else:
                # Text React sets: children, a label, or a chart row's tooltip (the overview's HTML lists).
                assert path[-1] in ("children", "label", "title") and title in text, (path, text)

    # The force's profile: the record's card and its chart show the title as text (HTML, set by React).
    key = callback_with_output(app, "outcome-charts.children")
    state = store_of(ViewState(force=FORCE))
    profile = client.post(UPDATE_PATH, json=simple_request(app, key, {"view-state": state}))
    assert profile.status_code == 200, profile.data
    answer = response_values(profile)
    texts = list(strings_in(answer))
    assert any(title in text and not in_a_figure(path) for path, text in texts)
    # The same chart saved as an image is a plotly figure: there the title is escaped.
    images = client.post(
        UPDATE_PATH,
        json=simple_request(
            app, callback_with_output(app, "chart-images.data"), {"view-state": state, "save-charts": 1}
        ),
    )
    assert images.status_code == 200, images.data
    charted = [text for path, text in strings_in(response_values(images)) if "Zqy" in text]
    assert charted and all(plain_text(title) in text and "<script>" not in text for text in charted)
    assert not [c for c in components_in(answer) if c["type"].lower() == "script"]


# --- malformed triggers ------------------------------------------------------------------------------


MALFORMED_TRIGGERS = ["{bad.n_clicks", '{"submission": 1.n_clicks', "{.n_clicks"]


@pytest.mark.parametrize(
    ("user", "target"), [(REVIEWER, "review"), (CONTRIBUTOR, "review"), (CONTRIBUTOR, "register-add-figure")]
)
def test_reg_sec011_a_malformed_trigger_is_refused_not_a_server_error(app, client, token, user, target):
    # changedPropIds is the renderer's word for what was clicked, and a hostile client controls it. A
    # callback that reads ctx.triggered_id parses it as JSON when it starts with "{".
    base = review_request(app, [1], 1) if target == "review" else any_register_request(app, target)
    answers = {}
    for changed in MALFORMED_TRIGGERS:
        request = copy.deepcopy(base)
        request["changedPropIds"] = [changed]
        answers[changed] = post_callback(client, request, user=user, token=token).status_code
    assert all(status < 500 for status in answers.values()), answers


def test_reg_sec012_a_submission_number_out_of_the_database_range_is_not_a_server_error(app, client, token):
    huge = 2**64
    request = review_request(app, [huge], huge)
    response = post_callback(client, request, user=REVIEWER, token=token)
    assert response.status_code < 500, response.data


def test_reg_sec012_a_long_queue_is_shown_oldest_first_a_page_at_a_time(tmp_path):
    """Every review request carries the shown items' comment boxes: the queue shows the oldest
    QUEUE_SHOWN, says how many wait, and the next ones follow as these are reviewed."""
    from components.register import QUEUE_SHOWN

    app = register_app(tmp_path, submissions_per_hour=100)
    client = app.server.test_client()
    token = page_token(client)
    waiting = QUEUE_SHOWN + 3
    for number in range(waiting):
        sent = post_callback(
            client,
            initiative_request(app, {**VALID_FIELDS, "title": f"Queued initiative {number}"}, [VALID_FIGURE]),
            token=token,
        )
        assert SENT in submit_status(sent), sent.data
    ids = [s.id for s in pending(tmp_path)]

    shown = post_callback(client, review_request(app, [], 0, action="queue-refresh"), user=REVIEWER, token=token)
    queue = response_values(shown)["register-queue"]["children"]
    articles = [c for c in queue if c["type"] == "Article"]
    titles = [a["props"]["children"][0]["props"]["children"] for a in articles]
    assert titles == [f"#{i}: new initiative — Queued initiative {n}" for n, i in enumerate(ids[:QUEUE_SHOWN])]
    assert queue[0]["props"]["children"] == (
        f"Showing the {QUEUE_SHOWN} oldest of {waiting} submissions waiting. "
        "Publish or return these, and the next ones follow."
    )
    # The diff names the force areas, not only their codes.
    force = paper().forces_by_id[FORCE]
    assert force.name in json.dumps(articles[0]) and "Force areas" in json.dumps(articles[0])

    published = post_callback(client, review_request(app, ids[:QUEUE_SHOWN], ids[0]), user=REVIEWER, token=token)
    after = [c for c in response_values(published)["register-queue"]["children"] if c["type"] == "Article"]
    assert after[-1]["props"]["children"][0]["props"]["children"].startswith(f"#{ids[QUEUE_SHOWN]}: ")
    assert len(after) == QUEUE_SHOWN


def test_reg_sec013_the_guard_protects_exactly_the_register_s_callbacks(tmp_path):
    # The guard once knew a register callback by the substring "register-" in its output. Now register()
    # returns the callbacks it added: every one of them, and no callback of the dashboard, is guarded.
    from dash import Dash

    from components import register as register_feature
    from services.register import RegisterService
    from storage.database import connect, migrate
    from tests.register_requests import paper, register_settings

    dashboard = create_app(register_settings(tmp_path, register=False), paper())
    settings = register_settings(tmp_path)
    engine = connect(settings.database_url)
    try:
        migrate(engine)
        app = Dash(__name__)
        guarded = register_feature.register(
            app, dashboard.server.extensions["pph.source"], RegisterService(engine, "Kent PCC", 20), settings
        )
        assert guarded == frozenset(app.callback_map) and len(guarded) >= 10
        assert not guarded & set(dashboard.callback_map)  # the read-only dashboard's callbacks are never guarded
    finally:
        engine.dispose()
