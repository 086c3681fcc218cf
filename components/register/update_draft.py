"""UI feature, the register: an update's draft — a register record loaded into the proposal form, kept whole
in this browser across a reload, and a sentence beside the picker when the record has moved on since.

Dash's persistence keeps what a user typed but not what a callback set, and a loaded record's fields are
set by one: assets/register-drafts.js writes the record id, the revision it was loaded at and every field
and figure row as shown to local storage under the user's own key (`update_draft_slot`) whenever one
changes, and reads it back once as the page opens; `load_record_to_update` then restores it instead of
loading the record again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.register.common import (
    MAX_SUBMISSION_ID,
    PREFIX,
    RegisterContext,
    as_text,
    draft_tag,
    rid,
    stored_record,
    user_or_403,
)
from components.register.fields import (
    CHOICE_FIELDS,
    FIGURE_ROWS,
    FIGURE_TEXT,
    MULTI_CHOICE_FIELDS,
    TEXT_FIELDS,
    empty_form,
    figure_id,
    form_outputs,
    form_values,
    shown_rows,
    unchanged_form,
)
from domain.register import FIGURE_FIELDS, User
from storage.errors import RegisterUnavailable

# ---- layout ---------------------------------------------------------------------------------------------


def update_draft_slot(user: User) -> str:
    """The local-storage key of this user's update draft (assets/register-drafts.js writes and reads it)."""
    return f"{PREFIX}update-{draft_tag(user)}"


def beside_the_picker() -> list:
    """Whether the record has moved on since the draft loaded it, and a way back to it."""
    return [
        html.P(id=rid("update-note"), className="field-error", role="status"),
        html.Button(
            "Discard my changes",
            id=rid("discard"),
            n_clicks=0,
            className="button",
            hidden=True,
            title="Load the record again as it is published now",
        ),
    ]


def stores(user: User) -> list:
    """The record whose fields the form holds, and the revision it was loaded at: an update is made against it.
    Kept across a reload by the update's draft, per user."""
    return [
        dcc.Store(id=rid("loaded-record")),
        dcc.Store(id=rid("base-revision")),
        dcc.Store(id=rid("update-draft-slot"), data=update_draft_slot(user)),
        dcc.Store(id=rid("update-draft-start")),  # the draft as the page opened, read once
        dcc.Store(id=rid("update-draft-kept")),  # the draft as last kept: what the browser holds now
    ]


# ---- what the callbacks do ------------------------------------------------------------------------------


def _choice_value(value: Any, multi: bool) -> Any:
    if multi:
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return value if isinstance(value, str) else None  # "" is an option of its own: "(none)"


def _kept_value(values: Mapping[str, Any], component: str, name: str) -> Any:
    """A field's value as the draft kept it: text, or a choice (a list of text for a multiple one)."""
    if name in TEXT_FIELDS or name in FIGURE_TEXT:
        return as_text(values.get(component))
    return _choice_value(values.get(component), name in MULTI_CHOICE_FIELDS)


def draft_form(draft: Any, record_id: str) -> dict[str, Any] | None:
    """The form as the user's update draft kept it (each component's value by its id), or None when the
    draft is not an update of `record_id` loaded at a known revision. The draft comes from the browser:
    anything but text, or a list of text, is read as an empty field."""
    if not isinstance(draft, Mapping) or draft.get("record_id") != record_id:
        return None
    values, revision = draft.get("values"), draft.get("base_revision")
    if (
        not isinstance(values, Mapping)
        or not isinstance(revision, int)
        or isinstance(revision, bool)
        or not 0 < revision < MAX_SUBMISSION_ID
    ):
        return None
    return dict(
        text={f: _kept_value(values, rid(f), f) for f in TEXT_FIELDS},
        choices={f: _kept_value(values, rid(f), f) for f in CHOICE_FIELDS},
        rows=[{f: _kept_value(values, figure_id(i, f), f) for f in FIGURE_FIELDS} for i in range(FIGURE_ROWS)],
        count=shown_rows(values.get(rid("figure-count"))),
        base_revision=revision,
        loaded=record_id,
    )


def moved_on(record_id: str, record: Any, base_revision: Any) -> str:
    """A sentence when the record an update was loaded from is no longer as it was loaded; else nothing."""
    if record is None or record.state != "published":
        return (
            f"{record_id} is no longer published, so an update of it cannot be published; your changes stay in "
            "this browser until you discard them."
        )
    if isinstance(base_revision, int) and not isinstance(base_revision, bool) and record.revision > base_revision:
        return (
            f"{record_id} has changed since your changes were loaded from it (they are made against revision "
            f"{base_revision}; it is now at revision {record.revision}). Your changes are kept, but sent as they "
            "are they would be refused as out of date: note them, discard them to load the record as it is "
            "now, and make them again."
        )
    return ""


def restored_draft(record_id: Any, draft: Any) -> dict[str, Any] | None:
    """As the page opens: the form as the user's update draft kept it, or None when it keeps none to restore.
    A withdrawn record is no longer among the picker's options, which empties it: its draft is restored all
    the same, and the sentence beside the picker says it can no longer be published."""
    of = record_id or (draft.get("record_id") if isinstance(draft, Mapping) else None)
    kept = draft_form(draft, of) if isinstance(of, str) and of else None
    if kept is None:
        return None
    return dict(
        form=kept,
        update_of=of if of != record_id else no_update,
        status=f"Your changes to {of} are as you left them, kept in this browser (made against revision "
        f"{kept['base_revision']}). Send them, or discard them to start again from the record.",
    )


def chosen_record(context: RegisterContext, trigger: Any, record_id: Any, draft: Any, loaded: Any) -> dict[str, Any]:
    """The form for the record chosen in the picker (or, as the page opens, for the user's draft of its update);
    PreventUpdate when the form already holds it."""
    if trigger in (None, rid("update-draft-start")):
        restored = restored_draft(record_id, draft)
        if restored is not None:
            return restored
        if loaded:
            raise PreventUpdate  # the form already holds the record (restored or loaded as the page opened)
    if record_id is None:  # emptied by the picker itself (no option for it), never chosen: still that record
        record_id = loaded
    if not isinstance(record_id, str) or not record_id:
        if not loaded:
            raise PreventUpdate
        # "A new initiative": the fields stay to start from, but they are no longer a record's update.
        return dict(form={**unchanged_form(), "loaded": None}, status=no_update, update_of=no_update)
    if trigger == rid("update-of") and record_id == loaded:
        raise PreventUpdate  # the picker set back to the record the form holds: nothing to load
    return fresh_record(context, record_id, loaded, discarding=trigger == rid("discard"))


def fresh_record(context: RegisterContext, record_id: str, loaded: Any, discarding: bool = False) -> dict[str, Any]:
    """Every field of the record as published, its figures in the figure rows, and the revision read."""
    try:
        record = stored_record(context.service, record_id)
    except RegisterUnavailable:
        # The form keeps what it holds, and the picker goes back to the record it belongs to.
        return dict(
            form=unchanged_form(),
            update_of=loaded if isinstance(loaded, str) and loaded else no_update,
            status=f"The register is unavailable just now, so {record_id} could not be loaded; the "
            "form is as it was. Please choose it again in a few minutes.",
        )
    if record is None or record.kind != "initiative" or record.state != "published":
        if not discarding:
            raise PreventUpdate
        # Nothing to go back to: discarding the changes to a withdrawn record leaves an empty form.
        return dict(
            form=empty_form(),
            update_of="",
            status=f"Your changes to {record_id} are discarded; it is no longer published.",
        )
    extra = ""
    figures = record.payload.get("figures") or []
    if len(figures) > FIGURE_ROWS:
        extra = (
            f" The form shows its first {FIGURE_ROWS} figures; the other {len(figures) - FIGURE_ROWS} "
            "are kept as they are."
        )
    return dict(
        form={**form_values(record.payload), "base_revision": record.revision, "loaded": record_id},
        update_of=no_update,
        status=f"Loaded {record_id} as published (revision {record.revision}). Change only what should "
        f"change: fields and figures left as they are stay as they are.{extra}",
    )


def picker_note(context: RegisterContext, loaded: Any, revision: Any) -> dict[str, Any]:
    """Beside the picker: whether the record the update was loaded from has moved on since."""
    if not isinstance(loaded, str) or not loaded:
        return dict(note="", hidden=True)
    try:
        record = stored_record(context.service, loaded)
    except RegisterUnavailable:
        return dict(note=no_update, hidden=False)
    return dict(note=moved_on(loaded, record, revision), hidden=False)


def kept_fields() -> list[Input]:
    """Every field of the form and what it is an update of: a change to any of them keeps the draft again.
    assets/register-drafts.js reads them by id (callback_context), never by position."""
    return [
        *(Input(rid(f), "value") for f in (*TEXT_FIELDS, *CHOICE_FIELDS)),
        *(Input(figure_id(i, f), "value") for i in range(FIGURE_ROWS) for f in FIGURE_FIELDS),
        Input(rid("figure-count"), "data"),
        Input(rid("update-of"), "value"),
        Input(rid("loaded-record"), "data"),
        Input(rid("base-revision"), "data"),
    ]


# ---- callbacks ------------------------------------------------------------------------------------------


def register(app: Dash, context: RegisterContext) -> None:
    @app.callback(
        output=dict(
            form=form_outputs(),
            status=Output(rid("submit-status"), "children", allow_duplicate=True),
            update_of=Output(rid("update-of"), "value", allow_duplicate=True),
        ),
        inputs=dict(
            record_id=Input(rid("update-of"), "value"),
            draft=Input(rid("update-draft-start"), "data"),
            _discard=Input(rid("discard"), "n_clicks"),
        ),
        state=dict(loaded=State(rid("loaded-record"), "data")),
        # Also as the page opens, once the browser has read the user's update draft: restored, not reloaded.
        prevent_initial_call="initial_duplicate",
    )
    def load_record_to_update(record_id, draft, _discard, loaded):
        """The chosen register record in the form, or, as the page opens, the user's draft of its update."""
        user_or_403(context.settings)
        return chosen_record(context, ctx.triggered_id, record_id, draft, loaded)

    @app.callback(
        output=dict(note=Output(rid("update-note"), "children"), hidden=Output(rid("discard"), "hidden")),
        inputs=dict(
            loaded=Input(rid("loaded-record"), "data"),
            revision=Input(rid("base-revision"), "data"),
            _version=Input(rid("pickers-version"), "data"),
        ),
        prevent_initial_call=True,
    )
    def update_note(loaded, revision, _version):
        user_or_403(context.settings)
        return picker_note(context, loaded, revision)

    # Kept and read in the browser: see the module's docstring. Dash has no dict-keyed signature for a
    # clientside callback; the function takes no arguments and reads each value by its id instead.
    app.clientside_callback(
        ClientsideFunction("registerDrafts", "keep"),
        Output(rid("update-draft-kept"), "data"),
        kept_fields(),
        State(rid("update-draft-slot"), "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("registerDrafts", "read"),
        Output(rid("update-draft-start"), "data"),
        Input(rid("update-draft-slot"), "data"),
    )
