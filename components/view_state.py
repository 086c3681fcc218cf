"""UI layer: the view state as it travels through the page's stores, shared by every feature module.

Stores live in the browser, so whatever comes back from one is re-validated like a link.
"""

from __future__ import annotations

from dataclasses import replace

from dash import ClientsideFunction, Dash, Input, Output, dcc

from components.ids import Ids, shown_state_id, view_panel
from domain.loading import Dataset
from domain.state import ViewState, state_from_query, view_url


def store_of(state: ViewState) -> dict:
    return {"query": state.to_query(), "notices": list(state.notices)}


def state_from_store(data: object, dataset: Dataset) -> ViewState:
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return ViewState()
    notices = data.get("notices")
    kept = tuple(n[:200] for n in notices[:10] if isinstance(n, str)) if isinstance(notices, list) else ()
    return replace(state_from_query(data["query"], dataset), notices=kept)


def page_view_url(href: object, state: ViewState, url_prefix: str) -> str:
    """The address of the view on screen, from the page's href as the browser reports it (or the
    app's prefix before it has)."""
    return view_url(href if isinstance(href, str) else url_prefix, state)


def clicked_force(click_data: object) -> str | None:
    """The force id a map click carries (assets/force-map.js); never parsed from display text.

    The browser sends this: anything but a string id is treated as no click; an unknown id is
    dropped later by the view state's own checks."""
    force = click_data.get("force") if isinstance(click_data, dict) else None
    return force if isinstance(force, str) else None


def is_open(toggles: object) -> bool:
    """An on-demand section is open after an odd number of clicks on its button."""
    return isinstance(toggles, int) and toggles % 2 == 1


def toggle_outputs(opened: bool, noun: str) -> tuple[bool, str, str]:
    """(body hidden, button text, aria-expanded) of an on-demand section."""
    return not opened, f"{'Hide' if opened else 'Show'} {noun}", "true" if opened else "false"


def shown_state_store(view: str) -> dcc.Store:
    """The view state as a tab's panel sees it: passed on only while the panel is shown (see below)."""
    return dcc.Store(id=shown_state_id(view))


def pass_state_while_shown(app: Dash, view: str) -> None:
    """Copy the view state into the tab's own store, in the browser, only while its panel is shown.

    A hidden tab's callbacks then send no request on a force click or a page load: each request costs
    the browser a pass over every component of the page, on the main thread, even when the server
    answers that nothing changed."""
    app.clientside_callback(
        ClientsideFunction("pph", "stateWhileShown"),
        Output(shown_state_id(view), "data"),
        Input(Ids.STATE, "data"),
        Input(view_panel(view), "hidden"),
    )
