"""UI feature, the register: what its four parts share — component ids, field builders, the user checks and
the register's context (its data source, service and settings), each a plain function a unit test can call."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html
from flask import abort, request

from components.attributes import data
from components.identity import current_user
from domain.register import FIELD_LABELS, FieldProblem, Reference, SubmissionInvalid, User, sentence
from domain.source import SnapshotProvider, Snapshot
from services.register import RegisterService
from settings import Settings
from storage.errors import RegisterUnavailable

# Every register component's id starts so: one namespace of ids for the feature. (The write guard protects the
# callbacks register() returns, by exact output, not by this prefix.)
PREFIX = "register-"
MAX_SUBMISSION_ID = 2**31  # far beyond any register; both databases store it
UNAVAILABLE = (
    "The register is unavailable just now. Your draft is kept in this browser; please send it again in a few minutes."
)
# For what is not a draft: a reviewer's decision, a withdrawal, a list being read.
UNAVAILABLE_NOW = "The register is unavailable just now; nothing was changed. Please try again in a few minutes."


@dataclass(frozen=True)
class RegisterContext:
    """What the register's callbacks work with, built once by `components.register.register`."""

    source: SnapshotProvider
    service: RegisterService
    settings: Settings


# ---- ids ------------------------------------------------------------------------------------------------


def rid(name: str) -> str:
    return f"{PREFIX}{name}"


def error_id(form: str, field: Any) -> dict[str, Any]:
    """An error slot's id; `field` is a field name, or ALL for every slot of a form."""
    return {"type": rid("error"), "form": form, "field": field}


def error_slots(form: str) -> dict:
    """Every error slot of `form` ("initiative" or "note"), as one pattern-matching output."""
    return error_id(form, ALL)


def draft_tag(user: User) -> str:
    """The persistence value of every draft field: the browser keeps each user's draft under their name."""
    return f"draft-of:{user.name}"


# ---- form fields ----------------------------------------------------------------------------------------


def options(values: Sequence[str]) -> list[dict]:
    return [{"label": v or "(none)", "value": v} for v in values]


def form_field(label: str, control: Any, form: str, name: str, hint: str = "") -> html.Div:
    """A labelled control, its hint, and the slot its problems are shown in."""
    return html.Div(
        [
            html.Label(label, htmlFor=control.id),
            control,
            html.Small(hint, className="hint") if hint else None,
            html.P(id=error_id(form, name), className="field-error", role="alert"),
        ],
        className="register-field",
    )


def text_input(component_id: str, tag: str, **kwargs: Any) -> dcc.Input:
    """A one-line text field of a draft, kept in this browser under `tag`."""
    return dcc.Input(id=component_id, type="text", persistence=tag, persistence_type="local", value="", **kwargs)


def text_area(component_id: str, tag: str) -> dcc.Textarea:
    """A text of a draft (a summary, a note), up to 2,000 characters, kept in this browser under `tag`."""
    return dcc.Textarea(
        id=component_id,
        value="",
        maxLength=2000,
        persistence=tag,
        persistence_type="local",
        className="register-text",  # without one, Dash writes the class "undefined"
    )


def dropdown(component_id: str, choices: list[dict], tag: str, **kwargs: Any) -> dcc.Dropdown:
    """A dropdown of a draft, kept in this browser under `tag`."""
    return dcc.Dropdown(id=component_id, options=choices, persistence=tag, persistence_type="local", **kwargs)


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_revision(value: Any) -> int | None:
    """A revision from the browser: an int, never a bool; None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ---- problems shown on the form -------------------------------------------------------------------------


def general_label(name: str) -> str:
    """A field with no error slot of its own, named as the form names it: 'Figure 6, Value'."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "figures" and parts[1].isdigit():
        return f"Figure {int(parts[1]) + 1}, {FIELD_LABELS.get(parts[2], parts[2])}"
    return FIELD_LABELS.get(name, name)


def field_errors(problems: Sequence[FieldProblem], slots: Sequence[Mapping]) -> list[str]:
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
            grouped.setdefault("-", []).append(f"{general_label(problem.field)}: {sentence(problem)}")
    return [" ".join(grouped.get(slot["id"]["field"], [])) for slot in slots]


def summary_label(name: str) -> str:
    """A field as the error summary names it in a list of fields: 'Title', 'Figure 1 value'."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "figures" and parts[1].isdigit():
        return f"Figure {int(parts[1]) + 1} {FIELD_LABELS.get(parts[2], parts[2]).lower()}"
    if name == "-":
        return "The proposal as a whole"
    return FIELD_LABELS.get(name, name)


def focus_link(text: str, target: str) -> html.A:
    """A link in the page that scrolls to and focuses `target` (assets/register-drafts.js), without changing
    the page's address (which holds the view)."""
    return html.A(text, href=f"#{target}", className="register-focus-link", **data(**{"register-focus": target}))


def error_summary(
    problems: Sequence[FieldProblem], control_of: Callable[[str], str | None], order: Sequence[str] = ()
) -> list:
    """At the top of a form whose sending failed: how many fields need attention, named in a sentence, then
    each with its problems in whole sentences and a link that focuses its control; in the form's `order` of
    controls (by their ids), the rest after them. Empty without problems."""

    def place(problem: FieldProblem) -> int:
        control = control_of(problem.field)
        return order.index(control) if control in order else len(order)

    sentences: dict[str, list[str]] = {}
    targets: dict[str, str | None] = {}
    for problem in sorted(problems, key=place):
        label = summary_label(problem.field)
        sentences.setdefault(label, []).append(sentence(problem))
        targets.setdefault(label, control_of(problem.field))
    if not sentences:
        return []
    labels = list(sentences)
    named = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
    heading = f"{fields_need_attention(problems)}: {named}."
    items = [
        html.Li([focus_link(label, target) if target else html.Span(label), f": {' '.join(said)}"])
        for label, said in sentences.items()
        for target in (targets[label],)
    ]
    return [html.P(heading, className="register-summary-heading"), html.Ul(items)]


def fields_need_attention(problems: Sequence[FieldProblem]) -> str:
    """'4 fields need attention': fields, not problems (a field may have two), counted as the error summary lists
    them, so the summary's heading and the status line by the send button say the same number."""
    count = len({summary_label(p.field) for p in problems})
    return f"{count} field{'s need' if count != 1 else ' needs'} attention"


def not_sent_status(problems: Sequence[FieldProblem], form: str = "the form") -> str:
    """The status line by a send button when sending failed."""
    return f"Not sent: {fields_need_attention(problems)}, listed at the top of {form} and shown by each field."


def summary_slot(form: str) -> list:
    """Where `form`'s error summary goes (at the top of the form), and the store its focusing writes to."""
    return [
        html.Div(id=rid(f"{form}-summary"), className="register-summary", tabIndex=-1),
        dcc.Store(id=rid(f"{form}-summary-focused")),
    ]


def focus_summary(app: Dash, form: str) -> None:
    """Once sending fails, focus moves to the form's error summary (assets/register-drafts.js), as a keyboard
    or screen reader user would otherwise not learn that the form above the button needs them."""
    app.clientside_callback(
        ClientsideFunction("registerDrafts", "focusSummary"),
        Output(rid(f"{form}-summary-focused"), "data"),
        Input(rid(f"{form}-summary"), "children"),
        State(rid(f"{form}-summary"), "id"),
        prevent_initial_call=True,
    )


def whole_sentence(text: str) -> str:
    """A message as a sentence: its first letter a capital, a full stop at its end."""
    text = text.strip()
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def failure_message(exc: Exception) -> str:
    if isinstance(exc, RegisterUnavailable):
        return UNAVAILABLE
    return whole_sentence(str(exc))


def draft_key(user: User, form: str, draft: Any, content: Mapping[str, Any]) -> str | None:
    """The idempotency key of a send: the draft's own key and what it holds, for this user. The same draft
    resent (a reload after a lost answer) has the same key; a draft edited since has a new one."""
    if not isinstance(draft, str) or not draft:
        return None
    canonical = json.dumps([user.name, form, draft, content], sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# ---- the user, the data and the records -----------------------------------------------------------------


def user_or_403(settings: Settings) -> User:
    """The trusted user of this request; a 403 answer without one."""
    user = current_user(request, settings)
    if user is None:
        abort(403)
    return user


def reviewer_or_403(settings: Settings) -> User:
    user = user_or_403(settings)
    if not user.is_reviewer:
        abort(403)
    return user


def reference(source: SnapshotProvider) -> Reference:
    """What a proposal is checked against: the forces, themes and records on show."""
    return Reference.of(source.current().dataset)


def refreshed(source: SnapshotProvider) -> Snapshot:
    """The snapshot after a write of this worker's: taken at once rather than at the next poll."""
    refresh = getattr(source, "refresh", None)
    if callable(refresh):
        refresh()
    return source.current()


def stored_record(service: RegisterService, record_id: str) -> Any:
    """The register record with this id, or None; RegisterUnavailable when the database is away."""
    try:
        return service.record(record_id)
    except SubmissionInvalid:
        return None
