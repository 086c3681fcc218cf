"""UI feature, the register: a note (an erratum or a follow-up) on one of the paper's initiatives, shown
beside the paper's record; it never changes what the paper says."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.register.common import (
    RegisterContext,
    draft_key,
    draft_tag,
    dropdown,
    error_id,
    error_slots,
    error_summary,
    not_sent_status,
    failure_message,
    field_errors,
    focus_summary,
    form_field,
    options,
    reference,
    rid,
    summary_slot,
    text_area,
    text_input,
    user_or_403,
)
from components.register.submissions import my_submissions_or_unchanged
from domain.register import NOTE_FIELDS, NOTE_KINDS, SubmissionInvalid, User, record_names
from domain.source import Snapshot
from services.register import RateLimited
from storage.errors import Conflict, RegisterUnavailable
from components.attributes import aria

NOTE_FORM_FIELDS = ("about_id", "note_kind", "figure_id", "text", "source")
NOTE_FORM_ORDER = ("about_id", "figure_id", "note_kind", "text", "source")  # as the form shows them

# ---- layout ---------------------------------------------------------------------------------------------


def about_options(snapshot: Snapshot) -> list[dict]:
    """The paper's initiatives, by title: what a note may be about."""
    dataset = snapshot.dataset
    paper = sorted((i for i in dataset.initiatives if i.id not in dataset.provenance), key=lambda i: i.title)
    return [{"label": i.title, "value": i.id} for i in paper]


def figure_options(snapshot: Snapshot, initiative_id: object) -> list[dict]:
    """The figures of the initiative a note is about, for a note that names one of them."""
    if not isinstance(initiative_id, str):
        return []
    return [
        {"label": f"{o.measure}: {o.direction}, {o.value:g} {o.unit}", "value": o.id}
        for o in snapshot.dataset.outcomes
        if o.initiative_id == initiative_id
    ]


def note_form(snapshot: Snapshot, user: User) -> html.Section:
    tag = draft_tag(user)
    return html.Section(
        [
            html.H3("Add a note to one of the paper's initiatives"),
            html.P(
                "An erratum or a follow-up is shown beside the paper's record; it never changes what the paper says."
            ),
            *summary_slot("note"),
            form_field("Initiative", dropdown(rid("note-about_id"), about_options(snapshot), tag), "note", "about_id"),
            form_field(
                "Figure (optional)",
                dropdown(rid("note-figure_id"), [], tag),
                "note",
                "figure_id",
                "Choose the figure the note corrects or follows up, if it is about one.",
            ),
            form_field("Kind of note", dropdown(rid("note-note_kind"), options(NOTE_KINDS), tag), "note", "note_kind"),
            form_field(
                "Note, in your own words",
                text_area(rid("note-text"), tag),
                "note",
                "text",
            ),
            form_field(
                "Source (a link or a citation)", text_input(rid("note-source"), tag, maxLength=500), "note", "source"
            ),
            html.P(id=error_id("note", "-"), className="field-error", role="alert"),
            dcc.Store(id=rid("note-key"), data=uuid.uuid4().hex, storage_type="local"),
            dcc.Store(id=rid("note-sent")),
            html.Button("Send note for review", id=rid("note-submit"), n_clicks=0, className="button"),
            html.P(id=rid("note-status"), role="status", className="register-status"),
        ],
        className="register-form",
        **aria(label="Add a note"),
    )


# ---- what the callbacks do ------------------------------------------------------------------------------


def note_payload(fields: Mapping[str, Any]) -> dict[str, Any]:
    """What a note sends: its fields, naming a figure only once the domain knows the field (issue 20: the
    `provenance` part) and one is chosen."""
    payload = {f: v for f, v in fields.items() if f != "figure_id"}
    if fields.get("figure_id") not in (None, "") and "figure_id" in NOTE_FIELDS:
        payload["figure_id"] = fields["figure_id"]
    return payload


def note_control(field: str) -> str | None:
    """The id of the note form's control for a problem's field, for the error summary's link; None for none."""
    return rid(f"note-{field}") if field in NOTE_FORM_FIELDS else None


def noted(
    context: RegisterContext, user: User, fields: Mapping[str, Any], draft: Any, slots: Sequence[Mapping]
) -> dict:
    """The answer to "Send note for review": the submission stored, or each problem beside its field."""
    payload = note_payload(fields)
    unchanged = dict(draft=no_update, sent=no_update, mine=no_update, summary=[])
    try:
        submission = context.service.propose(
            user, "note", payload, reference(context.source), idempotency_key=draft_key(user, "note", draft, payload)
        )
    except SubmissionInvalid as exc:
        return dict(
            errors=field_errors(exc.problems, slots),
            status=not_sent_status(exc.problems, "the note's form"),
            **{
                **unchanged,
                "summary": error_summary(exc.problems, note_control, [rid(f"note-{f}") for f in NOTE_FORM_ORDER]),
            },
        )
    except (RateLimited, Conflict, RegisterUnavailable) as exc:
        return dict(errors=[""] * len(slots), status=failure_message(exc), **unchanged)
    return dict(
        errors=[""] * len(slots),
        status=f"Note sent for review as #{submission.id}.",
        draft=uuid.uuid4().hex,
        sent=submission.id,
        mine=my_submissions_or_unchanged(context.service, user, record_names(context.source.current().dataset)),
        summary=[],
    )


# ---- callbacks ------------------------------------------------------------------------------------------


def register(app: Dash, context: RegisterContext) -> None:
    focus_summary(app, "note")

    @app.callback(
        output=dict(
            errors=Output(error_slots("note"), "children"),
            status=Output(rid("note-status"), "children"),
            draft=Output(rid("note-key"), "data"),
            sent=Output(rid("note-sent"), "data"),
            mine=Output(rid("mine"), "children", allow_duplicate=True),
            summary=Output(rid("note-summary"), "children"),
        ),
        inputs=dict(n_clicks=Input(rid("note-submit"), "n_clicks")),
        state=dict(
            fields={f: State(rid(f"note-{f}"), "value") for f in NOTE_FORM_FIELDS}, draft=State(rid("note-key"), "data")
        ),
        prevent_initial_call=True,
    )
    def send_note(n_clicks, fields, draft):
        user = user_or_403(context.settings)
        if not n_clicks:
            raise PreventUpdate
        return noted(context, user, fields, draft, ctx.outputs_grouping["errors"])

    @app.callback(
        output={f: Output(rid(f"note-{f}"), "value", allow_duplicate=True) for f in NOTE_FORM_FIELDS},
        inputs=dict(sent=Input(rid("note-sent"), "data")),
        prevent_initial_call=True,
    )
    def clear_sent_note(sent):
        user_or_403(context.settings)
        if sent is None:
            raise PreventUpdate
        return dict(about_id=None, note_kind=None, figure_id=None, text="", source="")

    @app.callback(
        Output(rid("note-figure_id"), "options"),
        inputs=dict(about=Input(rid("note-about_id"), "value")),
    )
    def note_figure_choices(about):
        user_or_403(context.settings)
        return figure_options(context.source.current(), about)
