"""UI feature: the register's write views — propose, note, your submissions, review and publish — one module
each, with its layout and its callbacks side by side:

    propose       propose an initiative, or an update to a register record
    update_draft  an update's draft: a record loaded into the form, kept whole across a reload
    note          a note on one of the paper's initiatives
    submissions   "Your submissions": what this user sent, and where each stands
    review        reviewers only: the queue, withdrawals, amended notes
    pickers       the pickers follow what is published, without a reload
    fields        the initiative form's fields;  common  ids, field builders, the user checks, the context

Present only when PPH_REGISTER=1 and the request has a trusted user (components.identity); every
register callback checks the user again and answers 403 without one. Callbacks only wire the form
to `services.register`, which validates with the domain's rules and stores through `storage`.

Drafts stay in the browser until sent, kept per user: each field's persistence value is the user's
name, so the browser's storage key holds it and a second user of one browser profile starts afresh.
The draft's key (`register-initiative-key`, kept in local storage with the draft) and the draft's
content together make the idempotency key, so a reload after a lost answer resends under the same
key and an edited draft goes under a new one. An update's draft is kept whole: see `update_draft`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import Dash, html

from components.register import note, pickers, propose, review, submissions, update_draft
from components.register.common import UNAVAILABLE, UNAVAILABLE_NOW, RegisterContext, focus_link, rid
from components.register.review import QUEUE_SHOWN
from domain.register import User
from domain.source import SnapshotProvider, Snapshot
from services.register import RegisterService
from settings import Settings
from components.attributes import aria

__all__ = [
    "QUEUE_SHOWN",
    "UNAVAILABLE",
    "UNAVAILABLE_NOW",
    "layout",
    "register",
    "validation_layout",
    "way_in",
    "with_section",
]


def layout(snapshot: Snapshot, user: User | None) -> html.Section | None:
    """The register's section for this user: absent without a trusted user, review for reviewers only."""
    if user is None:
        return None
    role = "reviewer" if user.is_reviewer else "contributor"
    return html.Section(
        [
            # Focused by the way in (`way_in`): a heading a screen reader announces, not a field to type in.
            html.H2("The register: work the paper does not record", id=rid("heading"), tabIndex=-1),
            html.P(
                f"Signed in as {user.name} ({role}). What you send is reviewed before it appears on the map; "
                "each published record is marked as coming from the register, not from the 2016 paper."
            ),
            propose.contribute_form(snapshot, user),
            note.note_form(snapshot, user),
            submissions.submissions_section(),
            review.review_section(snapshot) if user.is_reviewer else None,
            *pickers.stores(snapshot),
        ],
        id=rid("section"),
        className="register",
        **aria(label="Register"),
    )


def way_in(user: User) -> html.Nav:
    """Near the top of the page: a link that scrolls to the register's section and focuses its heading. Its words
    say what this user can do there."""
    words = "Propose or review an initiative" if user.is_reviewer else "Propose an initiative or a note"
    links: list = [focus_link(words, rid("heading"))]
    if user.is_reviewer:
        # The queue is at the section's foot, below the forms: a reviewer goes to it in one step.
        links += [" · ", focus_link("Go to the review queue", rid("review-heading"))]
    return html.Nav(links, id=rid("way-in"), className="register-way-in", **aria(label="The register"))


def with_section(children: Sequence[Any], user: User, section: html.Section) -> list:
    """A signed-in user's page: the shared page's children with the way in just below its header and the
    register's section at its end (components/page_cache.py builds the page around them)."""
    children = list(children)
    header = next((i for i, child in enumerate(children) if isinstance(child, html.Header)), -1)
    return [*children[: header + 1], way_in(user), *children[header + 1 :], section]


def validation_layout(snapshot: Snapshot) -> html.Section | None:
    """Every register component, as a reviewer sees them: what Dash checks callbacks against."""
    return layout(snapshot, User("validation", True))


def register(app: Dash, source: SnapshotProvider, service: RegisterService, settings: Settings) -> frozenset[str]:
    """Every register callback, feature by feature. Returns their outputs as Dash keys them (`callback_map`):
    the write guard and the private-answer headers protect exactly these."""
    context = RegisterContext(source, service, settings)
    before = set(app.callback_map)
    for feature in (propose, update_draft, note, submissions, review, pickers):
        feature.register(app, context)
    return frozenset(app.callback_map) - before
