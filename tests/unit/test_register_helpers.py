"""The register UI's helpers, called directly: what each callback in components/register/ delegates to,
with small stand-ins for the service and the data source (no app, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from flask import Flask
from werkzeug.exceptions import Forbidden as HTTPForbidden

from components.register import common, note, pickers, propose, review, submissions, update_draft
from components.register.common import RegisterContext, rid
from components.register.fields import FIGURE_ROWS, empty_form, figure_id, form_outputs
from domain.register import FieldProblem, SubmissionInvalid, User
from settings import Settings
from storage.errors import RegisterUnavailable

ALICE = User("alice", False)


@dataclass
class FakeService:
    """Answers as the register service would, or raises `failure` from every call."""

    failure: Exception | None = None
    calls: list[tuple] = field(default_factory=list)

    def _answer(self, name: str, *args: Any) -> Any:
        self.calls.append((name, *args))
        if self.failure is not None:
            raise self.failure
        return []

    def record(self, record_id: str) -> Any:
        return self._answer("record", record_id)

    def my_submissions(self, user: User) -> Any:
        return self._answer("my_submissions", user)

    def withdraw(self, user: User, record_id: str, reason: str) -> Any:
        return self._answer("withdraw", user, record_id, reason)


@dataclass
class FakeSource:
    version: str = "v1"
    refreshed: int = 0

    def refresh(self) -> None:
        self.refreshed += 1
        self.version = f"v{self.refreshed + 1}"

    def current(self) -> Any:
        return SimpleNamespace(version=self.version)


def context(service: FakeService | None = None, source: FakeSource | None = None) -> RegisterContext:
    settings = Settings(register=True)
    return RegisterContext(source or FakeSource(), service or FakeService(), settings)  # type: ignore[arg-type]  # stand-ins with just what the helpers use


def slots(*fields: str) -> list[dict]:
    return [{"id": common.error_id("initiative", f)} for f in fields]


# ---- common ---------------------------------------------------------------------------------------------


def test_reg_help001_the_user_checks_answer_403_without_a_trusted_user_or_a_reviewer():
    server = Flask(__name__)
    with server.test_request_context("/"):
        with pytest.raises(HTTPForbidden):
            common.user_or_403(Settings(register=True))
        assert common.user_or_403(Settings(register=True, dev_user="alice")) == ALICE
        with pytest.raises(HTTPForbidden):
            common.reviewer_or_403(Settings(register=True, dev_user="alice"))
        reviewer = Settings(register=True, dev_user="rita", reviewers=frozenset({"rita"}))
        assert common.reviewer_or_403(reviewer) == User("rita", True)


def test_reg_help002_problems_go_to_their_slots_and_the_rest_to_the_general_one_named_by_field():
    problems = [
        FieldProblem("title", "is required"),
        FieldProblem("figures.5.value", "must be a number"),
        FieldProblem("-", "Too many proposals."),
    ]
    shown = common.field_errors(problems, slots("title", "place", "-"))
    assert shown[1] == ""
    assert shown[0] and shown[0].endswith(".")
    assert shown[2].startswith("Figure 6, ") and "Too many proposals." in shown[2]
    assert common.general_label("figures.0.value") == "Figure 1, Value"


def test_reg_help003_a_draft_key_is_the_same_for_the_same_draft_and_new_for_an_edit():
    key = common.draft_key(ALICE, "new", "d1", {"title": "A"})
    assert key == common.draft_key(ALICE, "new", "d1", {"title": "A"})
    assert key != common.draft_key(ALICE, "new", "d1", {"title": "B"})
    assert key != common.draft_key(User("bob", False), "new", "d1", {"title": "A"})
    assert common.draft_key(ALICE, "new", "", {"title": "A"}) is None
    assert common.draft_key(ALICE, "new", 7, {"title": "A"}) is None


def test_reg_help004_records_and_snapshots_read_through_the_context():
    assert common.stored_record(FakeService(failure=SubmissionInvalid([FieldProblem("id", "bad")])), "x") is None
    with pytest.raises(RegisterUnavailable):
        common.stored_record(FakeService(failure=RegisterUnavailable("away")), "reg-0001")
    source = FakeSource()
    assert common.refreshed(source).version == "v2" and source.refreshed == 1  # type: ignore[arg-type]  # a stand-in source
    assert common.failure_message(RegisterUnavailable("away")) == common.UNAVAILABLE
    assert common.failure_message(RuntimeError("too many")) == "Too many."  # a whole sentence (issue 22)


# ---- the features ---------------------------------------------------------------------------------------


def test_reg_help005_your_submissions_stay_as_shown_when_the_register_goes_away_after_a_write():
    away = FakeService(failure=RegisterUnavailable("away"))
    assert submissions.my_submissions_or_unchanged(away, ALICE) is no_update
    assert submissions.my_submissions(away, ALICE).children == common.UNAVAILABLE_NOW
    assert submissions.my_submissions(FakeService(), ALICE).children == "You have sent nothing yet."
    withdrawn = SimpleNamespace(record_state="withdrawn", status="published", withdrawn_at=None, withdrawn_reason="")
    assert submissions.status_text(withdrawn) == "published; withdrawn on an unknown date: no reason given"


def test_reg_help006_the_proposal_form_counts_rows_adds_forces_and_keeps_only_filled_figures():
    assert propose.rows_shown(False, 2)["count"] == 2
    assert propose.rows_shown(True, FIGURE_ROWS) == dict(hidden=[False] * FIGURE_ROWS, count=FIGURE_ROWS)
    assert propose.rows_shown(True, True)["count"] == 2  # a bool from the browser is not a count
    names = {"E1": "One Police", "E2": "Two Police"}
    assert propose.with_force(["E1", 3], "E2", names) == (["E1", "E2"], "")
    # Trial 14 (medium): pressed with no force selected, the button did nothing and said nothing.
    assert propose.with_force("junk", None, names) == (
        no_update,
        "Select a force on the map (or in the Force list) first.",
    )
    assert propose.with_force(["E1"], "E1", names) == (no_update, "One Police is already in Force areas.")
    rows = [{"measure": "Arrests", "value": ""}, {"measure": "", "value": None}]
    assert propose.proposal_figures(None, rows) == [rows[0]]


def test_reg_help007_a_note_names_a_figure_only_when_one_is_chosen():
    fields = {"about_id": "i1", "note_kind": "erratum", "figure_id": "", "text": "t", "source": "s"}
    assert "figure_id" not in note.note_payload(fields)
    assert note.note_payload({**fields, "about_id": "i2"})["about_id"] == "i2"


def test_reg_help008_an_update_draft_is_read_back_only_for_its_record_at_a_known_revision():
    values = {
        rid("title"): "Renamed",
        rid("force_ids"): ["E1", 5],
        rid("stage"): 3,
        figure_id(1, "value"): "12",
        rid("figure-count"): 2,
    }
    kept = update_draft.draft_form({"record_id": "reg-0001", "base_revision": 2, "values": values}, "reg-0001")
    assert kept is not None
    assert kept["text"]["title"] == "Renamed" and kept["text"]["place"] == ""
    assert kept["choices"]["force_ids"] == ["E1"] and kept["choices"]["stage"] is None
    assert kept["rows"][1]["value"] == "12" and kept["count"] == 2 and kept["loaded"] == "reg-0001"
    assert set(kept) == set(form_outputs())  # the shape the form's outputs take
    for junk in (
        {"record_id": "reg-0002", "base_revision": 2, "values": values},
        {"record_id": "reg-0001", "base_revision": True, "values": values},
        {"record_id": "reg-0001", "base_revision": 2, "values": "junk"},
        None,
    ):
        assert update_draft.draft_form(junk, "reg-0001") is None
    assert update_draft.restored_draft("reg-0001", None) is None
    assert set(empty_form()) == set(form_outputs())


def test_reg_help009_the_picker_note_says_when_the_record_moved_on():
    published = SimpleNamespace(state="published", revision=3)
    assert update_draft.moved_on("reg-0001", published, 3) == ""
    assert "now at revision 3" in update_draft.moved_on("reg-0001", published, 2)
    assert "no longer published" in update_draft.moved_on("reg-0001", None, 2)
    assert update_draft.picker_note(context(), "", 1) == dict(note="", hidden=True)
    away = context(FakeService(failure=RegisterUnavailable("away")))
    assert update_draft.picker_note(away, "reg-0001", 1) == dict(note=no_update, hidden=False)


def test_reg_help010_a_review_click_reaches_the_database_only_with_an_id_a_submission_can_have():
    publish = {"type": rid("publish"), "submission": 7}
    assert review.decided_submission(publish, [1, 0]) == 7
    assert review.decided_submission(rid("queue-refresh"), [1]) is None
    assert review.decided_submission(publish, [0, None]) is None  # the buttons drawn, none clicked
    for bad in ("7", True, 0, 2**31):
        with pytest.raises(PreventUpdate):
            review.decided_submission({**publish, "submission": bad}, [1])
    assert review.comment_for(7, [5, 7], ["five", "seven"]) == "seven"
    assert review.comment_for(9, [5, 7], ["five", "seven"]) == ""


def test_reg_help011_a_withdrawal_needs_a_record_and_a_reason_before_the_service_is_asked():
    service = FakeService()
    assert review.withdraw_record(context(service), ALICE, None, "why") == "Choose the record to withdraw."
    assert review.withdraw_record(context(service), ALICE, "reg-0001", "  ").startswith("Say why")
    assert service.calls == []
    assert (
        review.withdraw_record(
            context(FakeService(failure=RegisterUnavailable("away"))), ALICE, "reg-0001", "duplicate"
        )
        == common.UNAVAILABLE_NOW
    )
    source = FakeSource()
    assert review.written_if(context(source=source), "Withdrawn reg-0001", "Withdrawn")["written"] == "v2"
    assert review.written_if(context(source=source), "Not withdrawn", "Withdrawn")["written"] is no_update


def test_reg_help012_the_pickers_refresh_only_when_the_register_moved_on():
    with pytest.raises(PreventUpdate):
        pickers.pickers_of(SimpleNamespace(version="v1"), "v1")  # type: ignore[arg-type]  # a stand-in snapshot


# --- issue 22: lists one per line, the error summary, whole sentences, the way in ----------------------------


def test_reg_help013_a_list_is_typed_one_per_line_and_an_old_draft_between_bars_reads_the_same():
    from components.register.fields import form_values, listed

    assert listed("Kent Police\r\n\n  Kent and Medway NHS Trust \n") == ["Kent Police", "Kent and Medway NHS Trust"]
    assert listed("Kent Police | Kent and Medway NHS Trust") == ["Kent Police", "Kent and Medway NHS Trust"]
    assert listed("") == [] and listed(None) is None and listed(["a"]) == ["a"]  # a list is the domain's to check
    shown = form_values({"lead_organisations": ["Kent Police", "NHS"], "partners": [], "place": "Ashford"})["text"]
    assert shown["lead_organisations"] == "Kent Police\nNHS" and shown["partners"] == "" and shown["place"] == "Ashford"


def test_reg_help014_the_error_summary_counts_names_and_links_each_field_in_the_forms_order():
    from components.register.fields import control_id, control_order

    problems = [
        FieldProblem("figures.0.value", "is required"),
        FieldProblem("title", "is required"),
        FieldProblem("force_ids", "'x' is not a force"),
        FieldProblem("title", "is longer than 200 characters"),
        FieldProblem("figures.7.value", "is required"),
        FieldProblem("-", "unknown kind of submission 'x'"),
    ]
    heading, items = common.error_summary(problems, control_id, control_order())
    assert heading.children == (
        "5 fields need attention: Title, Force areas, Figure 1 value, Figure 8 value and The proposal as a whole."
    )
    first = items.children[0].children
    assert first[0].children == "Title" and first[0].href == "#register-title"
    assert first[1] == ": Give the initiative a title. Title is longer than 200 characters."
    assert items.children[2].children[0].to_plotly_json()["props"]["data-register-focus"] == "register-figure-0-value"
    assert not hasattr(items.children[3].children[0], "href")  # a figure past the form's rows: named, no link
    assert common.error_summary([], control_id) == []
    one, _ = common.error_summary([FieldProblem("about_id", "is required")], note.note_control)
    assert one.children == "1 field needs attention: Initiative."


def test_reg_help015_refusals_are_whole_sentences():
    assert common.whole_sentence("no record reg-0003") == "No record reg-0003."
    assert common.whole_sentence("Record reg-0003 changed.") == "Record reg-0003 changed."
    service = FakeService(failure=SubmissionInvalid([FieldProblem("reason", "say why the record is withdrawn")]))
    with Flask(__name__).test_request_context():
        said = review.withdraw_record(context(service=service), ALICE, "reg-0001", "a reason")
    assert said == "Not withdrawn: Say why the record is withdrawn."


def test_reg_help016_the_way_in_sits_below_the_pages_header_and_names_what_the_user_can_do():
    from dash import dcc, html

    import components.register as register

    page = [html.A("Skip"), dcc.Store(id="s"), html.Header("h"), html.Div("notice"), html.Main("m")]
    section = html.Section(id=rid("section"))
    placed = register.with_section(page, User("rita", True), section)
    assert [type(c).__name__ for c in placed] == ["A", "Store", "Header", "Nav", "Div", "Main", "Section"]
    first, _, queue = placed[3].children
    assert first.children == "Propose or review an initiative" and first.href == "#register-heading"
    assert queue.children == "Go to the review queue" and queue.href == "#register-review-heading"
    [only] = register.way_in(ALICE).children
    assert only.children == "Propose an initiative or a note"
