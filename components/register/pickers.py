"""UI feature, the register: its pickers follow what is published, here or by another reviewer, without a
reload. The page keeps the register version its pickers show; a check every PICKER_CHECK_MS, or a write
of this page's reviewer, refreshes them when the register has moved on."""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc
from dash.exceptions import PreventUpdate

from components.register.common import RegisterContext, rid, user_or_403
from components.register.note import about_options
from components.register.propose import update_options
from domain.source import Snapshot

# How often an open page asks whether the register published something, to refresh its pickers.
PICKER_CHECK_MS = 20_000


def stores(snapshot: Snapshot) -> list:
    return [
        # The register version the pickers show; a publication or withdrawal, here or elsewhere, moves it.
        dcc.Store(id=rid("pickers-version"), data=snapshot.version),
        dcc.Store(id=rid("written")),  # a reviewer's publication, withdrawal or amendment on this page
        dcc.Interval(id=rid("pickers-check"), interval=PICKER_CHECK_MS),
    ]


def pickers_of(snapshot: Snapshot, shown: object) -> dict:
    """The options of the proposal and note pickers, and the version they come from; PreventUpdate when the
    pickers already show `snapshot`'s version."""
    if snapshot.version == shown:
        raise PreventUpdate
    return dict(update=update_options(snapshot), about=about_options(snapshot), version=snapshot.version)


def register(app: Dash, context: RegisterContext) -> None:
    @app.callback(
        output=dict(
            update=Output(rid("update-of"), "options"),
            about=Output(rid("note-about_id"), "options"),
            version=Output(rid("pickers-version"), "data"),
        ),
        inputs=dict(_tick=Input(rid("pickers-check"), "n_intervals"), _written=Input(rid("written"), "data")),
        state=dict(shown=State(rid("pickers-version"), "data")),
        prevent_initial_call=True,
    )
    def refresh_pickers(_tick, _written, shown):
        """The register's own pickers follow what is published, here or by another reviewer, without a reload."""
        user_or_403(context.settings)
        return pickers_of(context.source.current(), shown)
