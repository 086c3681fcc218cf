"""Test support for the register: apps on a temporary SQLite file, and callback requests built the way
Dash's renderer builds them (ids and properties from `app.callback_map`, wildcard outputs expanded to
the concrete ids the page holds, the CSRF cookie echoed in X-CSRFToken).

Shared by tests/unit/test_register_security.py and tests/unit/test_register_fuzz.py.
"""

from __future__ import annotations

import json
import uuid
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dash import Dash
from dash.development.base_component import Component
from sqlalchemy import Engine, text

from components.app_factory import create_app
from components.write_guard import CSRF_COOKIE
from domain.loading import Dataset
from domain.register import FIGURE_FIELDS, INITIATIVE_FIELDS, Reference
from settings import Settings
from storage import register_store
from storage.database import connect
from tests import dataset_facts
from tests.sample_proposal import VALID_FIELDS, VALID_FIGURE

UPDATE_PATH = "/_dash-update-component"
USER_HEADER = "X-Remote-User"
REVIEWER = "rita"
CONTRIBUTOR = "cora"
SENT = "Sent for review"


def paper() -> Dataset:
    """The curated dataset the app serves (`PPH_DATA_DIR`, `data/` by default), loaded once per test session."""
    return dataset_facts.served()


def reference() -> Reference:
    return Reference.of(paper())


def valid_payload(**overrides: Any) -> dict[str, Any]:
    """A domain-level initiative payload (what `send_initiative` hands to the service)."""
    return {**VALID_FIELDS, "figures": [dict(VALID_FIGURE)], **overrides}


def register_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "register": True,
        "database_url": f"sqlite:///{tmp_path / 'r.sqlite3'}",
        "user_header": USER_HEADER,
        "reviewers": frozenset({REVIEWER}),
    }
    values.update(overrides)
    return Settings(**values)


def register_app(tmp_path: Path, **overrides: Any) -> Dash:
    return create_app(register_settings(tmp_path, **overrides), paper())


@contextmanager
def engine_for(tmp_path: Path) -> Iterator[Engine]:
    """A second connection to the app's database, to see what was stored."""
    engine = connect(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    try:
        yield engine
    finally:
        engine.dispose()


def stored_count(tmp_path: Path) -> int:
    """Every submission ever stored, whatever its status or author."""
    with engine_for(tmp_path) as engine, engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM submissions")) or 0


def pending(tmp_path: Path) -> list[register_store.Submission]:
    with engine_for(tmp_path) as engine:
        return register_store.pending(engine)


# --- the page ---------------------------------------------------------------------------------------


def layout_for(app: Dash, user: str | None = None, remote_addr: str = "127.0.0.1", header_value: str | None = None):
    """The component tree `app.layout()` builds for a request from this user (None: no header)."""
    headers = {}
    if header_value is not None:
        headers[USER_HEADER] = header_value
    elif user is not None:
        headers[USER_HEADER] = user
    with app.server.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": remote_addr}):
        return app.layout()


def components_of(tree: Component) -> list[Component]:
    return [tree, *tree._traverse()]


def component_ids(tree: Component) -> list[Any]:
    return [c.id for c in components_of(tree) if getattr(c, "id", None) is not None]


def register_ids(tree: Component) -> list[Any]:
    """Every component id that belongs to the register (a `register-` string or a dict id of that type)."""
    found = []
    for component_id in component_ids(tree):
        text = component_id if isinstance(component_id, str) else str(component_id.get("type", ""))
        if text.startswith("register-"):
            found.append(component_id)
    return found


def json_mentions_register(value: Any) -> bool:
    return "register-" in json.dumps(value)


def page_token(client) -> str:
    """The CSRF token the page sets (GET /), as the renderer reads it from the cookie."""
    client.get("/")
    cookie = client.get_cookie(CSRF_COOKIE)
    assert cookie is not None, "the page set no CSRF cookie"
    return cookie.value


# --- callback requests --------------------------------------------------------------------------


def callback_for(app: Dash, first_input: str) -> tuple[str, dict]:
    """The callback_map key and entry of the callback whose first input is `first_input`."""
    for key, callback in app.callback_map.items():
        if callback["inputs"] and callback["inputs"][0]["id"] == first_input:
            return key, callback
    raise KeyError(first_input)


def _declared_outputs(callback_key: str) -> list[tuple[Any, str]]:
    """(id, property) of each output, read from the callback's key as the renderer reads it: several
    outputs as "..a.x...b.y..", each split at its last dot (dict ids hold dots, properties do not), and
    a property keeping its "@hash" when it is an allow_duplicate output."""
    multi = callback_key.startswith("..") and callback_key.endswith("..")
    parts = callback_key[2:-2].split("...") if multi else [callback_key]
    declared = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        declared.append((json.loads(component) if component.startswith("{") else component, prop))
    return declared


def _matches_pattern(pattern: Mapping[str, Any], concrete: Any) -> bool:
    if not isinstance(concrete, dict) or set(concrete) != set(pattern):
        return False
    return all(v in (["ALL"], ["MATCH"], ["ALLSMALLER"]) or concrete[k] == v for k, v in pattern.items())


def outputs_for(callback_key: str, tree: Component) -> Any:
    """`outputs` as the renderer sends them: the concrete ids on the page for a wildcard output, and a
    single dependency (not a list) for a callback with one output."""
    ids = component_ids(tree)
    outputs: list = []
    for component_id, prop in _declared_outputs(callback_key):
        if isinstance(component_id, dict):
            outputs.append([{"id": c, "property": prop} for c in ids if _matches_pattern(component_id, c)])
        else:
            outputs.append({"id": component_id, "property": prop})
    multi = callback_key.startswith("..") and callback_key.endswith("..")
    return outputs if multi else outputs[0]


_REVIEWER_TREES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reviewer_tree(app: Dash) -> Component:
    """The page as a reviewer sees it (every register component), built once per app."""
    if app not in _REVIEWER_TREES:
        _REVIEWER_TREES[app] = layout_for(app, REVIEWER)
    return _REVIEWER_TREES[app]


def initiative_request(
    app: Dash,
    fields: Mapping[str, Any] | None = None,
    figures: Sequence[Mapping[str, Any]] = (),
    *,
    key: str | None = None,
    update_of: Any = "",
    n_clicks: Any = 1,
    figure_count: Any = None,
    base_revision: Any = None,
    resubmits: Any = None,
) -> dict:
    """A `send_initiative` request: the Send button clicked with the form holding these values (`resubmits`: the
    returned submission "Edit and send again" loaded)."""
    fields = VALID_FIELDS if fields is None else fields
    callback_key, callback = callback_for(app, "register-submit")
    values: dict[str, Any] = {
        "register-submit": n_clicks,
        "register-update-of": update_of,
        "register-figure-count": figure_count if figure_count is not None else max(1, len(figures)),
        "register-initiative-key": key if key is not None else uuid.uuid4().hex,
        "register-base-revision": base_revision,
        "register-loaded-record": update_of or None,
        "register-resubmits": resubmits,
    }
    for name in INITIATIVE_FIELDS:
        if name != "figures":
            values[f"register-{name}"] = fields.get(name)
    for index in range(5):
        figure = figures[index] if index < len(figures) else {}
        for name in FIGURE_FIELDS:
            values[f"register-figure-{index}-{name}"] = figure.get(name)
    return {
        "output": callback_key,
        "outputs": outputs_for(callback_key, reviewer_tree(app)),
        "inputs": [{**d, "value": values[d["id"]]} for d in callback["inputs"]],
        "state": [{**d, "value": values[d["id"]]} for d in callback["state"]],
        "changedPropIds": ["register-submit.n_clicks"],
    }


NOTE_FORM = {
    "register-note-about_id": "about_id",
    "register-note-note_kind": "note_kind",
    "register-note-figure_id": "figure_id",
    "register-note-text": "text",
    "register-note-source": "source",
}


def note_request(app: Dash, fields: Mapping[str, Any], *, key: str | None = None, n_clicks: Any = 1) -> dict:
    """A `send_note` request: "Send note for review" clicked with the note form holding these values."""
    callback_key, callback = callback_for(app, "register-note-submit")
    values = {
        "register-note-submit": n_clicks,
        "register-note-key": key if key is not None else uuid.uuid4().hex,
        **{component: fields.get(name) for component, name in NOTE_FORM.items()},
    }
    return {
        "output": callback_key,
        "outputs": outputs_for(callback_key, reviewer_tree(app)),
        "inputs": [{**d, "value": values[d["id"]]} for d in callback["inputs"]],
        "state": [{**d, "value": values[d["id"]]} for d in callback["state"]],
        "changedPropIds": ["register-note-submit.n_clicks"],
    }


def review_request(
    app: Dash, submission_ids: Sequence[int], clicked: int, action: str = "publish", comment: str = ""
) -> dict:
    """A `review` request: the queue shows these submissions and the reviewer clicked `action` ("publish"
    or "return") on `clicked`, or "queue-refresh" to reload the queue."""
    callback_key, callback = callback_for(app, "register-queue-refresh")

    def buttons(kind: str) -> list[dict]:
        return [
            {
                "id": {"submission": s, "type": f"register-{kind}"},
                "property": "n_clicks",
                "value": 1 if (kind == action and s == clicked) else 0,
            }
            for s in submission_ids
        ]

    refresh = callback["inputs"][0]
    comments = [
        {
            "id": {"submission": s, "type": "register-comment"},
            "property": "value",
            "value": comment if s == clicked else "",
        }
        for s in submission_ids
    ]
    if action == "queue-refresh":
        changed = "register-queue-refresh"
    else:
        changed = json.dumps(
            {"submission": clicked, "type": f"register-{action}"}, separators=(",", ":"), sort_keys=True
        )
    return {
        "output": callback_key,
        "outputs": outputs_for(callback_key, reviewer_tree(app)),
        "inputs": [{**refresh, "value": 1 if action == "queue-refresh" else 0}, buttons("publish"), buttons("return")],
        "state": [comments],
        "changedPropIds": [f"{changed}.n_clicks"],
    }


def resend_request(app: Dash, submission_ids: Sequence[int], clicked: int) -> dict:
    """A `resend_returned` request: "Edit and send again" pressed on `clicked`, among the returned submissions
    "Your submissions" shows with the button."""
    [callback_key] = [
        k for k, c in app.callback_map.items() if "register-resend" in c["inputs"][0]["id"] and "register-title" in k
    ]
    button = {"submission": clicked, "type": "register-resend"}
    return {
        "output": callback_key,
        "outputs": outputs_for(callback_key, reviewer_tree(app)),
        "inputs": [
            [
                {
                    "id": {"submission": s, "type": "register-resend"},
                    "property": "n_clicks",
                    "value": 1 if s == clicked else 0,
                }
                for s in submission_ids
            ]
        ],
        "state": [],
        "changedPropIds": [f"{json.dumps(button, separators=(',', ':'), sort_keys=True)}.n_clicks"],
    }


def simple_request(app: Dash, callback_key: str, values: Mapping[str, Any] | None = None) -> dict:
    """A request for any callback without wildcard inputs: each input and state from `values` (by
    component id), else 1 for a button's clicks and None for anything else; the first input changed."""
    callback = app.callback_map[callback_key]
    values = values or {}

    def value(dep: dict) -> Any:
        if dep["id"] in values:
            return values[dep["id"]]
        return 1 if dep["property"] == "n_clicks" else None

    first = callback["inputs"][0]
    return {
        "output": callback_key,
        "outputs": outputs_for(callback_key, reviewer_tree(app)),
        "inputs": [{**d, "value": value(d)} for d in callback["inputs"]],
        "state": [{**d, "value": value(d)} for d in callback["state"]],
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


def callback_with_output(app: Dash, fragment: str) -> str:
    """The key of the callback whose outputs include `fragment` ("outcome-charts.children")."""
    [key] = [k for k in app.callback_map if fragment in k]
    return key


def overview_request(app: Dash) -> dict:
    """What the page sends once the outcomes overview comes into view, with the default filters: the request
    for its charts, which name every charted initiative (the page itself holds no chart until then)."""
    return simple_request(
        app,
        callback_with_output(app, "outcomes-overview.children"),
        {"filter-state": None, "outcomes-overview-seen": True},
    )


def register_count_note(added: int) -> str:
    """The map legend's line once the register has added `added` initiatives (components/map_panel.py)."""
    return f"Counts include {added} initiative{'' if added == 1 else 's'} added through the register"


def post_callback(
    client,
    payload: Any,
    *,
    user: str | None = CONTRIBUTOR,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
    environ_base: Mapping[str, str] | None = None,
):
    """POST a callback request as the page does: JSON, same origin, the token echoed from the cookie."""
    sent = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    if token is not None:
        sent["X-CSRFToken"] = token
    if user is not None:
        sent[USER_HEADER] = user
    sent.update(headers or {})
    return client.post(UPDATE_PATH, json=payload, headers=sent, environ_base=dict(environ_base or {}))


def response_values(response) -> dict[str, dict]:
    """The answer's outputs as {component id: {property: value}}."""
    body = response.get_json()
    return body.get("response", {}) if isinstance(body, dict) else {}


def submit_status(response, status_id: str = "register-submit-status") -> str:
    return str(response_values(response).get(status_id, {}).get("children", ""))


def field_errors(response, form: str = "initiative") -> dict[str, str]:
    """The error slots of a form that say something, as {field: message}."""
    errors = {}
    for component_id, props in response_values(response).items():
        try:
            parsed = json.loads(component_id)
        except ValueError:
            continue
        if isinstance(parsed, dict) and parsed.get("type") == "register-error" and parsed.get("form") == form:
            if props.get("children"):
                errors[parsed["field"]] = props["children"]
    return errors
