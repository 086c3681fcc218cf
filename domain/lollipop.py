"""Domain layer: lollipop charts (a stem from zero to a value, a marker at its end) as data, before any
drawing.

The profile's charts, the themes of a view and the results of a force's initiatives, are drawn as
HTML by the page (components/charts.py): they are in the first view, and drawing them with plotly.js
meant evaluating the whole bundle before a reader saw anything. The same data draws the plotly
figures a reader saves as images (domain.figures), so the picture saved is the picture read.

Every string here is plain text; each renderer escapes it in its own way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.aggregation import ThemeShare, format_value, reading_of
from domain.provenance import FigureMarks
from domain.schema import Initiative, Outcome

# Unit groups of results: one chart each, so percentages, counts and money never share an axis.
UNIT_GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("percent", ("percent",), "Percent"),
    ("points", ("percentage points",), "Percentage points"),
    ("count", ("count",), "Count"),
    ("money", ("GBP",), "Pounds (£)"),
    # One axis per unit of time: days and weeks are never drawn on one scale as if they were one unit.
    ("hours", ("hours",), "Hours"),
    ("days", ("days",), "Days"),
    ("weeks", ("weeks",), "Weeks"),
    ("months", ("months",), "Months"),
    ("years", ("years",), "Years"),
)
# Percentage falls in a rate and in a number of events never share an axis either: a 33% fall in a detention rate and
# an 81% fall in detentions, side by side on one "Percent" axis, read as the same kind of thing. Each has a chart
# of its own, before the unit groups, in the overview and in a force's profile alike.
FALL_GROUPS: tuple[tuple[str, str, bool], ...] = (
    ("falls-rate", "Fall in a rate (%)", True),
    ("falls-number", "Fall in a number of events (%)", False),
)


def reduction_of_a_rate(outcome: Outcome) -> bool:
    """Whether a percentage fall is of a rate (offending per person, detentions per month) rather than of a
    number of events. The measure names a rate when it is one."""
    return "rate" in outcome.measure.casefold().split()


def result_groups(results: Sequence[Outcome]) -> list[tuple[str, str, list[Outcome]]]:
    """(key, axis title, results) for each chart the results make, in the charts' order; none empty."""
    falls = [o for o in results if o.unit == "percent" and o.direction == "reduction"]
    rest = [o for o in results if not (o.unit == "percent" and o.direction == "reduction")]
    groups = [
        (key, title, [o for o in falls if reduction_of_a_rate(o) == is_rate]) for key, title, is_rate in FALL_GROUPS
    ]
    groups += [(key, title, [o for o in rest if o.unit in units]) for key, units, title in UNIT_GROUPS]
    return [group for group in groups if group[2]]


# A marker's shape says the direction, so it is never told by colour alone.
MARKERS = ("count", "reduction", "increase", "level")


# Said in words beside a value: the marker's shape shows the direction on screen, but not to a screen reader.
DIRECTION_WORDS = {"reduction": "fall", "increase": "rise"}


@dataclass(frozen=True)
class Lollipop:
    label: str
    value: float
    value_text: str  # the value as the reader reads it beside the marker: "94%", "£815,000", "3"
    marker: str  # one of MARKERS
    details: tuple[str, ...] = ()  # what a reader asks next: the comparison, the reading, the source
    # How a result was obtained, and what not to read into it, as the paper allows: said with the figure
    # wherever it is drawn (components/charts.py writes them under the chart, not only in a tooltip).
    design: str = ""
    caveat: str = ""
    whole_label: str = ""  # the label as written, where `label` is cut short to fit beside the chart

    @property
    def label_in_words(self) -> str:
        """The label for a line of text under the chart, where there is room for it whole."""
        return self.whole_label or self.label

    @property
    def hover_lines(self) -> tuple[str, ...]:
        """What the row's tooltip says: a label cut short ("…who later …") whole first, then the details."""
        return ((self.whole_label,) if self.whole_label else ()) + tuple(line for line in self.details if line)

    @property
    def value_words(self) -> str:
        """The value with its direction in words, "81% (fall)": the marker's shape shows it on screen, but a screen
        reader and a saved image need the word (a bare "81%" reads as a level)."""
        direction = DIRECTION_WORDS.get(self.marker)
        return f"{self.value_text} ({direction})" if direction else self.value_text

    @property
    def obtained(self) -> str:
        """'How obtained: …' and, where there is one, 'Caveat: …', as one line of plain text."""
        parts = [f"How obtained: {self.design}" if self.design else "", f"Caveat: {self.caveat}" if self.caveat else ""]
        return ". ".join(p for p in parts if p)


@dataclass(frozen=True)
class LollipopChart:
    key: str  # stable per chart kind: "themes", or the unit group of results
    axis_title: str
    rows: tuple[Lollipop, ...]
    axis_max: float
    ticks: tuple[float, ...]
    tick_prefix: str = ""
    tick_suffix: str = ""

    def tick_text(self, tick: float) -> str:
        number = f"{tick:,.0f}" if tick == int(tick) else f"{tick:,}"
        return f"{self.tick_prefix}{number}{self.tick_suffix}"


def nice_ticks(top: float, most: int = 6) -> tuple[float, ...]:
    """Ticks from 0 at a round step (1, 2 or 5 times a power of ten), at most `most` of them, up to `top`."""
    if top <= 0:
        return (0.0,)
    raw = top / (most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if power >= 1:
        step = max(step, 1)
    count = int(math.floor(top / step + 1e-9))
    return tuple(round(i * step, 10) for i in range(count + 1))


def theme_chart(shares: Sequence[ThemeShare]) -> LollipopChart:
    """How many of the view's initiatives carry each theme, as counts read directly; the comparison with
    all matching initiatives comes second, in each row's details."""
    ordered = sorted(shares, key=lambda s: (-s.count, s.label))
    top = max((s.count for s in ordered), default=1)
    axis_max = top + max(1, top * 0.15)
    rows = tuple(
        Lollipop(
            label=s.label,
            value=s.count,
            value_text=str(s.count),
            marker="count",
            details=(
                f"{s.count} of {s.view_total} initiatives here ({s.share:g}%)",
                f"{s.all_matching_count} of {s.all_matching_total} across all matching ({s.all_matching_share:g}%)",
            ),
        )
        for s in ordered
    )
    ticks = tuple(float(t) for t in range(int(axis_max) + 1)) if top <= 10 else nice_ticks(axis_max)
    return LollipopChart("themes", "Initiatives", rows, axis_max, ticks)


def _references(outcome: Outcome) -> str:
    return f"Ref. {', '.join(outcome.references)}" if outcome.references else "No reference mark"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def figure_labels(outcomes: Sequence[Outcome], initiatives_by_id: Mapping[str, Initiative]) -> list[str]:
    """Labels in plain words, unique within a chart: a repeated measure is told apart by its initiative,
    never by an internal id."""
    labels = [_short(o.measure) for o in outcomes]
    for index, (label, outcome) in enumerate(zip(labels, outcomes, strict=True)):
        if labels.count(label) > 1 and outcome.initiative_id:
            labels[index] = f"{label} — {_short(initiatives_by_id[outcome.initiative_id].title, 30)}"
    seen: dict[str, int] = {}
    for index, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[index] = f"{label} ({seen[label]})"
    return labels


def _obtained(outcome: Outcome) -> tuple[str, ...]:
    """The design and caveat lines of a figure's details, each only where there is one."""
    return tuple(
        line
        for line in (
            f"How obtained: {outcome.design}" if outcome.design else "",
            f"Caveat: {outcome.caveat}" if outcome.caveat else "",
        )
        if line
    )


def _flagged(label: str, markers: Sequence[str]) -> str:
    """A figure's label with the published notes on it said in words: 'Section 136 detentions — Erratum'."""
    return f"{label} — {', '.join(markers)}" if markers else label


def outcome_charts(
    outcomes: Sequence[Outcome], initiatives_by_id: Mapping[str, Initiative], marks: FigureMarks | None = None
) -> list[LollipopChart]:
    """One chart per unit group of the *results* among `outcomes`; activity, funding, targets and
    background figures are never drawn as results. With `marks`, each row cites its figure's source
    (domain.provenance) and flags the errata and follow-ups that name it."""
    marks = marks or FigureMarks()
    results = [o for o in outcomes if o.is_result]
    charts = []
    for key, axis_title, group in result_groups(results):
        rows = tuple(
            Lollipop(
                label=_flagged(label, marks.markers(o.id)),
                value=o.value,
                value_text=format_value(o),
                marker=o.direction,
                details=(
                    reading_of(o),
                    initiatives_by_id[o.initiative_id].title if o.initiative_id else "",
                    *_obtained(o),
                    marks.sources.get(o.id) or _references(o),
                    *marks.flags(o.id),
                ),
                design=o.design,
                caveat=o.caveat,
                whole_label=""
                if o.measure in label
                else _flagged(label.replace(_short(o.measure), o.measure, 1), marks.markers(o.id)),
            )
            for label, o in zip(figure_labels(group, initiatives_by_id), group, strict=True)
        )
        top = max(o.value for o in group)
        percent = group[0].unit == "percent"
        axis_max = 115.0 if percent else top * 1.35
        ticks = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0) if percent else nice_ticks(axis_max)
        charts.append(
            LollipopChart(
                key,
                axis_title,
                rows,
                axis_max,
                ticks,
                tick_prefix="£" if key == "money" else "",
                tick_suffix="%" if percent else "",
            )
        )
    return charts
