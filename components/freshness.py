"""Register mode only: an open page learns that the register changed since it was built.

The page notes the register revision it was built from; every few seconds it asks whether the worker
answering has a later one, and if so says "New register records: reload" (a link to the same address), so
no one reads counts the register has moved on from without knowing. It then stops asking. A page built
while the register could not be reached says so instead, until the register is back.

The read-only dashboard (PPH_REGISTER=0) has none of this: no component in its page, no callback, no request.
"""

from __future__ import annotations

import re

from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components.ids import Ids
from domain.source import SnapshotProvider, Snapshot

# Not "register-…": those callbacks are for signed-in users only (components/write_guard.py), and every
# reader of the page needs to hear of new records.
SHOWN = "freshness-shown"  # the register revision the page was built from
CHECK = "freshness-check"
NOTICE = "freshness-notice"
RELOAD_TEXT = "New register records: reload"
UNREACHABLE_TEXT = "The register cannot be reached; showing the paper's data only."
# How often an open page asks. Not the workers' poll period (2 s by default): every open page asks, and
# a reader needs to know of a publication within seconds, not at once.
MIN_CHECK_SECONDS = 10
_REVISION = re.compile(r"\+register\.(\d+)$")


def revision_of(snapshot: Snapshot) -> int:
    """The register revision a snapshot shows (domain.source.snapshot_of names it in the version); -1 for
    the paper alone while the register is unreachable."""
    match = _REVISION.search(snapshot.version)
    return int(match.group(1)) if match else -1


def check_seconds(poll_seconds: int) -> int:
    return max(MIN_CHECK_SECONDS, poll_seconds)


def layout(snapshot: Snapshot, unreachable: bool, poll_seconds: int) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=SHOWN, data=revision_of(snapshot)),
            dcc.Interval(id=CHECK, interval=check_seconds(poll_seconds) * 1000),
            html.Div(html.P(UNREACHABLE_TEXT) if unreachable else None, id=NOTICE, role="status", className="notice"),
        ]
    )


def reload_link(url_prefix: str, search: object) -> html.P:
    query = search if isinstance(search, str) and search.startswith("?") else ""
    return html.P(html.A(RELOAD_TEXT, href=f"{url_prefix}{query}"))


def register(app: Dash, source: SnapshotProvider, url_prefix: str) -> None:
    @app.callback(
        Output(NOTICE, "children"),
        Output(CHECK, "disabled"),
        Input(CHECK, "n_intervals"),
        State(SHOWN, "data"),
        State(Ids.URL, "search"),
        prevent_initial_call=True,
    )
    def tell_of_new_records(_ticks, shown, search):
        # Later, not merely different: the worker answering may not have seen what the page's worker had.
        if not isinstance(shown, int) or revision_of(source.current()) <= shown:
            raise PreventUpdate  # nothing new: an empty answer
        return reload_link(url_prefix, search), True
