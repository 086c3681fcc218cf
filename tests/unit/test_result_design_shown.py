"""How a result was obtained is shown with the figure: in the chart's rows, under the chart (on screen and in
print), in the figures table; and a card says the kind of work apart from its stage."""

from __future__ import annotations


import pytest

from components.charts import obtained_list
from components.panels import initiative_card, outcome_chart_figures, outcome_table, part_of
from domain.aggregation import outcomes_of
from domain.loading import load_dataset
from domain.lollipop import outcome_charts
from domain.schema import Initiative, Outcome
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


def _texts(component) -> list[str]:
    """Every string in a Dash component tree, depth first."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    if not isinstance(children, (list, tuple)):
        children = [children]
    return [text for child in children for text in _texts(child)]


def _figure(**changes) -> Outcome:
    values = dict(
        id="f1",
        initiative_id="a",
        case_study="cs",
        measure="Detentions",
        value=40,
        unit="percent",
        direction="reduction",
        kind="result",
        design="before and after, no comparison group",
        caveat="baseline not stated",
        section="S",
    )
    return Outcome(**{**values, **changes})


INITIATIVE = Initiative(
    id="a",
    title="A service",
    case_study="cs",
    scope="national",
    place="England",
    lead_organisations=("Lead",),
    themes=("t",),
    kind_of_work="service",
    stage="running",
    evaluation="none reported",
    summary="A summary that is long enough.",
    section="S",
)


def test_shown001_a_chart_row_carries_its_design_and_caveat_and_says_them():
    [chart] = outcome_charts([_figure()], {"a": INITIATIVE})
    [row] = chart.rows
    assert (row.design, row.caveat) == ("before and after, no comparison group", "baseline not stated")
    assert "How obtained: before and after, no comparison group" in row.details
    assert "Caveat: baseline not stated" in row.details
    written = obtained_list(chart)
    assert written.children == (
        "• Detentions: How obtained: before and after, no comparison group. Caveat: baseline not stated"
    )


def test_shown002_the_profile_writes_how_each_result_was_obtained_under_its_chart(dataset):
    outcomes = outcomes_of(dataset, [dataset.initiatives_by_id["leicestershire-triage-car"]])
    parts = outcome_chart_figures(outcome_charts(outcomes, dict(dataset.initiatives_by_id)))
    # Two charts (a fall in a rate, a fall in a number of events), each with its words under it.
    assert [type(p).__name__ for p in parts] == ["Figure", "P", "Figure", "P"]
    text = parts[1].children + parts[3].children
    assert (
        "before and after, no comparison group" in text
        and "2016 figures as the paper gives them, source not stated" in text
    )
    assert "Caveat: no baseline given" in text


def test_shown003_a_chart_of_figures_without_a_design_adds_nothing(dataset):
    [chart] = outcome_charts([_figure(design="", caveat="")], {"a": INITIATIVE})
    assert obtained_list(chart) is None


def test_shown004_the_figures_table_says_how_each_result_was_obtained_under_its_row(dataset):
    btp = outcomes_of(dataset, [dataset.initiatives_by_id["btp-suicide-prevention"]])
    rows = outcome_table(btp, dataset).children.children[1].children
    measures = [row.children[0].children if isinstance(row.children, list) else None for row in rows]
    at = measures.index("Share of people on a BTP suicide prevention plan who later took their own life")
    line = rows[at + 1].children
    assert line.className == "figure-design" and line.colSpan == 7
    assert line.children.startswith("How obtained: the force's own programme figures")
    assert "Caveat: not like with like" in line.children
    # Activity figures have nothing to add: no line follows them.
    assert sum(1 for row in rows if not isinstance(row.children, list)) == 1


def test_shown005_a_card_says_the_kind_of_work_and_its_stage_apart(dataset):
    card = initiative_card(dataset.initiatives_by_id["btp-mental-health-triage"], dataset, None)
    text = _texts(card)
    assert "Kind of work: pilot" in text and "Stage: running" in text
    assert not any(t.startswith("Status:") for t in text)


def test_shown006_a_topic_section_with_local_work_is_not_called_national(dataset):
    assert part_of(dataset.initiatives_by_id["avon-somerset-cse-campaign"], dataset) == (
        "Part of the paper's section: Child sexual exploitation"
    )
    assert part_of(dataset.initiatives_by_id["great-expectations"], dataset).startswith(
        "Part of the paper's case study"
    )


def test_shown007_a_result_whose_label_is_cut_short_is_said_whole_in_its_words(dataset):
    # Before: the overview's row and its "Each result in words" both read "…who later …": what the 1% counted
    # was nowhere in the overview.
    from components.charts import details_list, lollipop, obtained_list
    from components.overview_view import OVERVIEW_DETAILS, overview_lists

    whole = "Share of people on a BTP suicide prevention plan who later took their own life"
    btp = outcomes_of(dataset, [dataset.initiatives_by_id["btp-suicide-prevention"]])
    [chart] = [c for c in outcome_charts(btp, dataset.initiatives_by_id) if c.key == "percent"]
    [row] = [r for r in chart.rows if r.label.startswith("Share of people on a BTP")]
    assert row.label.endswith("…") and whole not in row.label  # the chart's row stays short
    in_words = " ".join(_texts(details_list(chart, OVERVIEW_DETAILS)))
    assert f"{whole}: 1%" in in_words
    # Trial 9: the line under the chart that says how it was obtained, always shown, read "…who later …" too.
    assert obtained_list(chart).children.startswith(f"• {whole}: How obtained: ")
    assert lollipop(chart, "").children[0].children[0].title.splitlines()[0] == whole  # its tooltip's first line
    overview = " ".join(t for part in overview_lists(dataset, btp) for t in _texts(part))
    assert f"{whole}: 1%" in overview
    # A label already whole is not said twice.
    [short] = outcome_charts([_figure()], {"a": INITIATIVE})
    assert short.rows[0].details[0] == "a fall of 40%"


def test_shown008_a_saved_overview_image_names_each_point_whole_with_the_screens_marker(dataset):
    # Trial 10 (medium): the saved image read "Share of people on a BTP … who later …", without its initiative,
    # and drew falls as diamonds where the screen draws ◀.
    from components.overview_view import overview_figures

    whole = "Share of people on a BTP suicide prevention plan who later took their own life"
    figures = overview_figures(dataset, list(dataset.outcomes), "SOURCE")
    labels = [y.replace("<br>", " ") for figure in figures for trace in figure["data"] for y in trace["y"] if y]
    btp = dataset.initiatives_by_id["btp-suicide-prevention"].title
    assert f"{btp}: {whole}" in labels
    falls = [trace for trace in figures[0]["data"] if trace.get("mode") == "markers+text"]
    assert falls and {symbol for trace in falls for symbol in trace["marker"]["symbol"]} == {"triangle-left"}


def _annotations(figure) -> list[str]:
    return [a["text"].replace("<br>", " ") for a in figure["layout"].get("annotations", [])]


def test_shown009_a_saved_image_carries_each_points_caveat_above_its_source(dataset):
    """Trial 11 (medium): an image saved of Leicestershire's charts read "81% (fall)" without "no baseline given",
    and the overview's gave British Transport Police's 1% without "not like with like"; its marker sat on its label."""
    from components.overview_view import overview_figures
    from domain.figures import build_outcome_charts, with_source

    leicestershire = [o for o in dataset.outcomes if o.initiative_id == "leicestershire-triage-car"]
    caveated = [o for o in leicestershire if o.is_result and o.caveat]
    assert caveated, "the data has a result with a caveat"
    for _, figure in build_outcome_charts(leicestershire, dict(dataset.initiatives_by_id)):
        cited = with_source(figure, "SOURCE")
        texts = _annotations(cited)
        assert texts[-1] == "SOURCE"  # the citation last, under the caveats
        for outcome in caveated:
            if any(outcome.measure in y.replace("<br>", " ") for y in figure["data"][0]["y"]):
                assert any(outcome.caveat in t.replace("  ", " ") for t in texts[:-1]), texts
        assert figure["layout"]["xaxis"]["range"][0] < 0  # room left of zero for a point near it
    btp = next(o for o in dataset.outcomes if o.initiative_id == "btp-suicide-prevention" and o.is_result)
    overview = overview_figures(dataset, list(dataset.outcomes), "SOURCE")
    said = " ".join(t for figure in overview for t in _annotations(figure))
    assert f"Caveat: {format_value_of(btp)}" in said and "not like with like" in said
    assert all(figure["layout"]["xaxis"]["range"][0] < 0 for figure in overview)


def format_value_of(outcome) -> str:
    from domain.aggregation import format_value

    return format_value(outcome)
