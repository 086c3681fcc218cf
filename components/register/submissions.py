"""UI feature, the register: "Your submissions" — what this user has sent, and where each stands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from dash import Dash, Input, Output, html, no_update

from components.register.common import UNAVAILABLE_NOW, RegisterContext, rid, user_or_403
from domain.register import User, named_record, record_names
from services.register import RegisterService
from storage.errors import RegisterUnavailable
from components.attributes import aria

# ---- layout ---------------------------------------------------------------------------------------------


def submissions_section() -> html.Section:
    return html.Section(
        [
            html.H3("Your submissions"),
            html.Button("Refresh", id=rid("mine-refresh"), n_clicks=0, className="button"),
            html.Div(id=rid("mine"), **aria(live="polite")),
        ],
        className="register-mine",
    )


def status_text(submission: Any) -> str:
    """Where a submission stands; for a withdrawn record, when and why; for a returned one sent again, as what."""
    if getattr(submission, "resent_as", None) is not None:
        return f"{submission.status}; sent again as #{submission.resent_as}"
    if getattr(submission, "record_state", None) == "withdrawn":
        when = submission.withdrawn_at.strftime("%Y-%m-%d") if submission.withdrawn_at else "an unknown date"
        return f"{submission.status}; withdrawn on {when}: {submission.withdrawn_reason or 'no reason given'}"
    return str(submission.status)


TITLE_SHOWN = 80  # characters of a title or a note's text; the rest is cut, and "…" says so


def shown_title(payload: Any) -> str:
    text = str(payload.get("title") or payload.get("text", ""))
    if len(text) <= TITLE_SHOWN:
        return text
    cut = text[:TITLE_SHOWN]
    return f"{(cut.rsplit(' ', 1)[0] if ' ' in cut else cut).rstrip(' ,;:')}…"  # at a word's end, where there is one


RESENDABLE = ("new initiative", "update")  # a returned note is short: written again in the note form


def resend_button(submission: Any) -> html.Button | None:
    """ "Edit and send again" on a returned proposal of an initiative: the form takes it as it was sent, so its
    contributor changes what the reviewer asked rather than typing it all again."""
    if submission.status != "returned" or submission.kind not in RESENDABLE or submission.resent_as is not None:
        return None
    return html.Button(
        "Edit and send again",
        id={"type": rid("resend"), "submission": submission.id},
        n_clicks=0,
        className="button",
        title="Load it into the form above as you sent it",
    )


def submission_item(submission: Any, records: Mapping[str, str] = MappingProxyType({})) -> html.Li:
    """One submission as a short card: its number, kind and title, then where it stands, when it was sent and
    the reviewer's comment, each under its own name. It wraps at any width, so a phone needs no sideways scroll
    and the status is never cut off."""
    about = submission.payload.get("figure_id") or submission.payload.get("about_id")
    facts = (
        # A note says what it is about, by name: two notes with the same opening read apart.
        *((("About", named_record(records, about), None),) if about else ()),
        ("Status", status_text(submission), "register-submission-status"),
        ("Sent (UTC)", submission.submitted_at.strftime("%Y-%m-%d %H:%M"), None),
        ("Reviewer's comment", submission.review_comment or "—", None),
    )
    return html.Li(
        [
            html.P(
                [html.Strong(f"#{submission.id}"), f" {submission.kind}: ", shown_title(submission.payload)],
                className="register-submission-title",
            ),
            html.Dl(
                [html.Div([html.Dt(name), html.Dd(value, className=kind)]) for name, value, kind in facts],
                className="register-submission-facts",
            ),
            resend_button(submission),
        ],
        className="register-submission",
    )


def submissions_list(submissions: Sequence[Any], records: Mapping[str, str] = MappingProxyType({})) -> html.Ul | html.P:
    """This user's submissions, newest as the service lists them, each a card (`submission_item`); `records`
    names what notes are about (domain.register.record_names)."""
    if not submissions:
        return html.P("You have sent nothing yet.", className="empty")
    return html.Ul([submission_item(s, records) for s in submissions], className="register-submissions")


# ---- what the callbacks do ------------------------------------------------------------------------------


def my_submissions(service: RegisterService, user: User, records: Mapping[str, str] = MappingProxyType({})) -> Any:
    try:
        return submissions_list(service.my_submissions(user), records)
    except RegisterUnavailable:
        return html.P(UNAVAILABLE_NOW)


def my_submissions_or_unchanged(
    service: RegisterService, user: User, records: Mapping[str, str] = MappingProxyType({})
) -> Any:
    """The user's submissions re-read after a stored write. If the database went away in between, the
    list stays as shown: the write itself is stored, and the status line says so."""
    try:
        return submissions_list(service.my_submissions(user), records)
    except RegisterUnavailable:
        return no_update


# ---- callbacks ------------------------------------------------------------------------------------------


def register(app: Dash, context: RegisterContext) -> None:
    @app.callback(Output(rid("mine"), "children"), Input(rid("mine-refresh"), "n_clicks"))
    def show_mine(_clicks):
        user = user_or_403(context.settings)
        return my_submissions(context.service, user, record_names(context.source.current().dataset))
