"""HTTP-level hardening, tested through Flask's test client (no browser)."""

from __future__ import annotations

import json

import pytest

from domain.state import VIEWS

from components.app_factory import create_app
from domain.loading import load_dataset
from settings import Settings, SettingsError
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py


@pytest.fixture(scope="module")
def app():
    settings = Settings(frame_ancestors=("'self'", "https://intranet.example.org"))
    return create_app(settings, load_dataset(DATA_DIR))


@pytest.fixture
def client(app):
    return app.server.test_client()


def sync_payload(app, search="", **overrides):
    """A callback request shaped as the page's own renderer sends it for sync_state."""
    key = next(k for k in app.callback_map if k.startswith("..url.search"))
    callback = app.callback_map[key]
    values = {
        "url": search,
        "force-select": None,
        "theme-filter": [],
        "evaluation-filter": [],
        "search-text": "",
        "show-wales": 0,
        "force-map-click": None,
        "clear-force": 0,
        "compare-select": [],
        "add-to-compare": 0,
        "source-filter": None,
    }
    values.update({f"view-tab-{v}": 0 for v in VIEWS})
    values.update({f"force-map-colour-{m}": 0 for m in ("initiatives", "themes", "results")})
    values.update(overrides)
    return {
        "output": key,
        "outputs": [{"id": str(o.component_id), "property": o.component_property} for o in callback["output"]],
        "inputs": [
            {"id": str(d["id"]), "property": d["property"], "value": values[str(d["id"])]} for d in callback["inputs"]
        ],
        "state": [{"id": str(d["id"]), "property": d["property"], "value": None} for d in callback["state"]],
        "changedPropIds": ["url.search"],
    }


@pytest.mark.parametrize("path", ["/", "/healthz", "/_dash-layout", "/geo/police_force_areas.geojson", "/nope/../x"])
def test_sec001_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'self' https://intranet.example.org" in csp
    assert "script-src 'self' 'sha256-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "X-Frame-Options" not in response.headers  # CSP frame-ancestors governs framing


def test_sec002_valid_callback_request_is_answered(app, client):
    response = client.post("/_dash-update-component", json=sync_payload(app, "?force=E23000021"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["response"]["force-select"]["value"] == "E23000021"


BAD_BODIES = {
    "not-json": b"{this is not json",
    "json-array": b"[1, 2, 3]",
    "unknown-output": json.dumps({"output": "..nope.children..", "inputs": [], "state": []}).encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_sec003_malformed_callback_requests_get_400(client, name):
    response = client.post("/_dash-update-component", data=BAD_BODIES[name], content_type="application/json")
    assert response.status_code == 400
    assert b"Traceback" not in response.data


def test_sec004_unknown_component_id_and_wrong_types_get_400(app, client):
    payload = sync_payload(app)
    payload["inputs"][1]["id"] = "not-a-component"
    assert client.post("/_dash-update-component", json=payload).status_code == 400
    deep = sync_payload(app, **{"theme-filter": [[[[[[[["x"]]]]]]]]})
    assert client.post("/_dash-update-component", json=deep).status_code == 400
    long_value = sync_payload(app, **{"search-text": "x" * 100_000})
    assert client.post("/_dash-update-component", json=long_value).status_code in (400, 413)


def test_sec005_wrong_but_small_types_are_ignored_not_500(app, client):
    payload = sync_payload(
        app, **{"theme-filter": {"a": 1}, "search-text": 42, "force-select": ["x"], "force-map-click": {"force": ["?"]}}
    )
    payload["changedPropIds"] = ["search-text.value"]
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    assert response.get_json()["response"]["theme-filter"]["value"] == []


def test_sec006_oversized_request_gets_413(client):
    response = client.post("/_dash-update-component", data=b"x" * 200_000, content_type="application/json")
    assert response.status_code == 413


def test_sec007_hostile_link_is_not_reflected_in_the_page(client):
    page = client.get("/?force=%3Cscript%3Ealert(1)%3C/script%3E&q=" + "a" * 100_000)
    assert page.status_code == 200 and b"alert(1)" not in page.data


def test_sec008_hostile_link_notice_is_data_not_markup(app, client):
    response = client.post("/_dash-update-component", json=sync_payload(app, "?force=%3Cb%3Ehi%3C/b%3E"))
    state = response.get_json()["response"]["view-state"]["data"]
    assert state["notices"] == ["Ignored unknown force '<b>hi</b>'."]  # rendered by React as text


def test_sec009_errors_are_plain_text(client):
    missing = client.get("/vendor/secret.json")
    assert missing.status_code == 404 and missing.mimetype == "text/plain"
    assert client.put("/healthz").status_code == 405


def test_sec010_settings_refuse_bad_values():
    with pytest.raises(SettingsError, match="PPH_PORT"):
        Settings.from_env({"PPH_PORT": "80a"})
    with pytest.raises(SettingsError, match="PPH_FRAME_ANCESTORS"):
        Settings.from_env({"PPH_FRAME_ANCESTORS": "javascript:alert(1)"})
    settings = Settings.from_env({"PPH_URL_PREFIX": "collaboration", "PPH_PROXY_STRIPS_PREFIX": "1"})
    assert (settings.url_prefix, settings.routes_prefix) == ("/collaboration/", "/")


def test_sec010b_a_dev_user_and_a_proxy_header_together_are_refused():
    # Both set, the dev user would be every visitor of a deployment behind the proxy.
    with pytest.raises(SettingsError, match="PPH_DEV_USER and PPH_USER_HEADER are both set"):
        Settings.from_env({"PPH_DEV_USER": "alice", "PPH_USER_HEADER": "X-Remote-User"})
    with pytest.raises(SettingsError, match="Unset PPH_DEV_USER behind a proxy"):
        Settings(register=True, dev_user="alice", user_header="X-Remote-User")
    assert Settings.from_env({"PPH_DEV_USER": "alice"}).dev_user == "alice"
    assert Settings.from_env({"PPH_USER_HEADER": "X-Remote-User"}).user_header == "X-Remote-User"


def test_sec011_debug_is_off_whatever_the_environment(monkeypatch):
    monkeypatch.setenv("DASH_DEBUG", "true")
    app = create_app(Settings(), load_dataset(DATA_DIR))
    assert app._dev_tools.ui is False and app._dev_tools.disable_version_check is True
    assert '"ui":false' in app.index()


def pattern_app():
    """A small app with pattern-matching ids, as the register's forms will have, behind the same checks."""
    from dash import ALL, MATCH, Dash, Input, Output, html

    from components.security import install_security

    app = Dash(__name__)
    app.layout = html.Div(
        [
            *[html.Button(id={"type": "pick", "index": i}) for i in range(2)],
            *[html.Div(id={"type": "echo", "index": i}) for i in range(2)],
            html.Div(id="total"),
        ]
    )

    @app.callback(Output("total", "children"), Input({"type": "pick", "index": ALL}, "n_clicks"))
    def total(clicks):
        return str(sum(c or 0 for c in clicks))

    @app.callback(
        Output({"type": "echo", "index": MATCH}, "children"), Input({"type": "pick", "index": MATCH}, "n_clicks")
    )
    def echo(clicks):
        return str(clicks)

    install_security(app, Settings())
    return app


def test_sec012_dict_ids_with_all_and_match_are_answered_and_foreign_ones_refused():
    app = pattern_app()
    client = app.server.test_client()
    key_all = next(k for k in app.callback_map if k.startswith("total."))
    key_match = next(k for k in app.callback_map if "echo" in k)
    picks = [{"id": {"index": i, "type": "pick"}, "property": "n_clicks", "value": i + 1} for i in range(2)]
    request_all = {
        "output": key_all,
        "outputs": {"id": "total", "property": "children"},
        "inputs": [picks],
        "changedPropIds": ['{"index":0,"type":"pick"}.n_clicks'],
    }
    answered = client.post("/_dash-update-component", json=request_all)
    assert answered.status_code == 200 and answered.get_json()["response"]["total"]["children"] == "3"
    request_match = {
        "output": key_match,
        "outputs": {"id": {"index": 1, "type": "echo"}, "property": "children"},
        "inputs": [picks[1]],
        "changedPropIds": ['{"index":1,"type":"pick"}.n_clicks'],
    }
    assert client.post("/_dash-update-component", json=request_match).status_code == 200
    foreign = [{"id": {"index": 0, "type": "delete"}, "property": "n_clicks", "value": 1}]
    assert client.post("/_dash-update-component", json={**request_all, "inputs": [foreign]}).status_code == 400


def test_sec013_cross_site_form_bodies_never_reach_a_callback(app, client):
    body = json.dumps(sync_payload(app, "?force=E23000021"))
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        assert client.post("/_dash-update-component", data=body, content_type=content_type).status_code == 415


@pytest.mark.parametrize("outputs", [None, "x", [], {"id": 5, "property": "children"}, [{"property": "data"}]])
def test_sec014_missing_or_malformed_outputs_get_400_not_500(app, client, outputs):
    payload = sync_payload(app, "?force=E23000021")
    if outputs is None:
        del payload["outputs"]
    else:
        payload["outputs"] = outputs
    assert client.post("/_dash-update-component", json=payload).status_code == 400


def test_sec020_personal_pages_and_register_answers_are_private(tmp_path, client):
    from tests.register_requests import (
        CONTRIBUTOR,
        REVIEWER,
        USER_HEADER,
        page_token,
        post_callback,
        register_app,
        review_request,
    )

    app = register_app(tmp_path)
    register_client = app.server.test_client()
    own = register_client.get("/_dash-layout", headers={USER_HEADER: CONTRIBUTOR})
    assert own.status_code == 200 and "register-submit" in own.get_data(as_text=True)
    assert own.headers["Cache-Control"] == "private, no-store"

    shared = register_client.get("/_dash-layout")
    assert shared.status_code == 200 and "register-submit" not in shared.get_data(as_text=True)
    assert "no-store" not in shared.headers.get("Cache-Control", "")
    # A shared cache may keep the anonymous page, but never give it for a request naming a user.
    assert USER_HEADER.lower() in {v.strip().lower() for v in shared.headers["Vary"].split(",")}

    token = page_token(register_client)
    queue = post_callback(
        register_client, review_request(app, [], 0, action="queue-refresh"), user=REVIEWER, token=token
    )
    assert queue.status_code == 200 and queue.headers["Cache-Control"] == "private, no-store"
    refused = post_callback(register_client, review_request(app, [], 0, action="queue-refresh"), user=None, token=token)
    assert refused.status_code == 403 and refused.headers["Cache-Control"] == "private, no-store"

    # The read-only dashboard's page is the same for everyone: nothing added.
    dashboard = client.get("/_dash-layout")
    assert "Cache-Control" not in dashboard.headers
    assert USER_HEADER.lower() not in dashboard.headers.get("Vary", "").lower()


def test_sec021_no_vary_on_a_user_header_that_is_not_configured(tmp_path):
    from tests.register_requests import register_app

    app = register_app(tmp_path, user_header="", dev_user="")
    answer = app.server.test_client().get("/_dash-layout")
    assert answer.status_code == 200 and "remote-user" not in answer.headers.get("Vary", "").lower()


def test_sec010c_a_database_path_is_a_sqlite_file_and_a_bad_url_is_a_sentence(tmp_path):
    # Before: PPH_DATABASE_URL=/tmp/x/register.sqlite3, written as the README writes the default, stopped gunicorn
    # with a traceback ("Could not parse SQLAlchemy URL"), and the app's own message crashed while quoting it.
    import subprocess
    import sys

    from tests.conftest import REPO

    path = tmp_path / "register.sqlite3"
    assert Settings.from_env({"PPH_DATABASE_URL": str(path)}).database_url == f"sqlite:///{path}"
    assert Settings.from_env({"PPH_DATABASE_URL": " sqlite:///x.db "}).database_url == "sqlite:///x.db"
    with pytest.raises(SettingsError, match="PPH_DATABASE_URL must be a SQLite or PostgreSQL URL"):
        Settings.from_env({"PPH_DATABASE_URL": "mysql://u:secret@h/db"})
    with pytest.raises(SettingsError, match="PPH_DATABASE_URL"):
        Settings.from_env({"PPH_DATABASE_URL": "post gres://u:secret@h/db"})
    env = {"PATH": "/usr/bin:/bin", "PPH_REGISTER": "1", "PPH_DEV_USER": "alice"}
    started = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=REPO,
        env={**env, "PPH_DATABASE_URL": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    assert path.exists()  # the register's file, where the path says
    refused = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=REPO,
        env={**env, "PPH_DATABASE_URL": "postgresql+psycopg://u:secret@h:port/db"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "The dashboard cannot start" in refused.stderr
    assert "Traceback" not in refused.stderr and "secret" not in refused.stderr
