"""UI feature, the register: propose an initiative, or an update to one the register holds.

The draft stays in this browser until sent (see components/register/__init__.py); once it is stored, the
form empties and the draft gets a new key."""

from __future__ import annotations

import uuid
from functools import partial
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, get_args

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.ids import Ids
from components.register import update_draft
from components.register.common import (
    UNAVAILABLE_NOW,
    RegisterContext,
    as_revision,
    draft_key,
    draft_tag,
    dropdown,
    error_id,
    error_slots,
    error_summary,
    not_sent_status,
    failure_message,
    field_errors,
    form_field,
    options,
    reference,
    rid,
    stored_record,
    summary_slot,
    text_area,
    text_input,
    user_or_403,
    focus_summary,
)
from components.register.fields import (
    CHOICE_FIELDS,
    FIGURE_ROWS,
    FORCE_AREAS_BOTH,
    FORCE_AREAS_EMPTY,
    LINE_LIST_FIELDS,
    NATIONAL_CHOICE,
    NATIONAL_LABEL,
    TEXT_FIELDS,
    control_id,
    control_order,
    empty_form,
    figure_id,
    form_outputs,
    form_values,
    listed,
    shown_rows,
    unchanged_form,
)
from components.register.submissions import RESENDABLE, my_submissions_or_unchanged
from components.view_state import state_from_store
from domain.aggregation import force_search_text, searchable_places
from domain.compare import SELECT_A_FORCE_FIRST
from domain.register import (
    FIGURE_FIELDS,
    UNSTATED_KIND,
    FieldProblem,
    Reference,
    SubmissionInvalid,
    User,
    figures_sourced,
    form_text,
    merge_figures,
    record_names,
    validate_initiative,
)
from domain.loading import Dataset
from domain.same_work import held_initiatives, likely_same_work
from domain.schema import Evaluation, FigureKind, Force, KindOfWork, Qualifier, Stage, Unit
from domain.source import Snapshot
from services.register import RateLimited
from storage.errors import Conflict, RegisterUnavailable
from components.attributes import aria

# ---- layout ---------------------------------------------------------------------------------------------

# What new input may say the work is: "not stated" is kept only for records sent before the form asked.
KIND_OF_WORK_CHOICES = tuple(k for k in get_args(KindOfWork) if k != UNSTATED_KIND)


def update_options(snapshot: Snapshot) -> list[dict]:
    """The proposal picker: a new initiative, or an update of a register record on show."""
    dataset = snapshot.dataset
    return [
        {"label": "A new initiative", "value": ""},
        *({"label": dataset.initiatives_by_id[i].title, "value": i} for i in sorted(dataset.provenance)),
    ]


# Direction's choices in the words the dashboard reads a figure in ("a fall of 30%"), the stored word after them
# (every value of domain.schema.Direction: tests/unit/test_register_form.py).
DIRECTION_OPTIONS = [
    {"label": "A fall (reduction)", "value": "reduction"},
    {"label": "A rise (increase)", "value": "increase"},
    {"label": "Not a change: a level, count or amount", "value": "level"},
]


def figure_choice(index: int, name: str, values: Sequence[str], tag: str) -> dcc.Dropdown:
    return dropdown(figure_id(index, name), options(values), tag, clearable=True)


def figure_text(index: int, name: str, tag: str) -> dcc.Input:
    return dcc.Input(
        id=figure_id(index, name), type="text", persistence=tag, persistence_type="local", value="", maxLength=500
    )


def figure_row(index: int, tag: str) -> html.Fieldset:
    """One figure of the proposal; all but the first hidden until "Add another figure"."""
    prefix = f"figures.{index}."

    def row_field(label: str, control: Any, name: str, hint: str = "") -> html.Div:
        return form_field(label, control, "initiative", f"{prefix}{name}", hint)

    return html.Fieldset(
        [
            html.Legend(f"Figure {index + 1}"),
            row_field("What was measured", figure_text(index, "measure", tag), "measure"),
            row_field(
                "Value (a number)",
                figure_text(index, "value", tag),
                "value",
                "The size, never below 0; say whether it rose or fell in Direction.",
            ),
            row_field("Unit", figure_choice(index, "unit", get_args(Unit), tag), "unit"),
            row_field("Qualifier", figure_choice(index, "qualifier", get_args(Qualifier), tag), "qualifier"),
            row_field(
                "Direction",
                dropdown(figure_id(index, "direction"), DIRECTION_OPTIONS, tag, clearable=True),
                "direction",
            ),
            row_field("Period", figure_text(index, "period", tag), "period"),
            row_field("Compared with", figure_text(index, "comparator", tag), "comparator"),
            row_field(
                "Kind of figure",
                figure_choice(index, "kind", get_args(FigureKind), tag),
                "kind",
                "Only a result measures what the initiative achieved.",
            ),
            row_field(
                "How it was obtained (design)",
                figure_text(index, "design", tag),
                "design",
                "Required for a result: for example “before and after, no comparison group” or “the service's "
                "own records”.",
            ),
            row_field(
                "Caveat",
                figure_text(index, "caveat", tag),
                "caveat",
                "What not to read into it, if anything: for example that it sets unlike things side by side.",
            ),
            row_field(
                "Source of this figure (link or citation)",
                figure_text(index, "source", tag),
                "source",
                "Leave it empty if the figure comes from the initiative's source above: that source is stored "
                "with the figure.",
            ),
        ],
        id=rid(f"figure-{index}"),
        className="register-figure",
        hidden=index > 0,
    )


def initiative_text(label: str, name: str, max_length: int, hint: str = "", *, tag: str) -> html.Div:
    """A one-line text field of the initiative."""
    return form_field(label, text_input(rid(name), tag, debounce=True, maxLength=max_length), "initiative", name, hint)


def initiative_choice(
    label: str, name: str, choices: list[dict], hint: str = "", *, tag: str, **kwargs: Any
) -> html.Div:
    """A dropdown field of the initiative."""
    return form_field(label, dropdown(rid(name), choices, tag, **kwargs), "initiative", name, hint)


def initiative_lines(label: str, name: str, hint: str, *, tag: str) -> html.Div:
    """A list typed one item a line: sent as a list (fields.listed)."""
    return form_field(
        label,
        dcc.Textarea(
            id=rid(name),
            value="",
            maxLength=1000,
            rows=3,
            persistence=tag,
            persistence_type="local",
            className="register-lines",
        ),
        "initiative",
        name,
        hint,
    )


def force_area_options(
    forces: Sequence[Force], places: Mapping[str, Sequence[str]] = MappingProxyType({})
) -> list[dict]:
    """ "National work" first, then every force; typing finds a force by the names the Force filter knows ("the
    Met", "Devon and Cornwall", "Bristol")."""
    national = {"label": NATIONAL_LABEL, "value": NATIONAL_CHOICE, "search": "national england"}
    return [
        national,
        *({"label": f.name, "value": f.id, "search": force_search_text(f, places.get(f.id, ()))} for f in forces),
    ]


def force_choice_problems(chosen: Any) -> tuple[list[str], list[FieldProblem]]:
    """The force ids "Force areas" sends ("National work" is none), and its problems: nothing chosen, or national
    work and force areas both."""
    values = [v for v in chosen if isinstance(v, str)] if isinstance(chosen, list) else []
    forces = [v for v in values if v != NATIONAL_CHOICE]
    if not values:
        return forces, [FieldProblem("force_ids", FORCE_AREAS_EMPTY)]
    if forces and NATIONAL_CHOICE in values:
        return forces, [FieldProblem("force_ids", FORCE_AREAS_BOTH)]
    return forces, []


def problems_of(payload: Mapping[str, Any], ref: Reference) -> list[FieldProblem]:
    """Every problem the register finds in a proposal, without sending it."""
    try:
        validate_initiative(payload, "new", ref)
    except SubmissionInvalid as exc:
        return list(exc.problems)
    return []


def initiative_fields(snapshot: Snapshot, tag: str) -> list:
    """The initiative's own fields, in the form's order."""
    dataset = snapshot.dataset
    forces = sorted(dataset.forces, key=lambda f: f.name)
    text = partial(initiative_text, tag=tag)
    choice = partial(initiative_choice, tag=tag)
    lines = partial(initiative_lines, tag=tag)

    return [
        text("Title", "title", 200),
        choice(
            "Force areas",
            "force_ids",
            force_area_options(forces, searchable_places(dataset.forces, dataset.places)),
            "Choose every force area the work covers, or “National work: no force area”. Type a force's name, "
            "common name, region or a district in its area.",
            multi=True,
        ),
        html.Button("Add the force selected on the map", id=rid("add-selected-force"), n_clicks=0, className="button"),
        html.P(id=rid("add-selected-force-status"), role="status", className="register-status"),
        text("Place", "place", 200, "Where the work happens, as the paper would say it: a town, a county or a region."),
        lines("Lead organisations", "lead_organisations", "One organisation per line."),
        lines("Partners", "partners", "One organisation per line; leave empty if there are none."),
        choice(
            "Themes",
            "themes",
            [{"label": t.label, "value": t.id} for t in dataset.themes],
            "Choose every theme the work covers.",
            multi=True,
        ),
        choice(
            "Kind of work",
            "kind_of_work",
            options(KIND_OF_WORK_CHOICES),
            "What the work is: a service, a pilot, a campaign, an event …",
        ),
        choice("Stage", "stage", options(get_args(Stage)), "How far along it is now."),
        choice("Evaluation", "evaluation", options(get_args(Evaluation))),
        # Longer than a year may be: a word typed for a year ("twenty") is named beside the field, not cut short.
        text("First year", "start_year", 12, "A year in figures, such as 2019."),
        text("Last year", "end_year", 12, "Optional: the year the work ended; leave it empty while it runs."),
        form_field(
            "Summary, in your own words",
            text_area(rid("summary"), tag),
            "initiative",
            "summary",
            "A sentence or two on what the work does: at least 20 characters.",
        ),
        text("Source (a link or a citation)", "source", 500),
    ]


def contribute_form(snapshot: Snapshot, user: User) -> html.Section:
    tag = draft_tag(user)
    return html.Section(
        [
            html.H3("Propose an initiative, or an update to one the register holds"),
            dcc.Store(id=rid("resend-focus")),  # "Edit and send again" moves the focus here (register_resend_callback)
            dcc.Store(id=rid("resubmits")),  # the returned submission the form holds again, until it is sent
            html.P(id=rid("returned-note"), className="register-follows"),  # and what its reviewer asked
            # Filled when sending fails: how many fields need attention, each a link to its control.
            *summary_slot("initiative"),
            form_field(
                "What this proposal is",
                dropdown(rid("update-of"), update_options(snapshot), tag, value="", clearable=False),
                "initiative",
                "record_id",
                "Choosing a register record loads all of it, figures too: change only "
                "what should change. Your changes are kept in this browser until you send them.",
            ),
            *update_draft.beside_the_picker(),
            *initiative_fields(snapshot, tag),
            html.Div([figure_row(i, tag) for i in range(FIGURE_ROWS)], className="register-figures"),
            html.P(id=error_id("initiative", "figures"), className="field-error", role="alert"),
            html.P(id=error_id("initiative", "-"), className="field-error", role="alert"),
            html.Button("Add another figure", id=rid("add-figure"), n_clicks=0, className="button"),
            dcc.Store(id=rid("figure-count"), data=1, storage_type="local"),
            # The draft's own key, kept with the draft; a new one once it is stored. See the package's docstring.
            dcc.Store(id=rid("initiative-key"), data=uuid.uuid4().hex, storage_type="local"),
            dcc.Store(id=rid("initiative-sent")),
            *update_draft.stores(user),
            html.Button("Send for review", id=rid("submit"), n_clicks=0, className="button primary"),
            html.P(id=rid("submit-status"), role="status", className="register-status"),
        ],
        className="register-form",
        **aria(label="Propose an initiative"),
    )


# ---- what the callbacks do ------------------------------------------------------------------------------


def proposal_figures(record: Any, rows: Sequence[Mapping[str, Any]]) -> list:
    """The figures a proposal sends from the rows on show. For an update of a register initiative, rows as the
    form loaded them stay the record's figures exactly, and its figures past the rows shown stay untouched;
    otherwise, every row with something in it."""
    if record is not None and record.kind == "initiative":
        return merge_figures(record.payload.get("figures", []), list(rows))
    return [r for r in rows if any(v not in (None, "") for v in r.values())]


def proposed(context: RegisterContext, user: User, form: Mapping[str, Any], slots: Sequence[Mapping]) -> dict:
    """The answer to "Send for review": the submission stored, or each problem beside its field. `form` holds
    the callback's states by name (update_of, base_revision, loaded, fields, count, draft, rows)."""
    unchanged = dict(draft=no_update, sent=no_update, mine=no_update, summary=[])
    payload: dict[str, Any] = {f: listed(v) if f in LINE_LIST_FIELDS else v for f, v in form["fields"].items()}
    update_of = form["update_of"]
    if update_of is None:  # the picker empties itself for a record it no longer offers: still that record's update
        update_of = form["loaded"]
    update_of = update_of if isinstance(update_of, str) and update_of else None
    revision = as_revision(form["base_revision"])
    payload["force_ids"], force_problems = force_choice_problems(payload.get("force_ids"))
    # The figures whose source is the initiative's, taken as their box was left empty: a problem with that source
    # is said once, beside the initiative's Source, never beside an empty box the contributor did not fill.
    borrowed: set[str] = set()
    try:
        record = stored_record(context.service, update_of) if update_of else None
        figures = proposal_figures(record, form["rows"][: shown_rows(form["count"])])
        borrowed = {f"figures.{i}.source" for i, f in enumerate(figures) if not form_text(f.get("source"))}
        payload["figures"] = figures_sourced(figures, payload.get("source"))
        if force_problems:
            # Said with every other problem of the proposal at once, never one after another.
            raise SubmissionInvalid([*force_problems, *problems_of(payload, reference(context.source))])
        key = draft_key(
            user,
            "update" if update_of else "new",
            form["draft"],
            {"payload": payload, "record": update_of, "revision": revision},
        )
        submission = context.service.propose(
            user,
            "update" if update_of else "new initiative",
            payload,
            reference(context.source),
            record_id=update_of,
            idempotency_key=key,
            base_revision=revision,
            resubmits=as_revision(form.get("resubmits")),
        )
    except SubmissionInvalid as exc:
        problems = [p for p in exc.problems if p.field not in borrowed]
        return dict(
            errors=field_errors(problems, slots),
            status=not_sent_status(problems),
            **{**unchanged, "summary": error_summary(problems, control_id, control_order())},
        )
    except (RateLimited, Conflict, RegisterUnavailable) as exc:
        return dict(errors=[""] * len(slots), status=failure_message(exc), **unchanged)
    return dict(
        errors=[""] * len(slots),
        status=f"Sent for review as #{submission.id}. Its status is under Your submissions."
        + ("" if update_of else same_work_note(context.source.current().dataset, submission.payload)),
        draft=uuid.uuid4().hex,
        sent=submission.id,
        mine=my_submissions_or_unchanged(context.service, user, record_names(context.source.current().dataset)),
        summary=[],
    )


def same_work_note(dataset: Dataset, payload: Mapping[str, Any]) -> str:
    """Said to the contributor once a new initiative is sent, when the dashboard already shows one like it: the
    reviewer is told too, and checks it is not the same work."""
    matches = likely_same_work(
        str(payload.get("title") or ""),
        tuple(payload.get("force_ids") or ()),
        held_initiatives(dataset),
    )
    if not matches:
        return ""
    named = "; ".join(f"{m.label} “{m.title}”" for m in matches)
    return f" The dashboard already shows work like it ({named}): the reviewer will check it is not the same work."


def rows_shown(clicked_add: bool, count: Any) -> dict:
    """The figure rows on show, one more after "Add another figure" (up to FIGURE_ROWS)."""
    shown = shown_rows(count)
    if clicked_add:
        shown = min(shown + 1, FIGURE_ROWS)
    return dict(hidden=[i >= shown for i in range(FIGURE_ROWS)], count=shown)


def with_force(chosen: Any, force: str | None, names: Mapping[str, str]) -> tuple[Any, str]:
    """The force areas chosen with the map's selected `force` added, and what the button says beside it: why
    nothing was added (no force selected, or it is there already), or nothing once it is."""
    chosen = [f for f in chosen if isinstance(f, str)] if isinstance(chosen, list) else []
    if not force:
        return no_update, SELECT_A_FORCE_FIRST
    if force in chosen:
        return no_update, f"{names.get(force, force)} is already in Force areas."
    return [*chosen, force], ""


# ---- callbacks ------------------------------------------------------------------------------------------


def returned_note(submission_id: int, reviewer: str | None, comment: str) -> str:
    """What the reviewer asked of a returned proposal, said at the top of the form that holds it again: the
    status line under the form, and "Your submissions", were a long scroll from the fields to change."""
    return f"You are editing #{submission_id}, returned by {reviewer or 'a reviewer'} with the comment: “{comment}”"


def resent_form(context: RegisterContext, user: User, submission_id: Any) -> dict:
    """The form holding a returned proposal of `user`'s as it was sent (for an update, against the revision it
    was made against), and a sentence saying so; PreventUpdate for anything else."""
    try:
        mine = {s.id: s for s in context.service.my_submissions(user)}
    except RegisterUnavailable:
        return dict(form=unchanged_form(), update_of=no_update, note=no_update, status=UNAVAILABLE_NOW)
    submission = mine.get(submission_id) if isinstance(submission_id, int) else None
    if (
        submission is None
        or submission.status != "returned"
        or submission.kind not in RESENDABLE
        or submission.resent_as is not None
    ):
        raise PreventUpdate
    update = submission.kind == "update"
    return dict(
        form={
            **form_values(submission.payload),
            "base_revision": submission.base_revision if update else None,
            "loaded": submission.record_id if update else None,
        },
        update_of=submission.record_id if update else "",
        note=returned_note(submission.id, submission.reviewed_by, submission.review_comment),
        status=f"#{submission.id} is in the form as you sent it. Change what the reviewer asked, then send it "
        f"again: it goes to review as a new submission, with #{submission.id} and its comment beside it.",
    )


def register(app: Dash, context: RegisterContext) -> None:
    focus_summary(app, "initiative")
    register_send_callback(app, context)
    register_form_callbacks(app, context)
    register_resend_callback(app, context)


def register_resend_callback(app: Dash, context: RegisterContext) -> None:
    """ "Edit and send again" on a returned proposal: the form takes it, and the focus goes to its first field."""
    resend = {"type": rid("resend"), "submission": ALL}

    @app.callback(
        output=dict(
            form=form_outputs(),
            update_of=Output(rid("update-of"), "value", allow_duplicate=True),
            note=Output(rid("returned-note"), "children", allow_duplicate=True),
            status=Output(rid("submit-status"), "children", allow_duplicate=True),
            # The last sending's problems belong to what the form held then, not to the proposal loaded now.
            errors=Output(error_slots("initiative"), "children", allow_duplicate=True),
            summary=Output(rid("initiative-summary"), "children", allow_duplicate=True),
            resubmits=Output(rid("resubmits"), "data", allow_duplicate=True),
        ),
        inputs=dict(clicks=Input(resend, "n_clicks")),
        prevent_initial_call=True,
    )
    def resend_returned(clicks):
        user = user_or_403(context.settings)
        # The list is drawn anew after every change, each button at 0: only a press loads anything.
        pressed = [b for b in ctx.args_grouping["clicks"] if b.get("triggered") and b.get("value")]
        if not pressed:
            raise PreventUpdate
        loaded = resent_form(context, user, pressed[0]["id"].get("submission"))
        cleared = loaded["status"] != UNAVAILABLE_NOW
        slots = ctx.outputs_grouping["errors"]
        return dict(
            **loaded,
            errors=[""] * len(slots) if cleared else [no_update] * len(slots),
            summary=[] if cleared else no_update,
            resubmits=pressed[0]["id"].get("submission") if cleared else no_update,
        )

    app.clientside_callback(
        ClientsideFunction("registerDrafts", "toForm"),
        Output(rid("resend-focus"), "data"),
        Input(resend, "n_clicks"),
        prevent_initial_call=True,
    )


def register_send_callback(app: Dash, context: RegisterContext) -> None:
    """Sending the proposal: stored, or the fields that need attention."""

    @app.callback(
        output=dict(
            errors=Output(error_slots("initiative"), "children"),
            status=Output(rid("submit-status"), "children"),
            draft=Output(rid("initiative-key"), "data"),
            sent=Output(rid("initiative-sent"), "data"),
            mine=Output(rid("mine"), "children", allow_duplicate=True),
            summary=Output(rid("initiative-summary"), "children"),
        ),
        inputs=dict(n_clicks=Input(rid("submit"), "n_clicks")),
        state=dict(
            update_of=State(rid("update-of"), "value"),
            base_revision=State(rid("base-revision"), "data"),
            loaded=State(rid("loaded-record"), "data"),
            fields={f: State(rid(f), "value") for f in (*TEXT_FIELDS, *CHOICE_FIELDS)},
            count=State(rid("figure-count"), "data"),
            draft=State(rid("initiative-key"), "data"),
            rows=[{f: State(figure_id(i, f), "value") for f in FIGURE_FIELDS} for i in range(FIGURE_ROWS)],
            resubmits=State(rid("resubmits"), "data"),
        ),
        prevent_initial_call=True,
    )
    def send_initiative(n_clicks, **form):
        user = user_or_403(context.settings)
        if not n_clicks:
            raise PreventUpdate
        return proposed(context, user, form, ctx.outputs_grouping["errors"])


def register_form_callbacks(app: Dash, context: RegisterContext) -> None:
    """The form's own callbacks: more figure rows, a fresh form once sent, the force selected on the map added."""

    @app.callback(
        output=dict(
            hidden=[Output(rid(f"figure-{i}"), "hidden") for i in range(FIGURE_ROWS)],
            count=Output(rid("figure-count"), "data"),
        ),
        inputs=dict(n_clicks=Input(rid("add-figure"), "n_clicks"), count=Input(rid("figure-count"), "data")),
    )
    def show_figure_rows(n_clicks, count):
        user_or_403(context.settings)
        return rows_shown(ctx.triggered_id == rid("add-figure") and bool(n_clicks), count)

    @app.callback(
        output=dict(
            form=form_outputs(),
            update_of=Output(rid("update-of"), "value", allow_duplicate=True),
            resubmits=Output(rid("resubmits"), "data", allow_duplicate=True),
            note=Output(rid("returned-note"), "children", allow_duplicate=True),
        ),
        inputs=dict(sent=Input(rid("initiative-sent"), "data")),
        prevent_initial_call=True,
    )
    def clear_sent_initiative(sent):
        """A fresh form once a proposal is stored: setting the fields also drops the draft kept in the browser."""
        user_or_403(context.settings)
        if sent is None:
            raise PreventUpdate
        return dict(form=empty_form(), update_of="", resubmits=None, note="")

    @app.callback(
        Output(rid("force_ids"), "value", allow_duplicate=True),
        Output(rid("add-selected-force-status"), "children"),
        inputs=dict(n_clicks=Input(rid("add-selected-force"), "n_clicks")),
        state=dict(state_data=State(Ids.STATE, "data"), chosen=State(rid("force_ids"), "value")),
        prevent_initial_call=True,
    )
    def add_selected_force(n_clicks, state_data, chosen):
        """Force areas picked on the map: the force selected there joins the list."""
        user_or_403(context.settings)
        if not n_clicks:
            raise PreventUpdate
        dataset = context.source.current().dataset
        names = {f.id: f.name for f in dataset.forces}
        return with_force(chosen, state_from_store(state_data, dataset).force, names)
