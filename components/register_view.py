"""UI feature: the register's write views — propose, see your submissions, review and publish.

Present only when PPH_REGISTER=1 and the request has a trusted user (components.identity); every
register callback checks the user again and answers 403 without one. Callbacks only wire the form
to `services.register`, which validates with the domain's rules and stores through `storage`.

Drafts stay in the browser until sent, kept per user: each field's persistence value is the user's
name, so the browser's storage key holds it and a second user of one browser profile starts afresh.
The draft's key (`register-initiative-key`, kept in local storage with the draft) and the draft's
content together make the idempotency key, so a reload after a lost answer resends under the same
key and an edited draft goes under a new one.

An update's draft is kept whole, because Dash's persistence keeps what a user typed but not what a
callback set, and a loaded record's fields are set by one: assets/register-drafts.js writes the record
id, the revision it was loaded at and every field and figure row as shown to local storage under the
user's own key (`update_draft_slot`) whenever one changes, and reads it back once as the page opens;
`load_record_to_update` then restores it instead of loading the record again.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import abort, request

from components.identity import current_user
from components.ids import Ids
from components.view_state import state_from_store
from domain.register import (FIELD_LABELS, FIGURE_FIELDS, NOTE_FIELDS, NOTE_KINDS, FieldProblem, Reference,
                             ReviewDiff, SubmissionInvalid, User, form_figure, form_text, merge_figures, review_diff,
                             sentence)
from domain.schema import Direction, Evaluation, FigureKind, Qualifier, Status, Unit
from domain.source import DataSource, Snapshot
from services.register import Forbidden, RateLimited, RegisterService
from settings import Settings
from storage.errors import Conflict, NotFound, RegisterUnavailable

PREFIX = "register-"
MAX_SUBMISSION_ID = 2 ** 31  # far beyond any register; both databases store it
FIGURE_ROWS = 5  # rows the form offers; an import may carry more, and an update keeps those as they are
# Queue items shown at once: each carries its diff and a comment box, and every review request sends every
# box back, so a long queue would make each review slower than the last.
QUEUE_SHOWN = 20
# How often an open page asks whether the register published something, to refresh its pickers.
PICKER_CHECK_MS = 20_000
TEXT_FIELDS = ("title", "place", "lead_organisations", "partners", "start_year", "end_year", "summary", "source")
CHOICE_FIELDS = ("force_ids", "themes", "status", "evaluation")
FIGURE_TEXT = ("measure", "value", "period", "comparator", "source")
NOTE_FORM_FIELDS = ("about_id", "note_kind", "figure_id", "text", "source")
UNAVAILABLE = ("The register is unavailable just now. Your draft is kept in this browser; "
               "please send it again in a few minutes.")
# For what is not a draft: a reviewer's decision, a withdrawal, a list being read.
UNAVAILABLE_NOW = "The register is unavailable just now; nothing was changed. Please try again in a few minutes."


def rid(name: str) -> str:
    return f"{PREFIX}{name}"


def error_id(form: str, field: str) -> dict:
    return {"type": rid("error"), "form": form, "field": field}


def figure_id(index: int, field: str) -> str:
    return rid(f"figure-{index}-{field}")


def draft_tag(user: User) -> str:
    """The persistence value of every draft field: the browser keeps each user's draft under their name."""
    return f"draft-of:{user.name}"


def update_draft_slot(user: User) -> str:
    """The local-storage key of this user's update draft (assets/register-drafts.js writes and reads it)."""
    return f"{PREFIX}update-{draft_tag(user)}"


def _options(values: Sequence[str]) -> list[dict]:
    return [{"label": v or "(none)", "value": v} for v in values]


def _field(label: str, control: Any, form: str, field: str, hint: str = "") -> html.Div:
    return html.Div([
        html.Label(label, htmlFor=control.id),
        control,
        html.Small(hint, className="hint") if hint else None,
        html.P(id=error_id(form, field), className="field-error", role="alert"),
    ], className="register-field")


def _text(field: str, tag: str, **kwargs: Any) -> dcc.Input:
    return dcc.Input(id=rid(field), type="text", debounce=True, persistence=tag, persistence_type="local",
                     value="", **kwargs)


def _choice(component_id: str, options: list[dict], tag: str, **kwargs: Any) -> dcc.Dropdown:
    return dcc.Dropdown(id=component_id, options=options, persistence=tag, persistence_type="local", **kwargs)


def _figure_row(index: int, tag: str) -> html.Fieldset:
    def choice(field: str, values: Sequence[str]) -> dcc.Dropdown:
        return _choice(figure_id(index, field), _options(values), tag, clearable=True)

    def text(field: str) -> dcc.Input:
        return dcc.Input(id=figure_id(index, field), type="text", persistence=tag, persistence_type="local", value="",
                         maxLength=500)

    prefix = f"figures.{index}."
    return html.Fieldset([
        html.Legend(f"Figure {index + 1}"),
        _field("What was measured", text("measure"), "initiative", f"{prefix}measure"),
        _field("Value (a number)", text("value"), "initiative", f"{prefix}value",
               "The size, never below 0; say whether it rose or fell in Direction."),
        _field("Unit", choice("unit", Unit.__args__), "initiative", f"{prefix}unit"),  # type: ignore[attr-defined]
        _field("Qualifier", choice("qualifier", Qualifier.__args__), "initiative", f"{prefix}qualifier"),  # type: ignore[attr-defined]
        _field("Direction", choice("direction", Direction.__args__), "initiative", f"{prefix}direction"),  # type: ignore[attr-defined]
        _field("Period", text("period"), "initiative", f"{prefix}period"),
        _field("Compared with", text("comparator"), "initiative", f"{prefix}comparator"),
        _field("Kind of figure", choice("kind", FigureKind.__args__), "initiative", f"{prefix}kind",  # type: ignore[attr-defined]
               "Only a result measures what the initiative achieved."),
        _field("Source of this figure (link or citation)", text("source"), "initiative", f"{prefix}source"),
    ], id=rid(f"figure-{index}"), className="register-figure", hidden=index > 0)


# ---- the pickers, from the snapshot on show: refreshed after every publication ----------------------------


def update_options(snapshot: Snapshot) -> list[dict]:
    dataset = snapshot.dataset
    return [{"label": "A new initiative", "value": ""},
            *({"label": dataset.initiatives_by_id[i].title, "value": i} for i in sorted(dataset.provenance))]


def _note_label(note: Any, snapshot: Snapshot) -> str:
    about = snapshot.dataset.initiatives_by_id.get(note.about_id)
    excerpt = note.text if len(note.text) <= 60 else f"{note.text[:59]}…"
    return f"Note {note.record_id} ({note.kind}) on {about.title if about else note.about_id}: {excerpt}"


def withdraw_options(snapshot: Snapshot) -> list[dict]:
    """Every published register record a reviewer may withdraw: initiatives, then notes."""
    dataset = snapshot.dataset
    return [*({"label": dataset.initiatives_by_id[i].title, "value": i} for i in sorted(dataset.provenance)),
            *({"label": _note_label(n, snapshot), "value": n.record_id} for n in dataset.notes)]


def note_options(snapshot: Snapshot) -> list[dict]:
    return [{"label": _note_label(n, snapshot), "value": n.record_id} for n in snapshot.dataset.notes]


def about_options(snapshot: Snapshot) -> list[dict]:
    dataset = snapshot.dataset
    paper = sorted((i for i in dataset.initiatives if i.id not in dataset.provenance), key=lambda i: i.title)
    return [{"label": i.title, "value": i.id} for i in paper]


def figure_options(snapshot: Snapshot, initiative_id: object) -> list[dict]:
    """The figures of the initiative a note is about, for a note that names one of them."""
    if not isinstance(initiative_id, str):
        return []
    return [{"label": f"{o.measure}: {o.direction}, {o.value:g} {o.unit}", "value": o.id}
            for o in snapshot.dataset.outcomes if o.initiative_id == initiative_id]


def contribute_form(snapshot: Snapshot, user: User) -> html.Section:
    dataset = snapshot.dataset
    tag = draft_tag(user)
    forces = sorted(dataset.forces, key=lambda f: f.name)
    return html.Section([
        html.H3("Propose an initiative, or an update to one the register holds"),
        _field("What this proposal is", _choice(rid("update-of"), update_options(snapshot), tag, value="",
                                                clearable=False),
               "initiative", "record_id", "Choosing a register record loads all of it, figures too: change only "
               "what should change. Your changes are kept in this browser until you send them."),
        # Beside the picker: whether the record has moved on since the draft loaded it, and a way back to it.
        html.P(id=rid("update-note"), className="field-error", role="status"),
        html.Button("Discard my changes", id=rid("discard"), n_clicks=0, className="button", hidden=True,
                    title="Load the record again as it is published now"),
        _field("Title", _text("title", tag, maxLength=200), "initiative", "title"),
        _field("Force areas", _choice(rid("force_ids"), [{"label": f.name, "value": f.id} for f in forces], tag,
                                      multi=True), "initiative", "force_ids", "Leave empty for national work."),
        html.Button("Add the force selected on the map", id=rid("add-selected-force"), n_clicks=0, className="button"),
        _field("Place", _text("place", tag, maxLength=200), "initiative", "place"),
        _field("Lead organisations", _text("lead_organisations", tag, maxLength=1000), "initiative", "lead_organisations",
               "Separate several with |"),
        _field("Partners", _text("partners", tag, maxLength=1000), "initiative", "partners", "Separate several with |"),
        _field("Themes", _choice(rid("themes"), [{"label": t.label, "value": t.id} for t in dataset.themes], tag,
                                 multi=True), "initiative", "themes"),
        _field("Status", _choice(rid("status"), _options(Status.__args__), tag),  # type: ignore[attr-defined]
               "initiative", "status"),
        _field("Evaluation", _choice(rid("evaluation"), _options(Evaluation.__args__), tag),  # type: ignore[attr-defined]
               "initiative", "evaluation"),
        _field("First year", _text("start_year", tag, maxLength=4), "initiative", "start_year"),
        _field("Last year", _text("end_year", tag, maxLength=4), "initiative", "end_year"),
        _field("Summary, in your own words", dcc.Textarea(id=rid("summary"), value="", maxLength=2000, persistence=tag,
                                                          persistence_type="local"), "initiative", "summary"),
        _field("Source (a link or a citation)", _text("source", tag, maxLength=500), "initiative", "source"),
        html.Div([_figure_row(i, tag) for i in range(FIGURE_ROWS)], className="register-figures"),
        html.P(id=error_id("initiative", "figures"), className="field-error", role="alert"),
        html.P(id=error_id("initiative", "-"), className="field-error", role="alert"),
        html.Button("Add another figure", id=rid("add-figure"), n_clicks=0, className="button"),
        dcc.Store(id=rid("figure-count"), data=1, storage_type="local"),
        # The draft's own key, kept with the draft; a new one once it is stored. See the module's docstring.
        dcc.Store(id=rid("initiative-key"), data=uuid.uuid4().hex, storage_type="local"),
        dcc.Store(id=rid("initiative-sent")),
        # The record whose fields the form holds, and the revision it was loaded at: an update is made against
        # it. Kept across a reload by the update's draft (see the module's docstring), per user.
        dcc.Store(id=rid("loaded-record")),
        dcc.Store(id=rid("base-revision")),
        dcc.Store(id=rid("update-draft-slot"), data=update_draft_slot(user)),
        dcc.Store(id=rid("update-draft-start")),  # the draft as the page opened, read once
        dcc.Store(id=rid("update-draft-kept")),  # the draft as last kept: what the browser holds now
        html.Button("Send for review", id=rid("submit"), n_clicks=0, className="button primary"),
        html.P(id=rid("submit-status"), role="status", className="register-status"),
    ], className="register-form", **{"aria-label": "Propose an initiative"})


def note_form(snapshot: Snapshot, user: User) -> html.Section:
    tag = draft_tag(user)
    return html.Section([
        html.H3("Add a note to one of the paper's initiatives"),
        html.P("An erratum or a follow-up is shown beside the paper's record; it never changes what the paper says."),
        _field("Initiative", _choice(rid("note-about_id"), about_options(snapshot), tag), "note", "about_id"),
        _field("Figure (optional)", _choice(rid("note-figure_id"), [], tag), "note", "figure_id",
               "Choose the figure the note corrects or follows up, if it is about one."),
        _field("Kind of note", _choice(rid("note-note_kind"), _options(NOTE_KINDS), tag), "note", "note_kind"),
        _field("Note, in your own words", dcc.Textarea(id=rid("note-text"), value="", maxLength=2000, persistence=tag,
                                                       persistence_type="local"), "note", "text"),
        _field("Source (a link or a citation)", dcc.Input(id=rid("note-source"), type="text", value="", maxLength=500,
                                                          persistence=tag, persistence_type="local"), "note", "source"),
        html.P(id=error_id("note", "-"), className="field-error", role="alert"),
        dcc.Store(id=rid("note-key"), data=uuid.uuid4().hex, storage_type="local"),
        dcc.Store(id=rid("note-sent")),
        html.Button("Send note for review", id=rid("note-submit"), n_clicks=0, className="button"),
        html.P(id=rid("note-status"), role="status", className="register-status"),
    ], className="register-form", **{"aria-label": "Add a note"})


def review_section(snapshot: Snapshot) -> html.Section:
    return html.Section([
        html.H3("Review queue"),
        html.Button("Refresh the queue", id=rid("queue-refresh"), n_clicks=0, className="button"),
        html.Div(id=rid("queue"), **{"aria-live": "polite"}),
        html.P(id=rid("review-status"), role="status", className="register-status"),
        html.H3("Withdraw a published register record or note"),
        html.P("A withdrawn record leaves the map but is kept, with its history; its contributor reads your reason."),
        html.Label("Record", htmlFor=rid("withdraw-record")),
        dcc.Dropdown(id=rid("withdraw-record"), options=withdraw_options(snapshot)),
        html.Label("Why it is withdrawn (required)", htmlFor=rid("withdraw-reason")),
        dcc.Input(id=rid("withdraw-reason"), type="text", value="", maxLength=500),
        html.Button("Withdraw", id=rid("withdraw"), n_clicks=0, className="button"),
        html.P(id=rid("withdraw-status"), role="status", className="register-status"),
        html.H3("Amend a published note"),
        html.P("The amended text is published at once as the note's next revision, with your reason in its history."),
        html.Label("Note", htmlFor=rid("amend-record")),
        dcc.Dropdown(id=rid("amend-record"), options=note_options(snapshot)),
        html.Label("Note, as it should read", htmlFor=rid("amend-text")),
        dcc.Textarea(id=rid("amend-text"), value="", maxLength=2000),
        html.Label("Source (a link or a citation)", htmlFor=rid("amend-source")),
        dcc.Input(id=rid("amend-source"), type="text", value="", maxLength=500),
        html.Label("Why it is amended (required)", htmlFor=rid("amend-reason")),
        dcc.Input(id=rid("amend-reason"), type="text", value="", maxLength=500),
        dcc.Store(id=rid("amend-revision")),
        html.Button("Amend the note", id=rid("amend"), n_clicks=0, className="button"),
        html.P(id=rid("amend-status"), role="status", className="register-status"),
    ], className="register-review", **{"aria-label": "Review"})


def layout(snapshot: Snapshot, user: User | None) -> html.Section | None:
    """The register's section for this user: absent without a trusted user, review for reviewers only."""
    if user is None:
        return None
    role = "reviewer" if user.is_reviewer else "contributor"
    return html.Section([
        html.H2("The register: work the paper does not record"),
        html.P(f"Signed in as {user.name} ({role}). What you send is reviewed before it appears on the map; "
               "each published record is marked as coming from the register, not from the 2016 paper."),
        contribute_form(snapshot, user),
        note_form(snapshot, user),
        html.Section([
            html.H3("Your submissions"),
            html.Button("Refresh", id=rid("mine-refresh"), n_clicks=0, className="button"),
            html.Div(id=rid("mine"), **{"aria-live": "polite"}),
        ], className="register-mine"),
        review_section(snapshot) if user.is_reviewer else None,
        # The register version the pickers show; a publication or withdrawal, here or elsewhere, moves it.
        dcc.Store(id=rid("pickers-version"), data=snapshot.version),
        dcc.Store(id=rid("written")),  # a reviewer's publication, withdrawal or amendment on this page
        dcc.Interval(id=rid("pickers-check"), interval=PICKER_CHECK_MS),
    ], id=rid("section"), className="register", **{"aria-label": "Register"})


def validation_layout(snapshot: Snapshot) -> html.Section | None:
    """Every register component, as a reviewer sees them: what Dash checks callbacks against."""
    return layout(snapshot, User("validation", True))


# ---- what the callbacks show ----------------------------------------------------------------------------


def _status_text(s: Any) -> str:
    if getattr(s, "record_state", None) == "withdrawn":
        when = s.withdrawn_at.strftime("%Y-%m-%d") if s.withdrawn_at else "an unknown date"
        return f"{s.status}; withdrawn on {when}: {s.withdrawn_reason or 'no reason given'}"
    return str(s.status)


def _status_table(submissions: Sequence[Any]) -> html.Table | html.P:
    if not submissions:
        return html.P("You have sent nothing yet.", className="empty")
    rows = [html.Tr([html.Td(f"#{s.id}"), html.Td(s.kind), html.Td(str(s.payload.get("title") or s.payload.get("text", ""))[:80]),
                     html.Td(s.submitted_at.strftime("%Y-%m-%d %H:%M")), html.Td(_status_text(s)),
                     html.Td(s.review_comment or "—")]) for s in submissions]
    return html.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                           ("Number", "Kind", "Title or note", "Sent (UTC)", "Status", "Reviewer's comment")])),
                       html.Tbody(rows)], className="register-table")


def _diff_block(diff: ReviewDiff) -> list:
    """The fields a proposal changes by their labels, its figures as rows, and a warning before any removal."""
    blocks: list = []
    if diff.warning:
        blocks.append(html.P(diff.warning, className="register-warning", role="note"))
    rows = [html.Tr([html.Th(c.label, scope="row"), html.Td(c.before), html.Td(c.after)]) for c in diff.fields]
    rows += [html.Tr([html.Th(f"Figure {c.change}", scope="row"), html.Td(c.before), html.Td(c.after)])
             for c in diff.figures]
    if not rows:
        rows = [html.Tr([html.Td("This proposal changes nothing.", colSpan=3)])]
    blocks.append(html.Table([html.Thead(html.Tr([html.Th("Field", scope="col"), html.Th("Now", scope="col"),
                                                  html.Th("Proposed", scope="col")])), html.Tbody(rows)],
                             className="register-table register-diff"))
    return blocks


def _queue(items: Sequence[Any], waiting: int, names: tuple[Mapping[str, str], Mapping[str, str]], reviewer: User,
           review_own: bool) -> list:
    """The queue's oldest items; with more waiting, a line saying how many are not shown yet."""
    if not items:
        return [html.P("Nothing is waiting for review.", className="empty")]
    blocks = []
    if waiting > len(items):
        blocks.append(html.P(f"Showing the {len(items)} oldest of {waiting} submissions waiting. Publish or return "
                             "these, and the next ones follow.", className="queue-more"))
    for item in items:
        s = item.submission
        own = s.submitted_by == reviewer.name
        own_line = None
        if own:
            own_line = html.P("You proposed this yourself: publishing it marks the record as self-published."
                              if review_own else "You proposed this yourself, so another reviewer must publish it.",
                              className="register-own")
        against = ""
        if s.kind == "update" and s.base_revision:
            against = f" Proposed against revision {s.base_revision} of {s.record_id}."
        blocks.append(html.Article([
            html.H4(f"#{s.id}: {s.kind} — {s.payload.get('title') or s.payload.get('about_id', '')}"),
            html.P(f"Sent by {s.submitted_by} on {s.submitted_at.strftime('%Y-%m-%d %H:%M')} UTC.{against}"),
            own_line,
            *_diff_block(review_diff(item.current or {}, s.payload, *names)),
            # The label wraps the field: a pattern-matching id cannot be named by a label's `for`.
            html.Label([f"Comment on #{s.id} (required to return it)",
                        dcc.Textarea(id={"type": rid("comment"), "submission": s.id}, value="", maxLength=2000)]),
            html.Button("Publish", id={"type": rid("publish"), "submission": s.id}, n_clicks=0, className="button primary"),
            html.Button("Return with comment", id={"type": rid("return"), "submission": s.id}, n_clicks=0,
                        className="button"),
        ], className="register-item"))
    return blocks


def _general_label(field: str) -> str:
    """A field with no error slot of its own, named as the form names it: 'Figure 6, Value'."""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "figures" and parts[1].isdigit():
        return f"Figure {int(parts[1]) + 1}, {FIELD_LABELS.get(parts[2], parts[2])}"
    return FIELD_LABELS.get(field, field)


def _errors(problems: Sequence[FieldProblem], slots: Sequence[Mapping]) -> list[str]:
    """One message per error slot on the form, each problem a whole sentence; a problem with no slot of its
    own goes to the general one, named by its field."""
    fields = {slot["id"]["field"] for slot in slots}
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field in fields:
            grouped.setdefault(problem.field, []).append(sentence(problem))
        elif problem.field == "-":
            grouped.setdefault("-", []).append(sentence(problem))
        else:
            grouped.setdefault("-", []).append(f"{_general_label(problem.field)}: {sentence(problem)}")
    return [" ".join(grouped.get(slot["id"]["field"], [])) for slot in slots]


def draft_key(user: User, form: str, draft: Any, content: Mapping[str, Any]) -> str | None:
    """The idempotency key of a send: the draft's own key and what it holds, for this user. The same draft
    resent (a reload after a lost answer) has the same key; a draft edited since has a new one."""
    if not isinstance(draft, str) or not draft:
        return None
    canonical = json.dumps([user.name, form, draft, content], sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _choice_value(value: Any, multi: bool) -> Any:
    if multi:
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return value if isinstance(value, str) else None  # "" is an option of its own: "(none)"


def draft_form(draft: Any, record_id: str) -> dict[str, Any] | None:
    """The form as the user's update draft kept it (each component's value by its id), or None when the
    draft is not an update of `record_id` loaded at a known revision. The draft comes from the browser:
    anything but text, or a list of text, is read as an empty field."""
    if not isinstance(draft, Mapping) or draft.get("record_id") != record_id:
        return None
    values, revision = draft.get("values"), draft.get("base_revision")
    if not isinstance(values, Mapping) or not isinstance(revision, int) or isinstance(revision, bool) \
            or not 0 < revision < MAX_SUBMISSION_ID:
        return None

    def field(component: str, name: str) -> Any:
        text = name in TEXT_FIELDS or name in FIGURE_TEXT
        return _as_text(values.get(component)) if text else _choice_value(values.get(component),
                                                                          name in ("force_ids", "themes"))

    count = values.get(rid("figure-count"))
    return dict(
        text={f: field(rid(f), f) for f in TEXT_FIELDS},
        choices={f: field(rid(f), f) for f in CHOICE_FIELDS},
        rows=[{f: field(figure_id(i, f), f) for f in FIGURE_FIELDS} for i in range(FIGURE_ROWS)],
        count=count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= FIGURE_ROWS else 1,
        base_revision=revision, loaded=record_id,
    )


def moved_on(record_id: str, record: Any, base_revision: Any) -> str:
    """A sentence when the record an update was loaded from is no longer as it was loaded; else nothing."""
    if record is None or record.state != "published":
        return (f"{record_id} is no longer published, so an update of it cannot be published; your changes stay in "
                "this browser until you discard them.")
    if isinstance(base_revision, int) and not isinstance(base_revision, bool) and record.revision > base_revision:
        return (f"{record_id} has changed since your changes were loaded from it (they are made against revision "
                f"{base_revision}; it is now at revision {record.revision}). Your changes are kept, but sent as they "
                "are they would be refused as out of date: note them, discard them to load the record as it is "
                "now, and make them again.")
    return ""


# ---- callbacks -----------------------------------------------------------------------------------------


def register(app: Dash, source: DataSource, service: RegisterService, settings: Settings) -> None:
    def user_or_403() -> User:
        user = current_user(request, settings)
        if user is None:
            abort(403)
        return user

    def reviewer_or_403() -> User:
        user = user_or_403()
        if not user.is_reviewer:
            abort(403)
        return user

    def reference() -> Reference:
        return Reference.of(source.current().dataset)

    def refreshed() -> Snapshot:
        """The snapshot after a write of this worker's: taken at once rather than at the next poll."""
        refresh = getattr(source, "refresh", None)
        if callable(refresh):
            refresh()
        return source.current()

    def failure_message(exc: Exception) -> str:
        if isinstance(exc, RegisterUnavailable):
            return UNAVAILABLE
        return str(exc)

    def my_submissions_or_unchanged(user: User) -> Any:
        """The user's submissions re-read after a stored write. If the database went away in between, the
        list stays as shown: the write itself is stored, and the status line says so."""
        try:
            return _status_table(service.my_submissions(user))
        except RegisterUnavailable:
            return no_update

    def stored_record(record_id: str) -> Any:
        """The register record with this id, or None; RegisterUnavailable when the database is away."""
        try:
            return service.record(record_id)
        except SubmissionInvalid:
            return None

    error_slots = {"type": rid("error"), "form": "initiative", "field": ALL}

    @app.callback(
        output=dict(errors=Output(error_slots, "children"), status=Output(rid("submit-status"), "children"),
                    draft=Output(rid("initiative-key"), "data"), sent=Output(rid("initiative-sent"), "data"),
                    mine=Output(rid("mine"), "children", allow_duplicate=True)),
        inputs=dict(n_clicks=Input(rid("submit"), "n_clicks")),
        state=dict(update_of=State(rid("update-of"), "value"), base_revision=State(rid("base-revision"), "data"),
                   loaded=State(rid("loaded-record"), "data"),
                   fields={f: State(rid(f), "value") for f in (*TEXT_FIELDS, *CHOICE_FIELDS)},
                   count=State(rid("figure-count"), "data"), draft=State(rid("initiative-key"), "data"),
                   rows=[{f: State(figure_id(i, f), "value") for f in FIGURE_FIELDS} for i in range(FIGURE_ROWS)]),
        prevent_initial_call=True,
    )
    def send_initiative(n_clicks, update_of, base_revision, loaded, fields, count, draft, rows):
        user = user_or_403()
        if not n_clicks:
            raise PreventUpdate
        slots = ctx.outputs_grouping["errors"]
        unchanged = dict(draft=no_update, sent=no_update, mine=no_update)
        shown = count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= FIGURE_ROWS else 1
        payload: dict[str, Any] = dict(fields)
        if update_of is None:  # the picker empties itself for a record it no longer offers: still that record's update
            update_of = loaded
        update_of = update_of if isinstance(update_of, str) and update_of else None
        revision = base_revision if isinstance(base_revision, int) and not isinstance(base_revision, bool) else None
        try:
            record = stored_record(update_of) if update_of else None
            if record is not None and record.kind == "initiative":
                # Rows as the form loaded them stay the record's figures exactly; past the rows shown, untouched.
                payload["figures"] = merge_figures(record.payload.get("figures", []), rows[:shown])
            else:
                payload["figures"] = [r for r in rows[:shown] if any(v not in (None, "") for v in r.values())]
            key = draft_key(user, "update" if update_of else "new", draft,
                            {"payload": payload, "record": update_of, "revision": revision})
            submission = service.propose(user, "update" if update_of else "new initiative", payload, reference(),
                                         record_id=update_of, idempotency_key=key, base_revision=revision)
        except SubmissionInvalid as exc:
            count_problems = len(exc.problems)
            return dict(errors=_errors(exc.problems, slots), status=f"Not sent: {count_problems} problem"
                        f"{'s' if count_problems != 1 else ''} to fix, each shown by its field.", **unchanged)
        except (RateLimited, Conflict, RegisterUnavailable) as exc:
            return dict(errors=[""] * len(slots), status=failure_message(exc), **unchanged)
        return dict(errors=[""] * len(slots), status=f"Sent for review as #{submission.id}. Its status is under "
                    "Your submissions.", draft=uuid.uuid4().hex, sent=submission.id, mine=my_submissions_or_unchanged(user))

    @app.callback(
        output=dict(errors=Output({"type": rid("error"), "form": "note", "field": ALL}, "children"),
                    status=Output(rid("note-status"), "children"), draft=Output(rid("note-key"), "data"),
                    sent=Output(rid("note-sent"), "data"), mine=Output(rid("mine"), "children", allow_duplicate=True)),
        inputs=dict(n_clicks=Input(rid("note-submit"), "n_clicks")),
        state=dict(fields={f: State(rid(f"note-{f}"), "value") for f in NOTE_FORM_FIELDS},
                   draft=State(rid("note-key"), "data")),
        prevent_initial_call=True,
    )
    def send_note(n_clicks, fields, draft):
        user = user_or_403()
        if not n_clicks:
            raise PreventUpdate
        slots = ctx.outputs_grouping["errors"]
        payload = {f: v for f, v in fields.items() if f != "figure_id"}
        # A note names a figure only once the domain knows the field (issue 20: the `provenance` part).
        if fields.get("figure_id") not in (None, "") and "figure_id" in NOTE_FIELDS:
            payload["figure_id"] = fields["figure_id"]
        unchanged = dict(draft=no_update, sent=no_update, mine=no_update)
        try:
            submission = service.propose(user, "note", payload, reference(),
                                         idempotency_key=draft_key(user, "note", draft, payload))
        except SubmissionInvalid as exc:
            return dict(errors=_errors(exc.problems, slots), status="Not sent: fix the problems shown by their fields.",
                        **unchanged)
        except (RateLimited, Conflict, RegisterUnavailable) as exc:
            return dict(errors=[""] * len(slots), status=failure_message(exc), **unchanged)
        return dict(errors=[""] * len(slots), status=f"Note sent for review as #{submission.id}.",
                    draft=uuid.uuid4().hex, sent=submission.id, mine=my_submissions_or_unchanged(user))

    @app.callback(Output(rid("mine"), "children"), Input(rid("mine-refresh"), "n_clicks"))
    def show_mine(_clicks):
        user = user_or_403()
        try:
            return _status_table(service.my_submissions(user))
        except RegisterUnavailable:
            return html.P(UNAVAILABLE_NOW)

    @app.callback(
        output=dict(hidden=[Output(rid(f"figure-{i}"), "hidden") for i in range(FIGURE_ROWS)],
                    count=Output(rid("figure-count"), "data")),
        inputs=dict(n_clicks=Input(rid("add-figure"), "n_clicks"), count=Input(rid("figure-count"), "data")),
    )
    def show_figure_rows(n_clicks, count):
        user_or_403()
        shown = count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= FIGURE_ROWS else 1
        if ctx.triggered_id == rid("add-figure") and n_clicks:
            shown = min(shown + 1, FIGURE_ROWS)
        return dict(hidden=[i >= shown for i in range(FIGURE_ROWS)], count=shown)

    def form_values(payload: Mapping[str, Any] | None) -> dict[str, Any]:
        """The form's fields holding `payload` (None: empty), figures in their rows."""
        payload = payload or {}
        figures = [f for f in payload.get("figures", []) if isinstance(f, Mapping)]
        rows = []
        for index in range(FIGURE_ROWS):
            shown = form_figure(figures[index]) if index < len(figures) else {}
            rows.append({f: shown.get(f, "") if f in FIGURE_TEXT else (shown.get(f) if shown else None)
                         for f in FIGURE_FIELDS})

        def joined(value: Any) -> str:
            return " | ".join(map(form_text, value)) if isinstance(value, (list, tuple)) else form_text(value)

        return dict(
            text={f: joined(payload.get(f)) for f in TEXT_FIELDS},
            choices={f: (list(payload.get(f) or []) if f in ("force_ids", "themes") else payload.get(f) or None)
                     for f in CHOICE_FIELDS},
            rows=rows, count=max(1, min(len(figures), FIGURE_ROWS)),
        )

    form_outputs = dict(
        text={f: Output(rid(f), "value", allow_duplicate=True) for f in TEXT_FIELDS},
        choices={f: Output(rid(f), "value", allow_duplicate=True) for f in CHOICE_FIELDS},
        rows=[{f: Output(figure_id(i, f), "value", allow_duplicate=True) for f in FIGURE_FIELDS}
              for i in range(FIGURE_ROWS)],
        count=Output(rid("figure-count"), "data", allow_duplicate=True),
        base_revision=Output(rid("base-revision"), "data", allow_duplicate=True),
        loaded=Output(rid("loaded-record"), "data", allow_duplicate=True),
    )

    @app.callback(
        output=dict(form=form_outputs, update_of=Output(rid("update-of"), "value", allow_duplicate=True)),
        inputs=dict(sent=Input(rid("initiative-sent"), "data")),
        prevent_initial_call=True,
    )
    def clear_sent_initiative(sent):
        """A fresh form once a proposal is stored: setting the fields also drops the draft kept in the browser."""
        user_or_403()
        if sent is None:
            raise PreventUpdate
        return dict(form={**form_values(None), "base_revision": None, "loaded": None}, update_of="")

    @app.callback(
        output={f: Output(rid(f"note-{f}"), "value", allow_duplicate=True) for f in NOTE_FORM_FIELDS},
        inputs=dict(sent=Input(rid("note-sent"), "data")),
        prevent_initial_call=True,
    )
    def clear_sent_note(sent):
        user_or_403()
        if sent is None:
            raise PreventUpdate
        return dict(about_id=None, note_kind=None, figure_id=None, text="", source="")

    @app.callback(
        Output(rid("force_ids"), "value", allow_duplicate=True),
        inputs=dict(n_clicks=Input(rid("add-selected-force"), "n_clicks")),
        state=dict(state_data=State(Ids.STATE, "data"), chosen=State(rid("force_ids"), "value")),
        prevent_initial_call=True,
    )
    def add_selected_force(n_clicks, state_data, chosen):
        """Force areas picked on the map: the force selected there joins the list."""
        user_or_403()
        force = state_from_store(state_data, source.current().dataset).force
        chosen = [f for f in chosen if isinstance(f, str)] if isinstance(chosen, list) else []
        if not n_clicks or not force or force in chosen:
            raise PreventUpdate
        return [*chosen, force]

    @app.callback(
        output=dict(form=form_outputs, status=Output(rid("submit-status"), "children", allow_duplicate=True),
                    update_of=Output(rid("update-of"), "value", allow_duplicate=True)),
        inputs=dict(record_id=Input(rid("update-of"), "value"), draft=Input(rid("update-draft-start"), "data"),
                    _discard=Input(rid("discard"), "n_clicks")),
        state=dict(loaded=State(rid("loaded-record"), "data")),
        # Also as the page opens, once the browser has read the user's update draft: restored, not reloaded.
        prevent_initial_call="initial_duplicate",
    )
    def load_record_to_update(record_id, draft, _discard, loaded):
        """The chosen register record in the form, or, as the page opens, the user's draft of its update."""
        user_or_403()
        trigger = ctx.triggered_id
        if trigger in (None, rid("update-draft-start")):
            # A withdrawn record is no longer among the picker's options, which empties it: its draft is
            # restored all the same, and the sentence beside the picker says it can no longer be published.
            of = record_id or (draft.get("record_id") if isinstance(draft, Mapping) else None)
            kept = draft_form(draft, of) if isinstance(of, str) and of else None
            if kept is not None:
                return dict(form=kept, update_of=of if of != record_id else no_update,
                            status=f"Your changes to {of} are as you left them, kept in this browser (made against "
                            f"revision {kept['base_revision']}). Send them, or discard them to start again from "
                            "the record.")
            if loaded:
                raise PreventUpdate  # the form already holds the record (restored or loaded as the page opened)
        if record_id is None:  # emptied by the picker itself (no option for it), never chosen: still that record
            record_id = loaded
        if not isinstance(record_id, str) or not record_id:
            if not loaded:
                raise PreventUpdate
            # "A new initiative": the fields stay to start from, but they are no longer a record's update.
            return dict(form={**{k: no_update for k in form_outputs}, "loaded": None}, status=no_update,
                        update_of=no_update)
        if trigger == rid("update-of") and record_id == loaded:
            raise PreventUpdate  # the picker set back to the record the form holds: nothing to load
        return fresh_record(record_id, loaded, discarding=trigger == rid("discard"))

    def fresh_record(record_id: str, loaded: Any, discarding: bool = False) -> dict[str, Any]:
        """Every field of the record as published, its figures in the figure rows, and the revision read."""
        try:
            record = stored_record(record_id)
        except RegisterUnavailable:
            # The form keeps what it holds, and the picker goes back to the record it belongs to.
            return dict(form={k: no_update for k in form_outputs},
                        update_of=loaded if isinstance(loaded, str) and loaded else no_update,
                        status=f"The register is unavailable just now, so {record_id} could not be loaded; the "
                        "form is as it was. Please choose it again in a few minutes.")
        if record is None or record.kind != "initiative" or record.state != "published":
            if not discarding:
                raise PreventUpdate
            # Nothing to go back to: discarding the changes to a withdrawn record leaves an empty form.
            return dict(form={**form_values(None), "base_revision": None, "loaded": None}, update_of="",
                        status=f"Your changes to {record_id} are discarded; it is no longer published.")
        extra = ""
        figures = record.payload.get("figures") or []
        if len(figures) > FIGURE_ROWS:
            extra = (f" The form shows its first {FIGURE_ROWS} figures; the other {len(figures) - FIGURE_ROWS} "
                     "are kept as they are.")
        return dict(form={**form_values(record.payload), "base_revision": record.revision, "loaded": record_id},
                    update_of=no_update,
                    status=f"Loaded {record_id} as published (revision {record.revision}). Change only what should "
                    f"change: fields and figures left as they are stay as they are.{extra}")

    @app.callback(
        output=dict(note=Output(rid("update-note"), "children"), hidden=Output(rid("discard"), "hidden")),
        inputs=dict(loaded=Input(rid("loaded-record"), "data"), revision=Input(rid("base-revision"), "data"),
                    _version=Input(rid("pickers-version"), "data")),
        prevent_initial_call=True,
    )
    def update_note(loaded, revision, _version):
        """Beside the picker: whether the record the update was loaded from has moved on since."""
        user_or_403()
        if not isinstance(loaded, str) or not loaded:
            return dict(note="", hidden=True)
        try:
            record = stored_record(loaded)
        except RegisterUnavailable:
            return dict(note=no_update, hidden=False)
        return dict(note=moved_on(loaded, record, revision), hidden=False)

    # The update's draft, kept and read in the browser (assets/register-drafts.js): see the module's docstring.
    app.clientside_callback(
        ClientsideFunction("registerDrafts", "keep"), Output(rid("update-draft-kept"), "data"),
        [Input(rid(f), "value") for f in (*TEXT_FIELDS, *CHOICE_FIELDS)],
        [Input(figure_id(i, f), "value") for i in range(FIGURE_ROWS) for f in FIGURE_FIELDS],
        Input(rid("figure-count"), "data"), Input(rid("update-of"), "value"), Input(rid("loaded-record"), "data"),
        Input(rid("base-revision"), "data"), State(rid("update-draft-slot"), "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(ClientsideFunction("registerDrafts", "read"), Output(rid("update-draft-start"), "data"),
                            Input(rid("update-draft-slot"), "data"))

    @app.callback(
        Output(rid("note-figure_id"), "options"),
        inputs=dict(about=Input(rid("note-about_id"), "value")),
    )
    def note_figure_choices(about):
        user_or_403()
        return figure_options(source.current(), about)

    @app.callback(
        output=dict(update=Output(rid("update-of"), "options"), about=Output(rid("note-about_id"), "options"),
                    version=Output(rid("pickers-version"), "data")),
        inputs=dict(_tick=Input(rid("pickers-check"), "n_intervals"), _written=Input(rid("written"), "data")),
        state=dict(shown=State(rid("pickers-version"), "data")),
        prevent_initial_call=True,
    )
    def refresh_pickers(_tick, _written, shown):
        """The register's own pickers follow what is published, here or by another reviewer, without a reload."""
        user_or_403()
        snapshot = source.current()
        if snapshot.version == shown:
            raise PreventUpdate
        return dict(update=update_options(snapshot), about=about_options(snapshot), version=snapshot.version)

    @app.callback(
        output=dict(withdraw=Output(rid("withdraw-record"), "options"), amend=Output(rid("amend-record"), "options")),
        inputs=dict(version=Input(rid("pickers-version"), "data")),
        prevent_initial_call=True,
    )
    def refresh_review_pickers(version):
        reviewer_or_403()
        snapshot = source.current()
        return dict(withdraw=withdraw_options(snapshot), amend=note_options(snapshot))

    @app.callback(
        output=dict(queue=Output(rid("queue"), "children"), status=Output(rid("review-status"), "children"),
                    written=Output(rid("written"), "data", allow_duplicate=True)),
        inputs=dict(_refresh=Input(rid("queue-refresh"), "n_clicks"),
                    publish_clicks=Input({"type": rid("publish"), "submission": ALL}, "n_clicks"),
                    return_clicks=Input({"type": rid("return"), "submission": ALL}, "n_clicks")),
        state=dict(comments=State({"type": rid("comment"), "submission": ALL}, "value")),
        prevent_initial_call="initial_duplicate",
    )
    def review(_refresh, publish_clicks, return_clicks, comments):
        user = user_or_403()
        trigger = ctx.triggered_id
        message = ""
        written: Any = no_update
        try:
            if isinstance(trigger, dict) and any(isinstance(c, int) and c > 0 for c in publish_clicks + return_clicks):
                submission_id = trigger.get("submission")
                # The id comes from the browser: only a number a submission can have reaches the database.
                if not isinstance(submission_id, int) or isinstance(submission_id, bool) \
                        or not 0 < submission_id < MAX_SUBMISSION_ID:
                    raise PreventUpdate
                if trigger.get("type") == rid("publish"):
                    record = service.publish(user, submission_id, reference())
                    written = refreshed().version
                    marked = (" You proposed it yourself, and the record and its history say so."
                              if record.self_published else "")
                    message = (f"Published #{submission_id} as {record.record_id}. Every page shows it within "
                               f"{settings.register_poll_seconds} seconds.{marked}")
                else:
                    ids = [s["id"]["submission"] for s in ctx.args_grouping["comments"]]
                    comment = comments[ids.index(submission_id)] if submission_id in ids else ""
                    service.return_to_contributor(user, submission_id, _as_text(comment))
                    message = f"Returned #{submission_id} to its contributor with your comment."
        except Forbidden as exc:
            if not user.is_reviewer:
                abort(403)
            message = str(exc)  # their own proposal: another reviewer must publish it
        except SubmissionInvalid as exc:
            return dict(queue=no_update, status=f"Not done: {' '.join(sentence(p) for p in exc.problems)}",
                        written=no_update)
        except RegisterUnavailable:
            return dict(queue=no_update, status=UNAVAILABLE_NOW, written=no_update)
        except (Conflict, NotFound) as exc:  # StaleRecord says the proposal stays pending, and it does
            message = failure_message(exc)
        try:
            dataset = source.current().dataset
            names = ({f.id: f.name for f in dataset.forces}, {t.id: t.label for t in dataset.themes})
            return dict(queue=_queue(service.queue(user, QUEUE_SHOWN), service.waiting(user), names, user,
                                     service.review_own), status=message, written=written)
        except Forbidden:
            abort(403)
        except RegisterUnavailable:
            # What was done above is stored and `message` says so; only the queue could not be re-read.
            if message:
                return dict(queue=no_update, written=written,
                            status=f"{message} The queue could not be reloaded: the register is unavailable just now.")
            return dict(queue=no_update, status=UNAVAILABLE_NOW, written=no_update)

    @app.callback(
        output=dict(status=Output(rid("withdraw-status"), "children"),
                    written=Output(rid("written"), "data", allow_duplicate=True)),
        inputs=dict(n_clicks=Input(rid("withdraw"), "n_clicks")),
        state=dict(record_id=State(rid("withdraw-record"), "value"), reason=State(rid("withdraw-reason"), "value")),
        prevent_initial_call=True,
    )
    def withdraw(n_clicks, record_id, reason):
        user = reviewer_or_403()
        if not n_clicks:
            raise PreventUpdate
        message = withdraw_record(user, record_id, reason)
        return dict(status=message, written=refreshed().version if message.startswith("Withdrawn") else no_update)

    def withdraw_record(user: User, record_id: Any, reason: Any) -> str:
        if not isinstance(record_id, str) or not record_id:
            return "Choose the record to withdraw."
        if not _as_text(reason).strip():
            return "Say why the record is withdrawn: its contributor reads the reason."
        try:
            service.withdraw(user, record_id, _as_text(reason))
        except Forbidden:
            abort(403)
        except SubmissionInvalid as exc:
            return f"Not withdrawn: {' '.join(sentence(p) for p in exc.problems)}"
        except RegisterUnavailable:
            return UNAVAILABLE_NOW
        except (NotFound, Conflict) as exc:  # Conflict: another reviewer withdrew it first
            return f"Not withdrawn: {exc}"
        return f"Withdrawn {record_id}: it leaves the map within {settings.register_poll_seconds} seconds and is kept."

    @app.callback(
        output=dict(text=Output(rid("amend-text"), "value"), source=Output(rid("amend-source"), "value"),
                    revision=Output(rid("amend-revision"), "data")),
        inputs=dict(record_id=Input(rid("amend-record"), "value")),
        prevent_initial_call=True,
    )
    def load_note_to_amend(record_id):
        reviewer_or_403()
        if not isinstance(record_id, str) or not record_id:
            raise PreventUpdate
        try:
            record = stored_record(record_id)
        except RegisterUnavailable:
            raise PreventUpdate from None
        if record is None or record.kind != "note":
            raise PreventUpdate
        return dict(text=_as_text(record.payload.get("text")), source=_as_text(record.payload.get("source")),
                    revision=record.revision)

    @app.callback(
        output=dict(status=Output(rid("amend-status"), "children"),
                    written=Output(rid("written"), "data", allow_duplicate=True)),
        inputs=dict(n_clicks=Input(rid("amend"), "n_clicks")),
        state=dict(record_id=State(rid("amend-record"), "value"), text=State(rid("amend-text"), "value"),
                   note_source=State(rid("amend-source"), "value"), reason=State(rid("amend-reason"), "value"),
                   revision=State(rid("amend-revision"), "data")),
        prevent_initial_call=True,
    )
    def amend(n_clicks, record_id, text, note_source, reason, revision):
        user = reviewer_or_403()
        if not n_clicks:
            raise PreventUpdate
        message = amend_note(user, record_id, text, note_source, reason, revision)
        return dict(status=message, written=refreshed().version if message.startswith("Amended") else no_update)

    def amend_note(user: User, record_id: Any, text: Any, note_source: Any, reason: Any, revision: Any) -> str:
        if not isinstance(record_id, str) or not record_id:
            return "Choose the note to amend."
        if not _as_text(reason).strip():
            return "Say why the note is amended: the reason is kept in its history."
        try:
            record = stored_record(record_id)
            if record is None or record.kind != "note":
                return f"{record_id} is not a published note."
            payload = {**record.payload, "text": _as_text(text), "source": _as_text(note_source)}
            service.amend_note(user, record_id, payload, _as_text(reason), reference(),
                               revision=revision if isinstance(revision, int) and not isinstance(revision, bool) else None)
        except Forbidden:
            abort(403)
        except SubmissionInvalid as exc:
            return f"Not amended: {' '.join(sentence(p) for p in exc.problems)}"
        except RegisterUnavailable:
            return UNAVAILABLE_NOW
        except (NotFound, Conflict) as exc:
            return f"Not amended: {exc}"
        return f"Amended {record_id}: the corrected note shows within {settings.register_poll_seconds} seconds."
