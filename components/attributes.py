"""UI layer: the HTML attributes Dash takes only as keyword arguments that are not identifiers (aria-*, data-*).

Dash documents them as `html.Div(**{"aria-label": "Key"})`. Since Dash 3 its components' type hints make mypy
match such a `dict[str, str]` against every named prop (`hidden: bool`, `tabIndex: int`, ...) and refuse it
(plotly/dash#3292, open). `**aria(label="Key")` is the same dict, typed so that mypy accepts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def aria(**attributes: str) -> dict[str, Any]:
    """`aria(label="Key", live="polite")` is `{"aria-label": "Key", "aria-live": "polite"}`."""
    return {f"aria-{name}": value for name, value in attributes.items()}


def data(**attributes: str) -> dict[str, Any]:
    """`data(force="kent")` is `{"data-force": "kent"}`."""
    return {f"data-{name}": value for name, value in attributes.items()}


def attributes(named: Mapping[str, Any]) -> dict[str, Any]:
    """`attributes({"data-start-force": ...})`: several aria-/data- attributes at once, or names with hyphens,
    typed as `aria` and `data` are."""
    return dict(named)
