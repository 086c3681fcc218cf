"""Property tests of the register against hostile input, at three levels: the domain's validation, the
service storing on SQLite, and the contribute form's callback over HTTP. Whatever arrives, the answer
is a stored, re-validating record or a refusal naming the problem, never a crash, and nothing invalid
is stored. Hypothesis runs derandomized, so a failure here is the same failure on every run."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from domain.register import (
    BIDI_CONTROLS,
    FIGURE_FIELDS,
    FORMULA_STARTS,
    FREE_TEXT_FIELDS,
    INITIATIVE_FIELDS,
    NOTE_FIELDS,
    SubmissionInvalid,
    User,
    has_visible_text,
    payload_of,
    validate_initiative,
    validate_note,
)
from domain.schema import Initiative, Outcome
from services.register import RegisterService
from storage import register_store
from storage.database import connect, migrate
from tests.register_requests import (
    CONTRIBUTOR,
    SENT,
    VALID_FIELDS,
    VALID_FIGURE,
    initiative_request,
    note_request,
    page_token,
    post_callback,
    reference,
    register_app,
    stored_count,
    submit_status,
    valid_payload,
)

FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)

# Strings chosen for what they might break: markup and chart templates, SQL, links, the list separator,
# numbers in disguise, control and direction characters, a lone surrogate (valid as a JSON escape),
# ids and aliases the reference data knows, and lengths at and past each limit.
HOSTILE_STRINGS = [
    "",
    " ",
    "<script>alert(1)</script>",
    "<b>x</b>",
    "%{customdata[0]}",
    "'; DROP TABLE submissions; --",
    "javascript:alert(1)",
    "https://example.org/a b",
    "http://",
    "ftp://x",
    "https://ok.example/r",
    "|",
    " | | ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "-0",
    "0x1f",
    "1_000",
    "٢٠١٩",
    "2019",
    "1799",
    "2101",
    "30",
    "-30",
    "101",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "\u2028",
    "\ud800",
    "x\udfff",
    "\u200b",
    "\u200b\ufeff",
    "a\u2066b\u2069",
    "\x07",
    "=1+1",
    "+44 1234",
    "-3",
    "@SUM(A1)",
    "\tx",
    "\rx",
    ' =HYPERLINK("x")',
    "Kent Police | =x",
    "E23000001",
    "e23000001",
    "Kent",
    "kent",
    "mental-health",
    "pilot",
    "none reported",
    "percent",
    "reduction",
    "result",
    "erratum",
    "aston-project",
    "a" * 20,
    "a" * 200,
    "a" * 201,
    "a" * 500,
    "a" * 501,
    "a" * 2_000,
    "a" * 2_001,
]
hostile_text = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=30))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text)
hostile_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=6), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12,
)
# Long lists, over every list limit of the domain (20) and of the HTTP layer (200).
long_lists = st.integers(0, 260).flatmap(lambda n: st.just(["mental-health"] * n) | st.just(["E23000001"] * n))
any_value = st.one_of(hostile_values, long_lists)


def mutated(base: dict[str, Any], fields: tuple[str, ...], values) -> st.SearchStrategy[dict[str, Any]]:
    """`base` with each field kept, replaced by a value from `values`, or left out."""

    @st.composite
    def build(draw) -> dict[str, Any]:
        payload = dict(base)
        for name in fields:
            action = draw(st.sampled_from(("keep", "keep", "replace", "drop")))
            if action == "replace":
                payload[name] = draw(values)
            elif action == "drop":
                payload.pop(name, None)
        if draw(st.booleans()) and draw(st.booleans()):
            payload[draw(hostile_text)] = draw(values)  # a field the form never sends
        return payload

    return build()


figures = st.one_of(
    st.lists(mutated(VALID_FIGURE, FIGURE_FIELDS, any_value), max_size=3),
    st.lists(st.just(dict(VALID_FIGURE)), min_size=19, max_size=23),
    any_value,
)


@st.composite
def initiative_payloads(draw) -> dict[str, Any]:
    payload = draw(mutated(valid_payload(), tuple(f for f in INITIATIVE_FIELDS if f != "figures"), any_value))
    action = draw(st.sampled_from(("keep", "replace", "drop")))
    if action == "replace":
        payload["figures"] = draw(figures)
    elif action == "drop":
        payload.pop("figures")
    return payload


VALID_NOTE = {
    "about_id": "aston-project",
    "note_kind": "erratum",
    "text": "The paper gives the wrong year for the pilot's start.",
    "source": "https://example.org/erratum",
}
note_payloads = mutated(VALID_NOTE, NOTE_FIELDS, any_value)


def assert_no_refused_text(payload: Any) -> None:
    """What the register accepted holds no control or direction characters, no text of invisible characters
    only, nothing a spreadsheet would run as a formula, and no negative figure (issue 20, item 8)."""
    for field, value in _all_strings(payload):
        leaf = field.rsplit(".", 1)[-1]
        allowed = "\n\r\t" if leaf in ("summary", "text") else ""
        assert not any(unicodedata.category(c) == "Cc" and c not in allowed for c in value), (field, value)
        assert not set(value) & BIDI_CONTROLS, (field, value)
        assert value == "" or has_visible_text(value), (field, value)
        if leaf in FREE_TEXT_FIELDS:
            assert not any(part.strip().startswith(FORMULA_STARTS) for part in value.split("|")), (field, value)
    for figure in payload.get("figures", []) if isinstance(payload, dict) else []:
        assert float(figure["value"]) >= 0, figure


def _all_strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _all_strings(v, f"{path}.{k}" if path else k)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _all_strings(v, path)]
    return []


def assert_clean_initiative(payload: dict[str, Any]) -> None:
    """A payload the register accepted reads back as records of the curated schema, unchanged by a
    second validation (what is stored is exactly what was checked)."""
    initiative, outcomes = validate_initiative(payload, "new", reference())
    assert_no_refused_text(payload_of(initiative, outcomes))
    assert Initiative.model_validate(initiative.model_dump()) == initiative
    assert all(Outcome.model_validate(o.model_dump()) == o for o in outcomes)
    assert validate_initiative(payload_of(initiative, outcomes), "new", reference()) == (initiative, outcomes)


# --- 1. domain ---------------------------------------------------------------------------------------


@FUZZ
@given(initiative_payloads())
@example(valid_payload())
@example({})
@example(valid_payload(figures=[dict(VALID_FIGURE)] * 21))
@example(valid_payload(start_year=float("nan"), figures=[{**VALID_FIGURE, "value": float("inf")}]))
def test_reg_fuzz001_validate_initiative_returns_schema_records_or_submission_invalid(payload):
    try:
        initiative, outcomes = validate_initiative(payload, "new", reference())
    except SubmissionInvalid as exc:
        assert exc.problems and all(p.field and p.message for p in exc.problems)
        return
    assert_clean_initiative(payload_of(initiative, outcomes))


@FUZZ
@given(note_payloads)
@example(VALID_NOTE)
@example({})
def test_reg_fuzz001b_validate_note_returns_a_clean_note_or_submission_invalid(payload):
    try:
        note = validate_note(payload, reference())
    except SubmissionInvalid as exc:
        assert exc.problems and all(p.field and p.message for p in exc.problems)
        return
    assert set(note) == set(NOTE_FIELDS) and validate_note(note, reference()) == note
    assert_no_refused_text(note)


@pytest.mark.parametrize(
    "payload", [valid_payload(title=10**5_000), {"about_id": 10**5_000}], ids=["initiative", "note"]
)
def test_reg_fuzz001c_a_number_too_long_to_print_is_a_problem_not_a_crash(payload):
    # Python refuses to turn an int of more than 4,300 digits into text (ValueError). JSON bodies cannot
    # carry one (the parser refuses it first), but the domain's contract is for every caller.
    validate = validate_note if "about_id" in payload else (lambda p, r: validate_initiative(p, "new", r))
    with pytest.raises(SubmissionInvalid):
        validate(payload, reference())


# --- 2. service on SQLite -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('fuzz-service') / 'r.sqlite3'}")
    migrate(engine)
    service = RegisterService(engine, "Fuzz reviewers", submissions_per_hour=10**9, clock=lambda: NOW)
    # One published register record, so a proposed update has something to update.
    first = service.propose(User(CONTRIBUTOR, False), "new initiative", valid_payload(), reference())
    service.publish(User("rita", True), first.id, reference())
    yield service
    engine.dispose()


def submission_count(service: RegisterService) -> int:
    with service.engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM submissions")) or 0


proposals = st.one_of(
    st.tuples(st.just("new initiative"), initiative_payloads(), st.none()),
    st.tuples(st.just("update"), initiative_payloads(), st.sampled_from([None, "", "reg-0001", "reg-9999", "nope"])),
    st.tuples(st.just("note"), note_payloads, st.none()),
    st.tuples(hostile_text, initiative_payloads(), st.none()),
)


@FUZZ
@given(proposals)
def test_reg_fuzz002_propose_stores_only_what_validates(service, proposal):
    kind, payload, record_id = proposal
    before = submission_count(service)
    try:
        submission = service.propose(User(CONTRIBUTOR, False), kind, payload, reference(), record_id=record_id)
    except SubmissionInvalid:
        assert submission_count(service) == before
        return
    assert submission_count(service) == before + 1
    stored = register_store.get_submission(service.engine, submission.id).payload
    if kind == "note":
        assert validate_note(stored, reference()) == stored
    else:
        assert_clean_initiative(stored)
        assert payload_of(*validate_initiative(stored, "new", reference())) == stored


# --- 3. HTTP ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-http")
    app = register_app(folder, submissions_per_hour=10**9)
    client = app.server.test_client()
    return app, client, page_token(client), folder


STATE_IDS = (
    "register-update-of",
    *[f"register-{f}" for f in INITIATIVE_FIELDS if f != "figures"],
    "register-figure-count",
    "register-initiative-key",
    *[f"register-figure-{i}-{f}" for i in range(5) for f in FIGURE_FIELDS],
)


MUTATIONS = ("value", "value", "value", "drop-value", "drop-entry", "click", "drop-error-slot", "odd-error-slot")


def request_mutations(state_ids: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, str, Any]]]:
    """1 to 4 changes to a valid request: (what, component id, new value). Besides the values: a state
    left out, a `value` key missing, the click count replaced, and the form's error slots (the
    wildcard output) fewer than the page has or with a field the page does not have."""
    change = st.tuples(st.sampled_from(MUTATIONS), st.sampled_from(state_ids), any_value)
    return st.lists(change, min_size=1, max_size=4)


def apply(request: dict, changes: list[tuple[str, str, Any]]) -> dict:
    request = copy.deepcopy(request)
    for what, component, value in changes:
        entries = request["state"]
        index = next((i for i, e in enumerate(entries) if e.get("id") == component), None)
        slots = request["outputs"][0]
        if what == "click":
            request["inputs"][0]["value"] = value
        elif what == "drop-error-slot":
            if slots:
                del slots[len(component) % len(slots)]
        elif what == "odd-error-slot":
            field = value if isinstance(value, (str, int, float, bool)) else component
            slots.append({"id": {**slots[0]["id"], "field": field}, "property": "children"} if slots else None)
        elif index is None:
            continue
        elif what == "value":
            entries[index]["value"] = value
        elif what == "drop-value":
            entries[index].pop("value", None)
        else:
            del entries[index]
    request["outputs"][0] = [slot for slot in request["outputs"][0] if slot is not None]
    return request


def check_answer(http, request: dict, status_id: str = "register-submit-status") -> None:
    """Never a server error; a row stored only with "…sent for review", and then one that re-validates."""
    _app, client, token, folder = http
    before = stored_count(folder)
    response = post_callback(client, request, token=token)
    assert response.status_code < 500, response.data
    after = stored_count(folder)
    status = submit_status(response, status_id) if response.status_code == 200 else ""
    sent = SENT.lower() in status.lower()
    assert after - before in (0, 1)
    if after > before:
        assert sent, status
    if sent:
        # Stored now, or by an earlier request with the same idempotency key: either way, clean.
        number = int(re.search(r"#(\d+)", status).group(1))
        stored = stored_payload(folder, number)
        if status_id == "register-note-status":
            assert validate_note(stored, reference()) == stored
        else:
            assert_clean_initiative(stored)


def stored_payload(folder, submission_id: int) -> dict[str, Any]:
    engine = connect(f"sqlite:///{folder / 'r.sqlite3'}")
    try:
        return register_store.get_submission(engine, submission_id).payload
    finally:
        engine.dispose()


@FUZZ
@given(request_mutations(STATE_IDS))
@example([("value", "register-initiative-key", "\ud800")])
@example([("value", "register-update-of", "\ud800")])
def test_reg_fuzz003_mutated_send_requests_never_fail_and_store_only_what_is_sent(http, changes):
    app = http[0]
    check_answer(http, apply(initiative_request(app, VALID_FIELDS, [VALID_FIGURE]), changes))


@settings(FUZZ, max_examples=60)
@given(st.integers(0, 60).flatmap(lambda n: st.tuples(st.just(n), hostile_values)))
def test_reg_fuzz003b_a_hostile_value_in_every_field_at_once(http, drawn):
    # Every state of the form holds the same hostile value, up to a body just under the 64 KB cap.
    repeat, value = drawn
    request = initiative_request(http[0], VALID_FIELDS, [VALID_FIGURE])
    for entry in request["state"]:
        if entry["id"] != "register-initiative-key":
            entry["value"] = [value] * repeat if repeat > 1 else value
    if len(json.dumps(request)) < 60_000:
        check_answer(http, request)


NOTE_STATE_IDS = (
    "register-note-about_id",
    "register-note-note_kind",
    "register-note-text",
    "register-note-source",
    "register-note-key",
)


@FUZZ
@given(request_mutations(NOTE_STATE_IDS))
@example([("value", "register-note-key", "\ud800")])
def test_reg_fuzz004_mutated_note_requests_never_fail_and_store_only_what_is_sent(http, changes):
    check_answer(http, apply(note_request(http[0], VALID_NOTE), changes), "register-note-status")


def test_reg_fuzz003c_a_number_json_cannot_hold_as_int_is_refused_not_a_crash(http):
    app, client, token, folder = http
    before = stored_count(folder)
    body = json.dumps(initiative_request(app, VALID_FIELDS, [VALID_FIGURE])).replace(
        '"register-start_year", "property": "value", "value": "2019"',
        '"register-start_year", "property": "value", "value": ' + "9" * 5_000,
    )
    assert "9" * 5_000 in body
    response = client.post(
        "/_dash-update-component",
        data=body,
        content_type="application/json",
        headers={"X-Remote-User": CONTRIBUTOR, "X-CSRFToken": token, "Origin": "http://localhost"},
    )
    assert response.status_code == 400
    assert stored_count(folder) == before
