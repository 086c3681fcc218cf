"""UI layer: lollipop charts (domain.lollipop) drawn as HTML, a list a screen reader reads item by item,
styled as a chart. No plotly.js: these charts are in the profile's first view, which must answer at once.

One component per row, on purpose. Dash's renderer costs time per component, and more than in
proportion (each component it draws notifies every other), so a chart of 21 rows drawn as a table of
cells took a third of the page's first drawing. Each row is a list item whose text is its label; the
stylesheet draws the stem from the row's `--at` (its place along the axis, 0 to 1) and writes the
marker and the value from `data-marker` and `data-value`. A row's details (the comparison, the
reading, the source mark) are its tooltip; where no other part of the page gives them (the themes'
comparison with all matching initiatives), `details_list` also writes them out in a disclosure a
keyboard reaches, as one block of text. The source citation is the chart's caption.
"""

from __future__ import annotations

import re

from html import unescape

from dash import html

from components.attributes import data
from domain.lollipop import LollipopChart


def source_lines(chart_markup: str) -> list[str]:
    """The chart citation (domain.compare.chart_citation, written as plotly markup) as lines of plain text."""
    return [unescape(line) for line in chart_markup.split("<br>")]


def breakable(label: str) -> str | list:
    """The label with a line break allowed after each slash (<wbr>, which nothing copies): at 375 px
    "Vulnerable individuals/communities" is wider than its column, and the browser would otherwise
    break it inside a word. For theme names only: in a figure's label, "2019/20" must stay whole."""
    parts = label.split("/")
    if len(parts) == 1:
        return label
    children: list = [parts[0]]
    for part in parts[1:]:
        children += ["/", html.Wbr(), part]
    return children


def breakable_name(name: str) -> list:
    """A force's name with a line break allowed before "shire" in a long county word ("Gloucester|shire", by <wbr>,
    which nothing copies or reads out): a phone's narrow comparison column otherwise broke it anywhere
    ("Gloucestershi|re")."""
    children: list = []
    for part in re.split(r"(?<=\w{5})(?=shire\b)", name):
        children += [html.Wbr(), part] if children else [part]
    return children


MARKER_GLYPHS = {"count": "●", "level": "●", "reduction": "◀", "increase": "▶"}


def _share(value: float, chart: LollipopChart) -> str:
    """Where `value` sits along the axis, from 0 to 1, as the CSS variable the stylesheet draws with."""
    share = 0.0 if chart.axis_max <= 0 else min(max(value / chart.axis_max, 0.0), 1.0)
    return f"{share:.4f}"


def lollipop(chart: LollipopChart, source: str, break_after_slash: bool = False) -> html.Figure:
    """The chart as an HTML list, one item per row; its caption says what the values count."""
    rows = [
        html.Li(
            breakable(row.label) if break_after_slash else row.label,
            className=f"lollipop-row lollipop-{row.marker}",
            style={"--at": _share(row.value, chart)},
            title="\n".join(row.hover_lines) or None,
            **data(
                marker=MARKER_GLYPHS[row.marker],
                value=row.value_words,
            ),
        )
        for row in chart.rows
    ]
    caption = [chart.axis_title, *source_lines(source)] if source else [chart.axis_title]
    return html.Figure(
        [
            html.Ul(rows, className="lollipop-rows"),
            html.Figcaption("\n".join(caption)),
        ],
        className=f"lollipop lollipop-{chart.key}",
    )


def obtained_list(chart: LollipopChart) -> html.P | None:
    """How each row's result was obtained, and its caveat, written out under the chart: on screen and in
    print, not only in a tooltip. One text block, for the reason given above; None when no row has one."""
    lines = [f"• {row.label_in_words}: {row.obtained}" for row in chart.rows if row.obtained]
    if not lines:
        return None
    return html.P("\n".join(lines), className="lollipop-details-text result-designs")


def details_list(chart: LollipopChart, summary: str) -> html.Details:
    """Every row's details as text, one line a row, behind a disclosure: what the tooltips say, for
    readers who cannot hover. One text block, not a component a line, for the reason given above."""
    lines = [
        f"• {row.label_in_words}: {'; '.join(line for line in row.details if line)}"
        for row in chart.rows
        if row.details
    ]
    return html.Details(
        [html.Summary(summary), html.P("\n".join(lines), className="lollipop-details-text")],
        className="lollipop-details",
    )
