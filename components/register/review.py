"""UI feature, the register, for reviewers only: the review queue (publish, or return with a comment), the
withdrawal of a published record or note, and the amendment of a published note."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import abort

from components.register.common import (
    MAX_SUBMISSION_ID,
    UNAVAILABLE_NOW,
    RegisterContext,
    as_revision,
    as_text,
    failure_message,
    focus_link,
    reference,
    refreshed,
    reviewer_or_403,
    rid,
    stored_record,
    user_or_403,
    whole_sentence,
)
from domain.register import (
    FigureChange,
    ReviewDiff,
    SubmissionInvalid,
    User,
    named_record,
    record_names,
    review_diff,
    sentence,
)
from domain.same_work import Held, held_initiatives, likely_same_work, said_of
from domain.source import Snapshot
from services.register import Forbidden
from storage.errors import Conflict, NotFound, RegisterUnavailable
from components.attributes import aria
from components.freshness import RELOAD_TEXT, check_seconds

# Queue items shown at once: each carries its diff and a comment box, and every review request sends every
# box back, so a long queue would make each review slower than the last.
QUEUE_SHOWN = 20

# ---- layout ---------------------------------------------------------------------------------------------


def _note_label(note: Any, snapshot: Snapshot) -> str:
    about = snapshot.dataset.initiatives_by_id.get(note.about_id)
    excerpt = note.text if len(note.text) <= 60 else f"{note.text[:59]}…"
    return f"Note {note.record_id} ({note.kind}) on {about.title if about else note.about_id}: {excerpt}"


def withdraw_options(snapshot: Snapshot) -> list[dict]:
    """Every published register record a reviewer may withdraw: initiatives, then notes."""
    dataset = snapshot.dataset
    return [
        *({"label": dataset.initiatives_by_id[i].title, "value": i} for i in sorted(dataset.provenance)),
        *({"label": _note_label(n, snapshot), "value": n.record_id} for n in dataset.notes),
    ]


def note_options(snapshot: Snapshot) -> list[dict]:
    return [{"label": _note_label(n, snapshot), "value": n.record_id} for n in snapshot.dataset.notes]


def review_section(snapshot: Snapshot) -> html.Section:
    return html.Section(
        [
            html.H3("Review queue", id=rid("review-heading"), tabIndex="-1"),
            html.Button("Refresh the queue", id=rid("queue-refresh"), n_clicks=0, className="button"),
            html.Div(id=rid("queue"), **aria(live="polite")),
            html.P(id=rid("review-status"), role="status", className="register-status"),
            html.H3("Withdraw a published register record or note"),
            html.P(
                "A withdrawn record leaves the map but is kept, with its history; its contributor reads your reason."
            ),
            html.Label("Record", htmlFor=rid("withdraw-record")),
            dcc.Dropdown(id=rid("withdraw-record"), options=withdraw_options(snapshot)),
            html.Label("Why it is withdrawn (required)", htmlFor=rid("withdraw-reason")),
            dcc.Input(id=rid("withdraw-reason"), type="text", value="", maxLength=500),
            html.Button("Withdraw", id=rid("withdraw"), n_clicks=0, className="button"),
            html.P(id=rid("withdraw-status"), role="status", className="register-status"),
            html.H3("Amend a published note"),
            html.P(
                "The amended text is published at once as the note's next revision, with your reason in its history."
            ),
            html.Label("Note", htmlFor=rid("amend-record")),
            dcc.Dropdown(id=rid("amend-record"), options=note_options(snapshot)),
            html.Label("Note, as it should read", htmlFor=rid("amend-text")),
            dcc.Textarea(id=rid("amend-text"), value="", maxLength=2000, className="register-text"),
            html.Label("Source (a link or a citation)", htmlFor=rid("amend-source")),
            dcc.Input(id=rid("amend-source"), type="text", value="", maxLength=500),
            html.Label("Why it is amended (required)", htmlFor=rid("amend-reason")),
            dcc.Input(id=rid("amend-reason"), type="text", value="", maxLength=500),
            dcc.Store(id=rid("amend-revision")),
            html.Button("Amend the note", id=rid("amend"), n_clicks=0, className="button"),
            html.P(id=rid("amend-status"), role="status", className="register-status"),
        ],
        className="register-review",
        **aria(label="Review"),
    )


# ---- the queue ------------------------------------------------------------------------------------------


def figure_change_label(change: FigureChange) -> str:
    """'Figure changed: Value, Source': a changed figure names what changed, so the reviewer need not compare two
    long lines word by word."""
    return f"Figure {change.change}" + (f": {', '.join(change.fields)}" if change.fields else "")


def diff_block(diff: ReviewDiff, new_record: bool = False) -> list:
    """The fields a proposal changes by their labels, its figures as rows, and a warning before any removal. A new
    record has nothing "now": its fields are listed with what is proposed alone, not beside a column of dashes
    (a phone's reviewer scrolled some 30 lines of "Now: —" to reach Publish)."""
    blocks: list = []
    if diff.warning:
        blocks.append(html.P(diff.warning, className="register-warning", role="note"))

    def row(label: str, before: str, after: str) -> html.Tr:
        cells = [html.Td(after)] if new_record else [html.Td(before), html.Td(after)]
        return html.Tr([html.Th(label, scope="row"), *cells])

    rows = [row(c.label, c.before, c.after) for c in diff.fields]
    rows += [row(figure_change_label(c), c.before, c.after) for c in diff.figures]
    columns = ["Field", "Proposed"] if new_record else ["Field", "Now", "Proposed"]
    if not rows:
        rows = [html.Tr([html.Td("This proposal changes nothing.", colSpan=len(columns))])]
    blocks.append(
        html.Table(
            [html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])), html.Tbody(rows)],
            className="register-table register-diff" + (" register-diff-new" if new_record else ""),
        )
    )
    return blocks


def about_words(payload: Mapping[str, Any], records: Mapping[str, str]) -> str:
    """What a note is about, by name: its figure's, else its initiative's ("Section 136 detentions, of …")."""
    return named_record(records, payload.get("figure_id") or payload.get("about_id", ""))


def same_work_line(submission: Any, held: Sequence[Held], force_names: Mapping[str, str]) -> html.P | None:
    """For a new initiative, what it may duplicate (trial 20: the same work proposed twice read as two)."""
    if submission.kind != "new initiative":
        return None
    others = [h for h in held if h.label != f"#{submission.id}"]
    payload = submission.payload
    words = said_of(
        likely_same_work(str(payload.get("title") or ""), tuple(payload.get("force_ids") or ()), others),
        force_names,
    )
    return html.P(words, className="register-same-work") if words else None


def queue_item(
    item: Any,
    names: tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str]],
    reviewer: User,
    review_own: bool,
    held: Sequence[Held] = (),
) -> html.Article:
    """One submission waiting: who sent it, what it may duplicate, what it changes, a comment box, and the
    reviewer's two buttons."""
    s = item.submission
    own_line = None
    if s.submitted_by == reviewer.name:
        own_line = html.P(
            "You proposed this yourself: publishing it marks the record as self-published."
            if review_own
            else "You proposed this yourself, so another reviewer must publish it.",
            className="register-own",
        )
    against = ""
    if s.kind == "update" and s.base_revision:
        against = f" Proposed against revision {s.base_revision} of {s.record_id}."
    follows = None
    if s.resubmits is not None:
        # The reviewer reads it against what was asked of it.
        follows = html.P(
            f"Sent again after #{s.resubmits} was returned with the comment: “{s.earlier_comment}”",
            className="register-follows",
        )
    decision = f"{rid('decision')}-{s.id}"
    return html.Article(
        [
            html.H4(f"#{s.id}: {s.kind} — {s.payload.get('title') or about_words(s.payload, names[2])}"),
            html.P(
                [
                    f"Sent by {s.submitted_by} on {s.submitted_at.strftime('%Y-%m-%d %H:%M')} UTC.{against} ",
                    # The buttons follow every field of the proposal: on a phone, many screens down.
                    focus_link(f"Go to the decision on #{s.id}", decision),
                ]
            ),
            follows,
            own_line,
            same_work_line(s, held, names[0]),
            *diff_block(review_diff(item.current or {}, s.payload, *names), new_record=not item.current),
            html.Div(
                decision_controls(s.id),
                id=decision,
                tabIndex="-1",
                role="group",
                className="register-decision",
                **aria(label=f"Decision on #{s.id}"),
            ),
        ],
        className="register-item",
    )


def decision_controls(submission_id: int) -> list:
    """The comment box and the reviewer's two buttons for one submission."""
    return [
        # The label wraps the field: a pattern-matching id cannot be named by a label's `for`.
        html.Label(
            [
                f"Comment on #{submission_id} (required to return it)",
                dcc.Textarea(
                    id={"type": rid("comment"), "submission": submission_id},
                    value="",
                    maxLength=2000,
                    className="register-text",
                ),
            ]
        ),
        # Said here, beside the box, when "Return with comment" is pressed with it empty (the status line under the
        # queue may be a screen away).
        html.P(id={"type": rid("comment-needed"), "submission": submission_id}, className="field-error", role="alert"),
        html.Button(
            "Publish", id={"type": rid("publish"), "submission": submission_id}, n_clicks=0, className="button primary"
        ),
        html.Button(
            "Return with comment",
            id={"type": rid("return"), "submission": submission_id},
            n_clicks=0,
            className="button",
        ),
    ]


def queue_blocks(
    items: Sequence[Any],
    waiting: int,
    names: tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str]],
    reviewer: User,
    review_own: bool,
    held: Sequence[Held] = (),
) -> list:
    """The queue's oldest items; with more waiting, a line saying how many are not shown yet. `held`: what a new
    initiative is checked against (held_initiatives)."""
    if not items:
        return [html.P("Nothing is waiting for review.", className="empty")]
    blocks: list = []
    if waiting > len(items):
        blocks.append(
            html.P(
                f"Showing the {len(items)} oldest of {waiting} submissions waiting. Publish or return "
                "these, and the next ones follow.",
                className="queue-more",
            )
        )
    return blocks + [queue_item(item, names, reviewer, review_own, held) for item in items]


def decided_submission(trigger: Any, clicks: Sequence[Any]) -> int | None:
    """The submission a Publish or Return button was clicked for, or None when no button was (the queue is
    only refreshed). The id comes from the browser: only a number a submission can have reaches the database;
    PreventUpdate for any other."""
    if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in clicks):
        return None
    submission_id = trigger.get("submission")
    if (
        not isinstance(submission_id, int)
        or isinstance(submission_id, bool)
        or not 0 < submission_id < MAX_SUBMISSION_ID
    ):
        raise PreventUpdate
    return submission_id


def comment_for(submission_id: int, comment_ids: Sequence[Any], comments: Sequence[Any]) -> str:
    """The comment typed for `submission_id` among the queue's comment boxes (their ids and values in order)."""
    return as_text(comments[comment_ids.index(submission_id)]) if submission_id in comment_ids else ""


def sentences(exc: SubmissionInvalid) -> str:
    """A refusal's problems, each a whole sentence."""
    return " ".join(sentence(p) for p in exc.problems)


def decide(context: RegisterContext, user: User, submission_id: int, publish: bool, comment: str) -> tuple[str, Any]:
    """Publish or return a submission: (what the status line says, the register version written or no_update)."""
    if not publish:
        context.service.return_to_contributor(user, submission_id, comment)
        return f"Returned #{submission_id} to its contributor with your comment.", no_update
    record = context.service.publish(user, submission_id, reference(context.source))
    written = refreshed(context.source).version
    marked = " You proposed it yourself, and the record and its history say so." if record.self_published else ""
    return (
        f"Published #{submission_id} as {record.record_id}. {seen_after_reload(context)}{marked}",
        written,
    )


def seen_after_reload(context: RegisterContext, what: str = "it on the map") -> str:
    """What open pages do after a write, truly: a page keeps the data it was drawn with, and each, this one too, says
    "New register records: reload" within its check interval (components/freshness.py)."""
    seconds = check_seconds(context.settings.register_poll_seconds)
    return f"Open pages, this one too, say “{RELOAD_TEXT}” within {seconds} seconds: reload to see {what}."


def reviewed(context: RegisterContext, user: User, submission_id: int | None, publish: bool, comment: str) -> dict:
    """The answer to a click in the queue: what was done, then the queue as it is now."""
    message, written = "", no_update
    try:
        if submission_id is not None:
            message, written = decide(context, user, submission_id, publish, comment)
    except Forbidden as exc:
        if not user.is_reviewer:
            abort(403)
        message = str(exc)  # their own proposal: another reviewer must publish it
    except SubmissionInvalid as exc:
        verb = "published" if publish else "returned"
        return dict(queue=no_update, status=f"Not {verb}: {sentences(exc)}", written=no_update)
    except RegisterUnavailable:
        return dict(queue=no_update, status=UNAVAILABLE_NOW, written=no_update)
    except (Conflict, NotFound) as exc:  # StaleRecord says the proposal stays pending, and it does
        message = failure_message(exc)
    return with_queue(context, user, message, written)


def with_queue(context: RegisterContext, user: User, message: str, written: Any) -> dict:
    """The queue re-read, beside `message`; if the database went away since, what was done is stored and
    `message` says so: only the queue could not be re-read."""
    try:
        dataset = context.source.current().dataset
        names = ({f.id: f.name for f in dataset.forces}, {t.id: t.label for t in dataset.themes}, record_names(dataset))
        items = context.service.queue(user, QUEUE_SHOWN)
        return dict(
            queue=queue_blocks(
                items,
                context.service.waiting(user),
                names,
                user,
                context.service.review_own,
                held_initiatives(
                    dataset,
                    [(i.submission.id, i.submission.payload) for i in items if i.submission.kind == "new initiative"],
                ),
            ),
            status=message,
            written=written,
        )
    except Forbidden:
        abort(403)
    except RegisterUnavailable:
        if message:
            return dict(
                queue=no_update,
                written=written,
                status=f"{message} The queue could not be reloaded: the register is unavailable just now.",
            )
        return dict(queue=no_update, status=UNAVAILABLE_NOW, written=no_update)


# ---- withdraw and amend ---------------------------------------------------------------------------------


def withdraw_record(context: RegisterContext, user: User, record_id: Any, reason: Any) -> str:
    if not isinstance(record_id, str) or not record_id:
        return "Choose the record to withdraw."
    if not as_text(reason).strip():
        return "Say why the record is withdrawn: its contributor reads the reason."
    try:
        record = stored_record(context.service, record_id)
        context.service.withdraw(user, record_id, as_text(reason))
    except Forbidden:
        abort(403)
    except SubmissionInvalid as exc:
        return f"Not withdrawn: {sentences(exc)}"
    except RegisterUnavailable:
        return UNAVAILABLE_NOW
    except (NotFound, Conflict) as exc:  # Conflict: another reviewer withdrew it first
        return f"Not withdrawn: {whole_sentence(str(exc))}"
    # A note was never on the map: it leaves its initiative's card.
    gone = "the note gone from its initiative's card" if record and record.kind == "note" else "it off the map"
    return f"Withdrawn {record_id}: kept, with its history. {seen_after_reload(context, gone)}"


def note_to_amend(context: RegisterContext, record_id: Any) -> dict:
    """The published note's text, source and revision, for the amendment form; PreventUpdate for anything else."""
    if not isinstance(record_id, str) or not record_id:
        raise PreventUpdate
    try:
        record = stored_record(context.service, record_id)
    except RegisterUnavailable:
        raise PreventUpdate from None
    if record is None or record.kind != "note":
        raise PreventUpdate
    return dict(
        text=as_text(record.payload.get("text")), source=as_text(record.payload.get("source")), revision=record.revision
    )


def amend_note(
    context: RegisterContext, user: User, record_id: Any, text: Any, note_source: Any, reason: Any, revision: Any
) -> str:
    if not isinstance(record_id, str) or not record_id:
        return "Choose the note to amend."
    if not as_text(reason).strip():
        return "Say why the note is amended: the reason is kept in its history."
    try:
        record = stored_record(context.service, record_id)
        if record is None or record.kind != "note":
            return f"{record_id} is not a published note."
        payload = {**record.payload, "text": as_text(text), "source": as_text(note_source)}
        context.service.amend_note(
            user, record_id, payload, as_text(reason), reference(context.source), revision=as_revision(revision)
        )
    except Forbidden:
        abort(403)
    except SubmissionInvalid as exc:
        return f"Not amended: {sentences(exc)}"
    except RegisterUnavailable:
        return UNAVAILABLE_NOW
    except (NotFound, Conflict) as exc:
        return f"Not amended: {whole_sentence(str(exc))}"
    return f"Amended {record_id}. {seen_after_reload(context, 'the corrected note')}"


def written_if(context: RegisterContext, message: str, done: str) -> dict:
    """The status line, and the register version when the message says the write was `done`."""
    return dict(status=message, written=refreshed(context.source).version if message.startswith(done) else no_update)


# ---- callbacks ------------------------------------------------------------------------------------------


def register(app: Dash, context: RegisterContext) -> None:
    register_queue(app, context)
    register_comment_needed(app)
    register_withdraw_and_amend(app, context)


def register_queue(app: Dash, context: RegisterContext) -> None:
    @app.callback(
        output=dict(
            queue=Output(rid("queue"), "children"),
            status=Output(rid("review-status"), "children"),
            written=Output(rid("written"), "data", allow_duplicate=True),
        ),
        inputs=dict(
            _refresh=Input(rid("queue-refresh"), "n_clicks"),
            publish_clicks=Input({"type": rid("publish"), "submission": ALL}, "n_clicks"),
            return_clicks=Input({"type": rid("return"), "submission": ALL}, "n_clicks"),
        ),
        state=dict(comments=State({"type": rid("comment"), "submission": ALL}, "value")),
        prevent_initial_call="initial_duplicate",
    )
    def review(_refresh, publish_clicks, return_clicks, comments):
        user = user_or_403(context.settings)
        trigger = ctx.triggered_id
        submission_id = decided_submission(trigger, publish_clicks + return_clicks)
        publish = isinstance(trigger, dict) and trigger.get("type") == rid("publish")
        comment = (
            ""
            if submission_id is None or publish
            else comment_for(submission_id, [s["id"]["submission"] for s in ctx.args_grouping["comments"]], comments)
        )
        return reviewed(context, user, submission_id, publish, comment)


COMMENT_NEEDED = "Write a comment first: say what the contributor should change."


def register_comment_needed(app: Dash) -> None:
    """Return pressed with the comment box empty: said beside the box at once, in the browser, which then takes the
    focus to the box (assets/clientside.js). The server refuses the return all the same (the status line)."""
    app.clientside_callback(
        f"""function (clicks, comment) {{
            if (!clicks) {{ return window.dash_clientside.no_update; }}
            return (comment || '').trim() ? '' : {COMMENT_NEEDED!r};
        }}""",
        Output({"type": rid("comment-needed"), "submission": MATCH}, "children"),
        Input({"type": rid("return"), "submission": MATCH}, "n_clicks"),
        State({"type": rid("comment"), "submission": MATCH}, "value"),
        prevent_initial_call=True,
    )


def register_withdraw_and_amend(app: Dash, context: RegisterContext) -> None:
    settings = context.settings

    @app.callback(
        output=dict(withdraw=Output(rid("withdraw-record"), "options"), amend=Output(rid("amend-record"), "options")),
        inputs=dict(version=Input(rid("pickers-version"), "data")),
        prevent_initial_call=True,
    )
    def refresh_review_pickers(version):
        reviewer_or_403(settings)
        snapshot = context.source.current()
        return dict(withdraw=withdraw_options(snapshot), amend=note_options(snapshot))

    @app.callback(
        output=dict(
            status=Output(rid("withdraw-status"), "children"),
            written=Output(rid("written"), "data", allow_duplicate=True),
        ),
        inputs=dict(n_clicks=Input(rid("withdraw"), "n_clicks")),
        state=dict(record_id=State(rid("withdraw-record"), "value"), reason=State(rid("withdraw-reason"), "value")),
        prevent_initial_call=True,
    )
    def withdraw(n_clicks, record_id, reason):
        user = reviewer_or_403(settings)
        if not n_clicks:
            raise PreventUpdate
        return written_if(context, withdraw_record(context, user, record_id, reason), "Withdrawn")

    @app.callback(
        output=dict(
            text=Output(rid("amend-text"), "value"),
            source=Output(rid("amend-source"), "value"),
            revision=Output(rid("amend-revision"), "data"),
        ),
        inputs=dict(record_id=Input(rid("amend-record"), "value")),
        prevent_initial_call=True,
    )
    def load_note_to_amend(record_id):
        reviewer_or_403(settings)
        return note_to_amend(context, record_id)

    @app.callback(
        output=dict(
            status=Output(rid("amend-status"), "children"), written=Output(rid("written"), "data", allow_duplicate=True)
        ),
        inputs=dict(n_clicks=Input(rid("amend"), "n_clicks")),
        state=dict(
            record_id=State(rid("amend-record"), "value"),
            text=State(rid("amend-text"), "value"),
            note_source=State(rid("amend-source"), "value"),
            reason=State(rid("amend-reason"), "value"),
            revision=State(rid("amend-revision"), "data"),
        ),
        prevent_initial_call=True,
    )
    def amend(n_clicks, record_id, text, note_source, reason, revision):
        user = reviewer_or_403(settings)
        if not n_clicks:
            raise PreventUpdate
        return written_if(context, amend_note(context, user, record_id, text, note_source, reason, revision), "Amended")
