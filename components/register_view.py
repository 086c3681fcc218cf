"""UI feature: the register's write views — propose, see your submissions, review and publish.

Present only when PPH_REGISTER=1 and the request has a trusted user (components.identity); every
register callback checks the user again and answers 403 without one. Callbacks only wire the form
to `services.register`, which validates with the domain's rules and stores through `storage`.
Every field keeps its value in the browser (persistence) until it is sent, so a reload loses nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import abort, request

from components.identity import current_user
from components.ids import Ids
from components.view_state import state_from_store
from domain.register import INITIATIVE_FIELDS, NOTE_KINDS, FieldProblem, Reference, SubmissionInvalid, User
from domain.schema import Direction, Evaluation, FigureKind, Qualifier, Status, Unit
from domain.source import DataSource, Snapshot
from services.register import Forbidden, RateLimited, RegisterService
from settings import Settings
from storage.errors import Conflict, NotFound, RegisterUnavailable

PREFIX = "register-"
MAX_SUBMISSION_ID = 2 ** 31  # far beyond any register; both databases store it
FIGURE_ROWS = 5  # rows the form offers; an import may carry more
# Queue items shown at once: each carries its diff and a comment box, and every review request sends every
# box back, so a long queue would make each review slower than the last.
QUEUE_SHOWN = 20
FIGURE_FIELDS = ("measure", "value", "unit", "qualifier", "direction", "period", "comparator", "kind", "source")
TEXT_FIELDS = ("title", "place", "lead_organisations", "partners", "start_year", "end_year", "source")
NOTE_FORM_FIELDS = ("about_id", "note_kind", "text", "source")
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


def _options(values: Sequence[str]) -> list[dict]:
    return [{"label": v or "(none)", "value": v} for v in values]


def _field(label: str, control: Any, form: str, field: str, hint: str = "") -> html.Div:
    return html.Div([
        html.Label(label, htmlFor=control.id),
        control,
        html.Small(hint, className="hint") if hint else None,
        html.P(id=error_id(form, field), className="field-error", role="alert"),
    ], className="register-field")


def _text(field: str, **kwargs: Any) -> dcc.Input:
    return dcc.Input(id=rid(field), type="text", debounce=True, persistence=True, persistence_type="local",
                     value="", **kwargs)


def _figure_row(index: int) -> html.Fieldset:
    def choice(field: str, values: Sequence[str]) -> dcc.Dropdown:
        return dcc.Dropdown(id=figure_id(index, field), options=_options(values), persistence=True,
                            persistence_type="local", clearable=True)

    def text(field: str) -> dcc.Input:
        return dcc.Input(id=figure_id(index, field), type="text", persistence=True, persistence_type="local", value="",
                         maxLength=500)

    prefix = f"figures.{index}."
    return html.Fieldset([
        html.Legend(f"Figure {index + 1}"),
        _field("What was measured", text("measure"), "initiative", f"{prefix}measure"),
        _field("Value (a number)", text("value"), "initiative", f"{prefix}value"),
        _field("Unit", choice("unit", Unit.__args__), "initiative", f"{prefix}unit"),  # type: ignore[attr-defined]
        _field("Qualifier", choice("qualifier", Qualifier.__args__), "initiative", f"{prefix}qualifier"),  # type: ignore[attr-defined]
        _field("Direction", choice("direction", Direction.__args__), "initiative", f"{prefix}direction"),  # type: ignore[attr-defined]
        _field("Period", text("period"), "initiative", f"{prefix}period"),
        _field("Compared with", text("comparator"), "initiative", f"{prefix}comparator"),
        _field("Kind of figure", choice("kind", FigureKind.__args__), "initiative", f"{prefix}kind",  # type: ignore[attr-defined]
               "Only a result measures what the initiative achieved."),
        _field("Source of this figure (link or citation)", text("source"), "initiative", f"{prefix}source"),
    ], id=rid(f"figure-{index}"), className="register-figure", hidden=index > 0)


def _register_initiatives(snapshot: Snapshot) -> list[dict]:
    dataset = snapshot.dataset
    return [{"label": dataset.initiatives_by_id[i].title, "value": i} for i in sorted(dataset.provenance)]


def contribute_form(snapshot: Snapshot) -> html.Section:
    dataset = snapshot.dataset
    forces = sorted(dataset.forces, key=lambda f: f.name)
    return html.Section([
        html.H3("Propose an initiative, or an update to one the register holds"),
        _field("What this proposal is", dcc.Dropdown(
            id=rid("update-of"), options=[{"label": "A new initiative", "value": ""}, *_register_initiatives(snapshot)],
            value="", clearable=False, persistence=True, persistence_type="local"), "initiative", "record_id"),
        _field("Title", _text("title", maxLength=200), "initiative", "title"),
        _field("Force areas", dcc.Dropdown(id=rid("force_ids"), options=[{"label": f.name, "value": f.id} for f in forces],
                                           multi=True, persistence=True, persistence_type="local"),
               "initiative", "force_ids", "Leave empty for national work."),
        html.Button("Add the force selected on the map", id=rid("add-selected-force"), n_clicks=0, className="button"),
        _field("Place", _text("place", maxLength=200), "initiative", "place"),
        _field("Lead organisations", _text("lead_organisations", maxLength=1000), "initiative", "lead_organisations",
               "Separate several with |"),
        _field("Partners", _text("partners", maxLength=1000), "initiative", "partners", "Separate several with |"),
        _field("Themes", dcc.Dropdown(id=rid("themes"), options=[{"label": t.label, "value": t.id} for t in dataset.themes],
                                      multi=True, persistence=True, persistence_type="local"), "initiative", "themes"),
        _field("Status", dcc.Dropdown(id=rid("status"), options=_options(Status.__args__),  # type: ignore[attr-defined]
                                      persistence=True, persistence_type="local"), "initiative", "status"),
        _field("Evaluation", dcc.Dropdown(id=rid("evaluation"), options=_options(Evaluation.__args__),  # type: ignore[attr-defined]
                                          persistence=True, persistence_type="local"), "initiative", "evaluation"),
        _field("First year", _text("start_year", maxLength=4), "initiative", "start_year"),
        _field("Last year", _text("end_year", maxLength=4), "initiative", "end_year"),
        _field("Summary, in your own words", dcc.Textarea(id=rid("summary"), value="", maxLength=2000, persistence=True,
                                                          persistence_type="local"), "initiative", "summary"),
        _field("Source (a link or a citation)", _text("source", maxLength=500), "initiative", "source"),
        html.Div([_figure_row(i) for i in range(FIGURE_ROWS)], className="register-figures"),
        html.P(id=error_id("initiative", "figures"), className="field-error", role="alert"),
        html.P(id=error_id("initiative", "-"), className="field-error", role="alert"),
        html.Button("Add another figure", id=rid("add-figure"), n_clicks=0, className="button"),
        dcc.Store(id=rid("figure-count"), data=1, storage_type="local"),
        dcc.Store(id=rid("initiative-key"), data=uuid.uuid4().hex),
        html.Button("Send for review", id=rid("submit"), n_clicks=0, className="button primary"),
        html.P(id=rid("submit-status"), role="status", className="register-status"),
    ], className="register-form", **{"aria-label": "Propose an initiative"})


def note_form(snapshot: Snapshot) -> html.Section:
    dataset = snapshot.dataset
    paper = sorted((i for i in dataset.initiatives if i.id not in dataset.provenance), key=lambda i: i.title)
    return html.Section([
        html.H3("Add a note to one of the paper's initiatives"),
        html.P("An erratum or a follow-up is shown beside the paper's record; it never changes what the paper says."),
        _field("Initiative", dcc.Dropdown(id=rid("note-about_id"), options=[{"label": i.title, "value": i.id} for i in paper],
                                          persistence=True, persistence_type="local"), "note", "about_id"),
        _field("Kind of note", dcc.Dropdown(id=rid("note-note_kind"), options=_options(NOTE_KINDS), persistence=True,
                                            persistence_type="local"), "note", "note_kind"),
        _field("Note, in your own words", dcc.Textarea(id=rid("note-text"), value="", maxLength=2000, persistence=True,
                                                       persistence_type="local"), "note", "text"),
        _field("Source (a link or a citation)", dcc.Input(id=rid("note-source"), type="text", value="", maxLength=500,
                                                          persistence=True, persistence_type="local"), "note", "source"),
        html.P(id=error_id("note", "-"), className="field-error", role="alert"),
        dcc.Store(id=rid("note-key"), data=uuid.uuid4().hex),
        html.Button("Send note for review", id=rid("note-submit"), n_clicks=0, className="button"),
        html.P(id=rid("note-status"), role="status", className="register-status"),
    ], className="register-form", **{"aria-label": "Add a note"})


def review_section(snapshot: Snapshot) -> html.Section:
    return html.Section([
        html.H3("Review queue"),
        html.Button("Refresh the queue", id=rid("queue-refresh"), n_clicks=0, className="button"),
        html.Div(id=rid("queue"), **{"aria-live": "polite"}),
        html.P(id=rid("review-status"), role="status", className="register-status"),
        html.H3("Withdraw a published register record"),
        html.P("A withdrawn record leaves the map but is kept, with its history."),
        html.Label("Record", htmlFor=rid("withdraw-record")),
        dcc.Dropdown(id=rid("withdraw-record"), options=_register_initiatives(snapshot)),
        html.Label("Why it is withdrawn", htmlFor=rid("withdraw-reason")),
        dcc.Input(id=rid("withdraw-reason"), type="text", value="", maxLength=500),
        html.Button("Withdraw", id=rid("withdraw"), n_clicks=0, className="button"),
        html.P(id=rid("withdraw-status"), role="status", className="register-status"),
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
        contribute_form(snapshot),
        note_form(snapshot),
        html.Section([
            html.H3("Your submissions"),
            html.Button("Refresh", id=rid("mine-refresh"), n_clicks=0, className="button"),
            html.Div(id=rid("mine"), **{"aria-live": "polite"}),
        ], className="register-mine"),
        review_section(snapshot) if user.is_reviewer else None,
    ], id=rid("section"), className="register", **{"aria-label": "Register"})


def validation_layout(snapshot: Snapshot) -> html.Section | None:
    """Every register component, as a reviewer sees them: what Dash checks callbacks against."""
    return layout(snapshot, User("validation", True))


# ---- callbacks -------------------------------------------------------------------------------------


def _status_table(submissions: Sequence[Any]) -> html.Table | html.P:
    if not submissions:
        return html.P("You have sent nothing yet.", className="empty")
    rows = [html.Tr([html.Td(f"#{s.id}"), html.Td(s.kind), html.Td(str(s.payload.get("title") or s.payload.get("text", ""))[:80]),
                     html.Td(s.submitted_at.strftime("%Y-%m-%d %H:%M")), html.Td(s.status),
                     html.Td(s.review_comment or "—")]) for s in submissions]
    return html.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                           ("Number", "Kind", "Title or note", "Sent (UTC)", "Status", "Reviewer's comment")])),
                       html.Tbody(rows)], className="register-table")


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_shown(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return "—" if value in (None, "") else str(value)


def _shown_field(field: str, value: Any, force_names: Mapping[str, str]) -> str:
    """A proposed or current value as the reviewer reads it: force areas by name, with their codes."""
    if field == "force_ids" and isinstance(value, list) and value:
        return "; ".join(f"{force_names[v]} ({v})" if isinstance(v, str) and v in force_names else _shown(v)
                         for v in value)
    return _shown(value)


def _queue(items: Sequence[Any], waiting: int, force_names: Mapping[str, str]) -> list:
    """The queue's oldest items; with more waiting, a line saying how many are not shown yet."""
    if not items:
        return [html.P("Nothing is waiting for review.", className="empty")]
    blocks = []
    if waiting > len(items):
        blocks.append(html.P(f"Showing the {len(items)} oldest of {waiting} submissions waiting. Publish or return "
                             "these, and the next ones follow.", className="queue-more"))
    for item in items:
        s = item.submission
        changes = [html.Tr([html.Th(field, scope="row"), html.Td(_shown_field(field, old, force_names)),
                            html.Td(_shown_field(field, new, force_names))])
                   for field, (old, new) in item.changes.items()]
        blocks.append(html.Article([
            html.H4(f"#{s.id}: {s.kind} — {s.payload.get('title') or s.payload.get('about_id', '')}"),
            html.P(f"Sent by {s.submitted_by} on {s.submitted_at.strftime('%Y-%m-%d %H:%M')} UTC"),
            html.Table([html.Thead(html.Tr([html.Th("Field", scope="col"), html.Th("Now", scope="col"),
                                            html.Th("Proposed", scope="col")])), html.Tbody(changes)],
                       className="register-table register-diff"),
            # The label wraps the field: a pattern-matching id cannot be named by a label's `for`.
            html.Label([f"Comment on #{s.id} (required to return it)",
                        dcc.Textarea(id={"type": rid("comment"), "submission": s.id}, value="", maxLength=2000)]),
            html.Button("Publish", id={"type": rid("publish"), "submission": s.id}, n_clicks=0, className="button primary"),
            html.Button("Return with comment", id={"type": rid("return"), "submission": s.id}, n_clicks=0,
                        className="button"),
        ], className="register-item"))
    return blocks


def _errors(problems: Sequence[FieldProblem], outputs: list[dict]) -> list[str]:
    """One message per error slot on the form; a problem with no slot of its own goes to the general one."""
    fields = {o["id"]["field"] for o in outputs}
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        field = problem.field if problem.field in fields else "-"
        grouped.setdefault(field, []).append(problem.message if field == problem.field
                                             else f"{problem.field}: {problem.message}")
    return ["; ".join(grouped.get(o["id"]["field"], [])) for o in outputs]


def register(app: Dash, source: DataSource, service: RegisterService, settings: Settings) -> None:
    def user_or_403() -> User:
        user = current_user(request, settings)
        if user is None:
            abort(403)
        return user

    def reference() -> Reference:
        return Reference.of(source.current().dataset)

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

    figure_states = [State(figure_id(i, f), "value") for i in range(FIGURE_ROWS) for f in FIGURE_FIELDS]
    text_outputs = [Output(rid(f), "value") for f in ("title", "place", "lead_organisations", "partners",
                                                     "start_year", "end_year", "summary", "source")]
    choice_outputs = [Output(rid(f), "value") for f in ("force_ids", "themes", "status", "evaluation")]

    @app.callback(
        Output({"type": rid("error"), "form": "initiative", "field": ALL}, "children"),
        Output(rid("submit-status"), "children"), Output(rid("initiative-key"), "data"),
        Output(rid("mine"), "children", allow_duplicate=True),
        Input(rid("submit"), "n_clicks"),
        State(rid("update-of"), "value"),
        *[State(rid(f), "value") for f in INITIATIVE_FIELDS if f != "figures"],
        State(rid("figure-count"), "data"), State(rid("initiative-key"), "data"),
        *figure_states,
        prevent_initial_call=True,
    )
    def send_initiative(n_clicks, update_of, *values):
        user = user_or_403()
        if not n_clicks:
            raise PreventUpdate
        names = [f for f in INITIATIVE_FIELDS if f != "figures"]
        payload: dict[str, Any] = dict(zip(names, values[:len(names)], strict=True))
        count, key = values[len(names)], values[len(names) + 1]
        raw_figures = values[len(names) + 2:]
        shown = count if isinstance(count, int) and 1 <= count <= FIGURE_ROWS else 1
        figures = []
        for index in range(shown):
            row = dict(zip(FIGURE_FIELDS, raw_figures[index * len(FIGURE_FIELDS):(index + 1) * len(FIGURE_FIELDS)],
                           strict=True))
            if any(v not in (None, "") for v in row.values()):
                figures.append(row)
        payload["figures"] = figures
        outputs = ctx.outputs_list[0]
        kind = "update" if isinstance(update_of, str) and update_of else "new initiative"
        try:
            submission = service.propose(user, kind, payload, reference(), record_id=update_of or None,
                                         idempotency_key=key if isinstance(key, str) else None)
        except SubmissionInvalid as exc:
            return (_errors(exc.problems, outputs), f"Not sent: {len(exc.problems)} problem(s) to fix, shown by "
                    "their fields.", no_update, no_update)
        except (RateLimited, Conflict, RegisterUnavailable) as exc:
            return [""] * len(outputs), failure_message(exc), no_update, no_update
        return ([""] * len(outputs), f"Sent for review as #{submission.id}. Its status is under Your submissions.",
                uuid.uuid4().hex, my_submissions_or_unchanged(user))

    @app.callback(
        Output({"type": rid("error"), "form": "note", "field": ALL}, "children"),
        Output(rid("note-status"), "children"), Output(rid("note-key"), "data"),
        Output(rid("mine"), "children", allow_duplicate=True),
        Input(rid("note-submit"), "n_clicks"),
        *[State(rid(f"note-{f}"), "value") for f in NOTE_FORM_FIELDS], State(rid("note-key"), "data"),
        prevent_initial_call=True,
    )
    def send_note(n_clicks, *values):
        user = user_or_403()
        if not n_clicks:
            raise PreventUpdate
        payload = dict(zip(NOTE_FORM_FIELDS, values[:-1], strict=True))
        outputs = ctx.outputs_list[0]
        try:
            submission = service.propose(user, "note", payload, reference(),
                                         idempotency_key=values[-1] if isinstance(values[-1], str) else None)
        except SubmissionInvalid as exc:
            return _errors(exc.problems, outputs), "Not sent: fix the problems shown by their fields.", no_update, no_update
        except (RateLimited, Conflict, RegisterUnavailable) as exc:
            return [""] * len(outputs), failure_message(exc), no_update, no_update
        return ([""] * len(outputs), f"Note sent for review as #{submission.id}.", uuid.uuid4().hex,
                my_submissions_or_unchanged(user))

    @app.callback(
        Output(rid("mine"), "children"), Input(rid("mine-refresh"), "n_clicks"),
    )
    def show_mine(_clicks):
        user = user_or_403()
        try:
            return _status_table(service.my_submissions(user))
        except RegisterUnavailable:
            return html.P(UNAVAILABLE_NOW)

    @app.callback(
        *[Output(rid(f"figure-{i}"), "hidden") for i in range(FIGURE_ROWS)],
        Output(rid("figure-count"), "data"),
        Input(rid("add-figure"), "n_clicks"), State(rid("figure-count"), "data"),
    )
    def show_figure_rows(n_clicks, count):
        user_or_403()
        shown = count if isinstance(count, int) and 1 <= count <= FIGURE_ROWS else 1
        if ctx.triggered_id == rid("add-figure") and n_clicks:
            shown = min(shown + 1, FIGURE_ROWS)
        return (*[i >= shown for i in range(FIGURE_ROWS)], shown)

    text_fields = ("title", "place", "lead_organisations", "partners", "start_year", "end_year", "summary", "source")
    figure_text = ("measure", "value", "period", "comparator", "source")

    @app.callback(
        *[Output(rid(f), "value", allow_duplicate=True) for f in text_fields],
        *[Output(rid(f), "value", allow_duplicate=True) for f in ("force_ids", "themes", "status", "evaluation")],
        *[Output(figure_id(i, f), "value", allow_duplicate=True) for i in range(FIGURE_ROWS) for f in FIGURE_FIELDS],
        Output(rid("update-of"), "value", allow_duplicate=True),
        Output(rid("figure-count"), "data", allow_duplicate=True),
        Input(rid("initiative-key"), "data"),
        prevent_initial_call=True,
    )
    def clear_sent_initiative(_new_key):
        """A fresh form once a proposal is stored: setting the fields also drops the draft kept in the browser."""
        user_or_403()
        figures = ["" if f in figure_text else None for _ in range(FIGURE_ROWS) for f in FIGURE_FIELDS]
        return (*[""] * len(text_fields), [], [], None, None, *figures, "", 1)

    @app.callback(
        *[Output(rid(f"note-{f}"), "value", allow_duplicate=True) for f in NOTE_FORM_FIELDS],
        Input(rid("note-key"), "data"),
        prevent_initial_call=True,
    )
    def clear_sent_note(_new_key):
        user_or_403()
        return None, None, "", ""

    @app.callback(
        Output(rid("force_ids"), "value", allow_duplicate=True),
        Input(rid("add-selected-force"), "n_clicks"), State(Ids.STATE, "data"), State(rid("force_ids"), "value"),
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
        *text_outputs, *choice_outputs,
        Input(rid("update-of"), "value"),
        prevent_initial_call=True,
    )
    def load_record_to_update(record_id):
        user_or_403()
        dataset = source.current().dataset
        if not isinstance(record_id, str) or record_id not in dataset.provenance:
            raise PreventUpdate
        initiative = dataset.initiatives_by_id[record_id]
        return (initiative.title, initiative.place, " | ".join(initiative.lead_organisations),
                " | ".join(initiative.partners), str(initiative.start_year or ""), str(initiative.end_year or ""),
                initiative.summary, initiative.section, list(initiative.force_ids), list(initiative.themes),
                initiative.status, initiative.evaluation)

    @app.callback(
        Output(rid("queue"), "children"), Output(rid("review-status"), "children"),
        Input(rid("queue-refresh"), "n_clicks"),
        Input({"type": rid("publish"), "submission": ALL}, "n_clicks"),
        Input({"type": rid("return"), "submission": ALL}, "n_clicks"),
        State({"type": rid("comment"), "submission": ALL}, "value"),
    )
    def review(_refresh, publish_clicks, return_clicks, comments):
        user = user_or_403()
        trigger = ctx.triggered_id
        message = ""
        try:
            if isinstance(trigger, dict) and any(isinstance(c, int) and c > 0 for c in publish_clicks + return_clicks):
                submission_id = trigger.get("submission")
                # The id comes from the browser: only a number a submission can have reaches the database.
                if not isinstance(submission_id, int) or isinstance(submission_id, bool) \
                        or not 0 < submission_id < MAX_SUBMISSION_ID:
                    raise PreventUpdate
                if trigger.get("type") == rid("publish"):
                    record = service.publish(user, submission_id, reference())
                    message = (f"Published #{submission_id} as {record.record_id}. Every page shows it within "
                               f"{settings.register_poll_seconds} seconds.")
                else:
                    ids = [s["id"]["submission"] for s in ctx.states_list[0]]
                    comment = comments[ids.index(submission_id)] if submission_id in ids else ""
                    service.return_to_contributor(user, submission_id, comment if isinstance(comment, str) else "")
                    message = f"Returned #{submission_id} to its contributor with your comment."
        except Forbidden:
            abort(403)
        except SubmissionInvalid as exc:
            return no_update, f"Not done: {exc}"
        except RegisterUnavailable:
            return no_update, UNAVAILABLE_NOW
        except (Conflict, NotFound) as exc:
            message = failure_message(exc)
        try:
            force_names = {f.id: f.name for f in source.current().dataset.forces}
            return _queue(service.queue(user, QUEUE_SHOWN), service.waiting(user), force_names), message
        except Forbidden:
            abort(403)
        except RegisterUnavailable:
            # What was done above is stored and `message` says so; only the queue could not be re-read.
            if message:
                return no_update, f"{message} The queue could not be reloaded: the register is unavailable just now."
            return no_update, UNAVAILABLE_NOW

    @app.callback(
        Output(rid("withdraw-status"), "children"),
        Input(rid("withdraw"), "n_clicks"), State(rid("withdraw-record"), "value"), State(rid("withdraw-reason"), "value"),
        prevent_initial_call=True,
    )
    def withdraw(n_clicks, record_id, reason):
        user = user_or_403()
        if not n_clicks:
            raise PreventUpdate
        if not isinstance(record_id, str) or not record_id:
            return "Choose the record to withdraw."
        try:
            service.withdraw(user, record_id, reason if isinstance(reason, str) else "")
        except Forbidden:
            abort(403)
        except SubmissionInvalid as exc:
            return f"Not withdrawn: {exc}"
        except RegisterUnavailable:
            return UNAVAILABLE_NOW
        except (NotFound, Conflict) as exc:  # Conflict: another reviewer withdrew it first
            return f"Not withdrawn: {exc}"
        return f"Withdrawn {record_id}: it leaves the map within {settings.register_poll_seconds} seconds and is kept."
