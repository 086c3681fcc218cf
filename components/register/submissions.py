"""UI feature, the register: "Your submissions" — what this user has sent, and where each stands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import Dash, Input, Output, html, no_update

from components.register.common import UNAVAILABLE_NOW, RegisterContext, rid, user_or_403
from domain.register import User
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
    """Where a submission stands; for a withdrawn record, when and why."""
    if getattr(submission, "record_state", None) == "withdrawn":
        when = submission.withdrawn_at.strftime("%Y-%m-%d") if submission.withdrawn_at else "an unknown date"
        return f"{submission.status}; withdrawn on {when}: {submission.withdrawn_reason or 'no reason given'}"
    return str(submission.status)


def status_table(submissions: Sequence[Any]) -> html.Table | html.P:
    if not submissions:
        return html.P("You have sent nothing yet.", className="empty")
    rows = [
        html.Tr(
            [
                html.Td(f"#{s.id}"),
                html.Td(s.kind),
                html.Td(str(s.payload.get("title") or s.payload.get("text", ""))[:80]),
                html.Td(s.submitted_at.strftime("%Y-%m-%d %H:%M")),
                html.Td(status_text(s)),
                html.Td(s.review_comment or "—"),
            ]
        )
        for s in submissions
    ]
    headings = ("Number", "Kind", "Title or note", "Sent (UTC)", "Status", "Reviewer's comment")
    return html.Table(
        [html.Thead(html.Tr([html.Th(h, scope="col") for h in headings])), html.Tbody(rows)], className="register-table"
    )


# ---- what the callbacks do ------------------------------------------------------------------------------


def my_submissions(service: RegisterService, user: User) -> Any:
    try:
        return status_table(service.my_submissions(user))
    except RegisterUnavailable:
        return html.P(UNAVAILABLE_NOW)


def my_submissions_or_unchanged(service: RegisterService, user: User) -> Any:
    """The user's submissions re-read after a stored write. If the database went away in between, the
    list stays as shown: the write itself is stored, and the status line says so."""
    try:
        return status_table(service.my_submissions(user))
    except RegisterUnavailable:
        return no_update


# ---- callbacks ------------------------------------------------------------------------------------------


def register(app: Dash, context: RegisterContext) -> None:
    @app.callback(Output(rid("mine"), "children"), Input(rid("mine-refresh"), "n_clicks"))
    def show_mine(_clicks):
        return my_submissions(context.service, user_or_403(context.settings))
