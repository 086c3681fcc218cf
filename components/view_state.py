"""UI layer: the view state as it travels through the page's stores, shared by every feature module.

Stores live in the browser, so whatever comes back from one is re-validated like a link.
"""

from __future__ import annotations

from dataclasses import replace

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
    """The force id a map click carries in its `location`; never parsed from display text."""
    try:
        return str(click_data["points"][0]["location"])  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return None


def is_open(toggles: object) -> bool:
    """An on-demand section is open after an odd number of clicks on its button."""
    return isinstance(toggles, int) and toggles % 2 == 1


def toggle_outputs(opened: bool, noun: str) -> tuple[bool, str, str]:
    """(body hidden, button text, aria-expanded) of an on-demand section."""
    return not opened, f"{'Hide' if opened else 'Show'} {noun}", "true" if opened else "false"
