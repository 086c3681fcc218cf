"""UI feature: where a reader is and what the data is, in the page's header. The source paper's link, the data's
version ("Data: dataset 3.0.0 (paper 2016); register updated DATE"), "How to read this" (a glossary of the
terms the views use), "Recently added or corrected" (the register's latest changes, following the Source
filter; the dataset's own release with the register off), and a browser tab title naming the view.

Everything is in the page as built for the snapshot (components/page_cache.py builds it once per data version):
the Source filter and the title are followed in the browser, so no request is added to any path.
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, dcc, html
from dash.development.base_component import Component

from components.attributes import aria

from components.ids import Ids
from domain.feed import (
    PAPER_TITLE,
    PAPER_URL,
    Change,
    data_line,
    dataset_release_line,
    detail_line,
    headline,
    latest,
    view_link,
)
from domain.loading import Dataset
from domain.source import Snapshot
from domain.state import area_name

ROOT = "orientation"
DATA_LINE = "orientation-data"
HELP = "how-to-read"
RECENT = "recent-changes"
RECENT_LIST = "recent-changes-list"
TITLE = "page-title"
TITLE_NAMES = "page-title-names"
FEED_PATH = "feed.atom"
TITLE_SUFFIX = " — police and public health"

EVALUATION_HELP: dict[str, str] = {
    "evaluation reported": "the paper gives findings of a named evaluation",
    "monitoring or early findings reported": "the work's own figures or early findings, no named evaluation",
    "debrief reported": "lessons from a debrief after the work, without figures",
    "evaluation under way": "an evaluation had started but had not reported when the paper was written",
    "none reported": "the paper reports no evaluation (which does not mean there was none)",
}


def glossary(register_on: bool) -> html.Dl:
    """The terms the views use, each in a line."""
    terms: list[tuple[str, str | Component]] = [
        ("Initiative", "One piece of work the paper describes: a service, a programme, a pilot, a campaign …"),
        (
            "Case studies and sections",
            "How the paper itself is arranged: a case study is one local example (it "
            "may hold several initiatives); a national section describes national or regional work.",
        ),
        (
            "Result",
            "A figure that measures what an initiative achieved (a fall in detentions, say). Each says how "
            "it was obtained: before and after, the service's own figures, a named evaluation.",
        ),
        (
            "Derived from a result",
            "The same finding worked out in other terms, such as a saving worked out from a "
            "fall: shown beside its result, never counted as a second one.",
        ),
        (
            "Activity or parameter",
            "What the work does or is (the hours of a shift, the number of nurses): not a "
            "result. Funding, targets and coverage are kept apart from results in the same way.",
        ),
        ("Background", "Research or statistics the paper cites, from elsewhere: not a result of the initiative."),
        (
            "Evaluation",
            html.Ul([html.Li([html.Strong(level), f": {words}"]) for level, words in EVALUATION_HELP.items()]),
        ),
        (
            "Kind of work and stage",
            "What the work is (programme, service, pilot, campaign, training, event, "
            "operation, product, partnership) and how far along it was when the paper was written (proposed, "
            "planned, in development, running, completed).",
        ),
        (
            "Core topic",
            "The paper groups its themes: 8 core topics it set out to cover, further topics, and "
            "broader themes that run across them.",
        ),
        (
            "Reference marks",
            '"ref 36" is the paper\'s own numbered reference placed on a figure or an initiative; '
            '"no reference mark" means the paper states it without one.',
        ),
    ]
    if register_on:
        terms.append(
            (
                "Register",
                "Initiatives, errata and follow-ups added through this dashboard, each reviewed "
                'before it is published and marked "Register", never as the paper\'s.',
            )
        )
    items: list = []
    for term, meaning in terms:
        items += [html.Dt(term), html.Dd(meaning)]
    return html.Dl(items, className="glossary")


def recent_items(dataset: Dataset, register_on: bool, changes: tuple[Change, ...], url_prefix: str) -> list:
    """The register's latest changes (class `recent-register`), and the dataset's release (`recent-paper`);
    the Source filter shows one or both (assets/orientation.js)."""
    items: list = []
    if register_on:
        shown = latest(changes)
        for change in shown:
            title = headline(change)
            # A Link, so the page stays and assets/clientside.js takes the focus to the force's profile once drawn:
            # a whole new page would start at its top with the focus nowhere.
            # Work with no force area opens the National and regional tab ("opens-view" brings it into view).
            link = (
                dcc.Link(title, href=view_link(change, url_prefix), className="" if change.force_ids else "opens-view")
                if change.about_id
                else html.Span(title)
            )
            items.append(
                html.Li(
                    [link, html.Br(), html.Span(detail_line(change), className="recent-detail")],
                    className="recent-register",
                )
            )
        if not shown:
            items.append(html.Li("The register has published nothing yet.", className="recent-register"))
    items.append(html.Li(dataset_release_line(dataset), className="recent-paper"))
    return items


def layout(snapshot: Snapshot, url_prefix: str) -> html.Div:
    dataset = snapshot.dataset
    register_on = snapshot.register_on
    from components.shell import VIEW_LABELS  # the tabs' names, said once (shell imports this module)

    return html.Div(
        [
            _source_line(snapshot),
            how_to_read(register_on),
            _recent_changes(snapshot, url_prefix),
            dcc.Store(
                id=TITLE_NAMES,
                data={"forces": {f.id: f.name for f in dataset.forces}, "views": VIEW_LABELS, "suffix": TITLE_SUFFIX},
            ),
            dcc.Store(id=TITLE),
        ],
        id=ROOT,
        className="orientation",
    )


def _source_line(snapshot: Snapshot) -> html.P:
    """The source paper's link and the data's version."""
    return html.P(
        [
            html.A(
                [
                    "The source paper",
                    html.Span(f": {PAPER_TITLE}", className="visually-hidden"),
                    " (PHE, 2016: find it on GOV.UK)",
                ],
                href=PAPER_URL,
                className="paper-link",
            ),
            html.Span(" · ", **aria(hidden="true")),
            html.Span(data_line(snapshot.dataset, snapshot.register_on, snapshot.changes), id=DATA_LINE),
        ],
        className="orientation-line",
    )


def how_to_read(register_on: bool) -> html.Details:
    """ "How to read this": what the views show, and the glossary."""
    return html.Details(
        [
            html.Summary("How to read this"),
            html.Div(
                [
                    html.P(
                        "The map and its views show what the paper describes"
                        + (", and what reviewers have published through the register" if register_on else "")
                        + ": examples, not a census of all such work. The terms they use:"
                    ),
                    glossary(register_on),
                ],
                className="orientation-body",
            ),
        ],
        id=HELP,
        className="orientation-more",
    )


def _recent_changes(snapshot: Snapshot, url_prefix: str) -> html.Details:
    """ "Recently added or corrected": the latest changes, and the Atom feed's link."""
    return html.Details(
        [
            html.Summary("Recently added or corrected"),
            html.Div(
                [
                    html.Ul(
                        recent_items(snapshot.dataset, snapshot.register_on, snapshot.changes, url_prefix),
                        id=RECENT_LIST,
                        className="recent-list",
                    ),
                    html.P(html.A("Follow these changes as an Atom feed", href=f"{url_prefix}{FEED_PATH}")),
                ],
                className="orientation-body",
            ),
        ],
        id=RECENT,
        className="orientation-more",
    )


def page_title(force_name: str | None, view_label: str | None, show_wales: bool = False) -> str:
    """The browser tab's title for a view (assets/orientation.js says the same; tests/unit checks both agree on
    the examples): 'Leicestershire Police — police and public health', 'Coverage matrix — police and public
    health', 'England — police and public health'."""
    parts = [p for p in (force_name, view_label) if p]
    return f"{', '.join(parts) or area_name(show_wales)}{TITLE_SUFFIX}"


def register(app: Dash) -> None:
    # In the browser only: the title from the view state, the list from the Source filter. No request.
    app.clientside_callback(
        ClientsideFunction("pphOrientation", "pageTitle"),
        Output(TITLE, "data"),
        Input(Ids.STATE, "data"),
        Input(TITLE_NAMES, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("pphOrientation", "recentForSource"),
        Output(RECENT_LIST, "className"),
        Input(Ids.FILTERS, "data"),
    )
