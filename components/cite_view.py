"""UI feature: "Cite this view", the download of the view, and "About the data". The citation and the
download name the view on screen, built from its state. Layout and callbacks side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components.ids import Ids
from components.view_state import page_view_url, state_from_store
from domain.aggregation import (
    compared_in_view,
    figures_in_view,
    filter_initiatives,
    filters_narrow,
    initiatives_in_view,
    initiatives_to_download,
)
from domain.compare import citation_line
from domain.exports import view_zip, view_zip_name
from domain.feed import PAPER_URL
from domain.loading import Dataset
from domain.provenance import CountedSources, is_register
from domain.source import SnapshotProvider
from domain.state import DEFAULT_VIEW, ViewState, active_filters_words, filters_text, view_subject

CITE_LINK = "cite-link"
LINK_COPY = "cite-link-copy"
LINK_COPY_STATUS = "cite-link-copy-status"

PAPER = (
    "Public Health England (2016). Police and Public Health: Innovation in practice – "
    "an overview of collaboration across England."
)


def cite_panel() -> list:
    return [
        html.H2("Cite this view"),
        html.P("Link and citation for what you see now. The link opens the map on this view."),
        html.P(["Link: ", html.A(id=CITE_LINK, className="cite-link")]),
        html.Button("Copy link", id=LINK_COPY, n_clicks=0, className="button copy-button"),
        html.Span(id=LINK_COPY_STATUS, role="status", className="copy-status"),
        html.Pre(id=Ids.CITATION, className="citation-text screen-citation"),
        # On paper, the citation of what is printed: the map and the force's profile, never a tab's view.
        html.Pre(id=Ids.PRINT_CITATION, className="citation-text print-citation"),
        html.Button("Copy citation", id=Ids.CITATION_COPY, n_clicks=0, className="button copy-button"),
        html.Span(id=Ids.COPY_STATUS, role="status", className="copy-status"),
        html.P(id=Ids.PRINT_FILTERS, className="print-only"),
        html.P(id=Ids.PRINT_DATE, className="print-only"),
    ]


def about_panel(dataset: Dataset, map_counts: str) -> list:
    boundaries = dataset.boundaries
    return [
        html.H2("About the data"),
        html.P(
            [
                "Source: ",
                html.Cite(PAPER),
                " ",
                html.A("Find the paper on GOV.UK", href=PAPER_URL),
                ". Summaries are this project's own words; every figure "
                "carries the paper's section, and its reference mark where the paper places one.",
            ]
        ),
        html.P(dataset_counts_line(dataset)),
        html.P(map_counts, className="about-counts"),
        html.P(f"Boundaries: {boundaries.credit if boundaries else ''}"),
        html.P(
            f"A force with no initiative in {CountedSources.of(len(dataset.provenance)).words('or')} is shaded "
            "grey: the paper is a snapshot, so absence from it does not mean absence of work."
        ),
    ]


def dataset_counts_line(dataset: Dataset) -> str:
    """The dataset's own counts, the paper's apart from what the register has added since: a register record
    is never counted as the paper's."""
    added = {i.id for i in dataset.initiatives if is_register(dataset, i.id)}
    added_figures = sum(1 for o in dataset.outcomes if o.initiative_id in added)
    line = (
        f"Dataset version {dataset.version}, compiled {dataset.version_date} from the 2016 paper: "
        f"{len(dataset.initiatives) - len(added)} initiatives, {len(dataset.outcomes) - added_figures} figures."
    )
    if added:
        line += (
            f" The register has since added {len(added)} initiative{'' if len(added) == 1 else 's'} and "
            f"{added_figures} figure{'' if added_figures == 1 else 's'}."
        )
    return line


def cited_state(state: ViewState) -> ViewState:
    """The view a citation or link names: the map and its profile, not the Cite tab it was copied from."""
    return replace(state, view=DEFAULT_VIEW) if state.view == "cite" else state


def printed_state(state: ViewState) -> ViewState:
    """The view a printed page shows, whatever tab was open: the map and the force's profile, under the filters."""
    return replace(state, view=DEFAULT_VIEW, compare=())


def citation_outputs(
    source: SnapshotProvider, url_prefix: str, today: Callable[[], date], state_data, href
) -> dict[str, str]:
    """The citation of the view on screen and of the printed page, the print lines, and the link (to open, and
    shown), by the name of the callback's output each fills."""
    snapshot = source.current()
    dataset = snapshot.dataset
    state = state_from_store(state_data, dataset)
    now = today()
    url = page_view_url(href, cited_state(state), url_prefix)
    shown = initiatives_in_view(snapshot.join, filter_initiatives(dataset, state), state.force)
    filters = active_filters_words(state, dataset)
    printed = printed_state(state)
    return dict(
        citation=citation_line(dataset, url, now, shown, filters, view_subject(state, dataset)),
        printed=citation_line(
            dataset, page_view_url(href, printed, url_prefix), now, shown, filters, view_subject(printed, dataset)
        ),
        print_date=f"Printed on {now.strftime('%d %B %Y')}. Dataset version {dataset.version}, compiled "
        f"{dataset.version_date} from the 2016 paper.",
        print_filters=filters_text(state, dataset),
        full_dashboard=url,
        link=url,
        link_text=url,
    )


def view_download(source: SnapshotProvider, url_prefix: str, today: Callable[[], date], n_clicks, state_data, href):
    """The view's download: its initiatives and figures, with the citation, as a zip."""
    if not n_clicks:
        raise PreventUpdate
    snapshot = source.current()
    dataset = snapshot.dataset
    state = state_from_store(state_data, dataset)
    in_view = initiatives_to_download(snapshot.join, filter_initiatives(dataset, state), state)
    url = page_view_url(href, cited_state(state), url_prefix)
    citation = citation_line(
        dataset, url, today(), in_view, active_filters_words(state, dataset), view_subject(state, dataset)
    )
    figures = figures_in_view(dataset, state, in_view)
    return dcc.send_bytes(
        view_zip(dataset, in_view, figures, citation),
        filename=view_zip_name(
            dataset, state.force, state.show_wales, filtered=filters_narrow(state), compared=compared_in_view(state)
        ),
    )


def register(app: Dash, source: SnapshotProvider, url_prefix: str, today: Callable[[], date] = date.today) -> None:
    @app.callback(
        output=dict(
            citation=Output(Ids.CITATION, "children"),
            printed=Output(Ids.PRINT_CITATION, "children"),
            print_date=Output(Ids.PRINT_DATE, "children"),
            print_filters=Output(Ids.PRINT_FILTERS, "children"),
            full_dashboard=Output(Ids.OPEN_FULL, "href"),
            link=Output(CITE_LINK, "href"),
            link_text=Output(CITE_LINK, "children"),
        ),
        inputs=dict(state_data=Input(Ids.STATE, "data"), href=Input(Ids.URL, "href")),
    )
    def show_citation(state_data, href):
        """The citation of the view on screen, rebuilt from the state on every change."""
        return citation_outputs(source, url_prefix, today, state_data, href)

    @app.callback(
        Output(Ids.DOWNLOAD, "data"),
        Input(Ids.EXPORT_BUTTON, "n_clicks"),
        State(Ids.STATE, "data"),
        State(Ids.URL, "href"),
        prevent_initial_call=True,
    )
    def download_view(n_clicks, state_data, href):
        return view_download(source, url_prefix, today, n_clicks, state_data, href)

    _register_clientside(app)


def _register_clientside(app: Dash) -> None:
    # In the browser: the clipboard and plotly's image export are the browser's, not the server's.
    # Each says what it copied and clears what the other said: only the latest copy is on the clipboard.
    app.clientside_callback(
        ClientsideFunction("pphOrientation", "copyText"),
        Output(Ids.COPY_STATUS, "children"),
        Output(LINK_COPY_STATUS, "children", allow_duplicate=True),
        Input(Ids.CITATION_COPY, "n_clicks"),
        State(Ids.CITATION, "children"),
        State(Ids.CITATION_COPY, "id"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("pphOrientation", "copyText"),
        Output(LINK_COPY_STATUS, "children"),
        Output(Ids.COPY_STATUS, "children", allow_duplicate=True),
        Input(LINK_COPY, "n_clicks"),
        State(CITE_LINK, "href"),
        State(LINK_COPY, "id"),
        prevent_initial_call=True,
    )
    # The figures come from the profile's `chart_images` callback, sent only when the button is pressed.
    app.clientside_callback(
        ClientsideFunction("pph", "saveCharts"),
        Output(Ids.CHARTS_SAVED, "children"),
        Input(Ids.CHART_IMAGES, "data"),
        prevent_initial_call=True,
    )
