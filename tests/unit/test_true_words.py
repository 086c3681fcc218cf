"""Words that stay true under every filter and option (issue 21, item 5), and the map's own words
(item 4), where a pure function builds them. The browser tier reads the same words on the page
(tests/browser/test_dashboard.py). Counts come from the data or small fixtures, never today's totals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import plotly.graph_objects as go
import pytest

from components.compare_panels import comparison_table, matrix_table
from components.map_panel import MAP_COUNTS, PAPER_CAUTION, REGISTER_CAUTION, map_title
from components.national_view import national_intro
from components.profile import empty_text, england_summary, matching_line, off_map_line, on_map_line, profile_content
from components.shell import notice_paragraphs, source_notice
from domain.aggregation import (
    filter_initiatives,
    filters_narrow,
    force_counts,
    initiatives_in_view,
    is_on_map,
    off_map_initiatives,
)
from domain.compare import NO_INITIATIVE_IN_PAPER, NONE_MATCHES, compare_forces, coverage_matrix, how_obtained
from domain.figures import overview_lollipops, plotly_lollipop
from domain.lollipop import reduction_of_a_rate
from domain.joining import join_initiatives
from domain.loading import load_dataset
from domain.schema import Initiative, Outcome
from domain.state import COLOUR_MEASURES, ViewState, filters_phrase, state_from_controls, state_from_query
from pipelines.own_words import PROSE_LIMIT, PaperIndex
from tests.unit.test_provenance import text_of
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
PAPER = Path(__file__).resolve().parents[2] / "data" / "source" / "police-and-public-health-2016.txt"
GLOUCESTERSHIRE, KENT, SOUTH_WALES = "E23000037", "E23000032", "W15000003"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def join(dataset):
    return join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)


def test_words001_a_filtered_force_says_how_many_of_its_initiatives_match_and_which_filters():
    """Before: '1 initiative in the 2016 paper' for a force with 8, under a theme filter."""
    assert (
        matching_line("Gloucestershire Constabulary", 1, 8, "theme: Dementia")
        == "1 of Gloucestershire Constabulary's 8 initiatives matches your filters (theme: Dementia)"
    )
    assert matching_line("Gloucestershire Constabulary", 3, 8, "search: 'horse'").startswith("3 of ")
    assert " match your filters" in matching_line("X", 3, 8, "f")
    assert matching_line("X", 0, 8, "f").startswith("None of X's 8 initiatives matches")
    assert (
        matching_line("Leicestershire Police", 1, 1, "f")
        == "Leicestershire Police's only initiative matches your filters (f)"
    )
    assert matching_line(None, 2, 50, "f") == "2 of the 50 initiatives match your filters (f)"


def test_words002_a_filtered_profile_counts_against_the_forces_own_total(dataset, join):
    theme = next(t for t in dataset.initiatives_by_id["great-expectations"].themes)
    state = ViewState(force=GLOUCESTERSHIRE, themes=(theme,))
    content = profile_content(dataset, join, state, "/", "")
    total = len(initiatives_in_view(join, dataset.initiatives, GLOUCESTERSHIRE))
    shown = len(initiatives_in_view(join, filter_initiatives(dataset, state), GLOUCESTERSHIRE))
    label = dataset.themes_by_id[theme].label
    assert content.counts.startswith(f"{shown} of Gloucestershire Constabulary's {total} initiatives match")
    assert f"(theme: {label})" in content.counts
    unfiltered = profile_content(dataset, join, replace(state, themes=()), "/", "")
    assert unfiltered.counts.startswith(f"{total} initiatives in the 2016 paper")


def test_words003_an_empty_profile_tells_none_matching_from_none_in_the_paper(dataset, join):
    """Before: 'No initiative in the 2016 paper matches this view' whatever the reason."""
    assert empty_text("X", 8, "theme: Dementia").startswith(
        "None of this force area's 8 initiatives matches your filters"
    )
    assert empty_text("X", 0, "").startswith("No initiative in the 2016 paper is placed in this force area")
    kent = profile_content(dataset, join, ViewState(force=KENT, themes=("dementia",)), "/", "")
    assert kent.counts == "No initiative in the 2016 paper" and "in the 2016 paper" in text_of(kent.body)
    search = ViewState(force=GLOUCESTERSHIRE, search="zzzz-nothing")
    hidden = profile_content(dataset, join, search, "/", "")
    assert (
        hidden.counts.startswith("None of Gloucestershire Constabulary's")
        and "(search: 'zzzz-nothing')" in hidden.counts
    )
    assert "matches your filters" in text_of(hidden.body) and "in the 2016 paper" not in text_of(hidden.body)


def test_words004_filters_narrow_only_with_a_filter_that_leaves_initiatives_out(dataset):
    assert not filters_narrow(ViewState(show_wales=True, force=GLOUCESTERSHIRE, colour="themes", view="matrix"))
    for narrowed in (
        ViewState(themes=("dementia",)),
        ViewState(evaluations=("none reported",)),
        ViewState(search="x"),
        ViewState(source="paper"),
    ):
        assert filters_narrow(narrowed)
    phrase = filters_phrase(ViewState(themes=("dementia",), search="car", source="register"), dataset)
    assert phrase == f"theme: {dataset.themes_by_id['dementia'].label}; search: 'car'; source: the register"


@pytest.mark.parametrize("show_wales", [False, True])
def test_words005_one_definition_of_on_the_map_follows_the_wales_option(dataset, join, show_wales):
    """Before: with Wales shown, England's summary said 30 initiatives were on the map while 31 were drawn,
    and counted South Wales both on and off the map."""
    state = ViewState(show_wales=show_wales)
    matching = filter_initiatives(dataset, state)
    drawn = {i for c in force_counts(dataset, join, matching, show_wales) for i in join.by_force[c.force_id]}
    on_map = [i for i in matching if is_on_map(join.placements[i.id], show_wales)]
    off_map = off_map_initiatives(join, matching, show_wales)
    assert {i.id for i in on_map} == drawn  # what the summary counts is what the map draws
    assert len(on_map) + len(off_map) == len(matching)  # and nothing is counted twice
    assert ("south-wales-ace" in drawn) == show_wales
    summary = text_of(england_summary(dataset, join, matching, "/", state))
    areas = sum(1 for c in force_counts(dataset, join, matching, show_wales) if c.count)
    assert on_map_line(len(on_map), areas, False, show_wales) in summary
    assert off_map_line(len(off_map), show_wales) in summary
    assert ("Welsh" in off_map_line(len(off_map), show_wales)) == (not show_wales)
    assert ("Welsh forces are shown on the map" in national_intro(show_wales)) == show_wales


def test_words005b_no_link_to_national_work_where_the_filters_leave_none_off_the_map(dataset, join):
    """Trial 12 (low): "No national … work is left off the map. See national and regional work." opened a tab
    listing nothing."""
    everything = text_of(england_summary(dataset, join, dataset.initiatives, "/", ViewState()))
    assert "See national and regional work" in everything
    on_map_only = [i for i in dataset.initiatives if not off_map_initiatives(join, [i], False)]
    assert on_map_only and len(on_map_only) < len(dataset.initiatives)
    summary = text_of(england_summary(dataset, join, on_map_only, "/", ViewState(search="x")))
    assert off_map_line(0, False) in summary and "See national and regional work" not in summary


def test_words006_englands_profile_ranks_no_forces(dataset, join):
    """Before: 'Forces with most initiatives', a league table of the paper's curation."""
    summary = text_of(england_summary(dataset, join, dataset.initiatives, "/", ViewState()))
    assert "most initiatives" not in summary.lower() and "do not rank" in summary


def test_words007_background_cited_from_elsewhere_is_never_in_a_forces_own_figures(dataset, join):
    """Before: Gloucestershire's profile listed the Dorset Horse Course's figures in its own tables."""
    content = profile_content(dataset, join, ViewState(force=GLOUCESTERSHIRE), "/", "")
    tables = text_of(content.tables)
    in_view = initiatives_in_view(join, dataset.initiatives, GLOUCESTERSHIRE)
    background = [
        o
        for o in dataset.outcomes
        if o.is_background and o.initiative_id is None and o.case_study in {i.case_study for i in in_view}
    ]
    assert background  # the case study cites some: the rule is tested, not vacuous
    assert not any(o.measure in tables for o in background)
    assert (
        f"{len(background)} background figure" in tables and "not about Gloucestershire Constabulary's work" in tables
    )


def test_words008_comparison_rows_name_initiatives_results_with_design_and_activity_apart(dataset, join):
    """Before: a row 'Case studies' listed initiatives, and 'Outcome figures' mixed activity with results."""
    forces = ["E23000021", KENT]
    filtered = ViewState(themes=("dementia",))
    table = comparison_table(
        compare_forces(dataset, join, filter_initiatives(dataset, filtered), forces), dataset, filters_narrow(filtered)
    )
    rows = [text_of(row.children[0]) for row in table.children[1].children.children[1].children]
    assert "Initiatives" in rows and "Results (with how they were obtained)" in rows
    assert "Activity, funding and target figures (not results)" in rows
    assert "Case studies" not in rows and "Outcome figures" not in rows
    assert NONE_MATCHES in text_of(table) and NO_INITIATIVE_IN_PAPER not in text_of(table)
    plain = text_of(comparison_table(compare_forces(dataset, join, dataset.initiatives, forces), dataset))
    assert NO_INITIATIVE_IN_PAPER in plain and NONE_MATCHES not in plain
    results = [o for o in dataset.outcomes if o.is_result and o.initiative_id == "leicestershire-triage-car"]
    assert all(f"({how_obtained(o)}; " in plain for o in results)
    others = [o for o in dataset.outcomes if not o.is_result and o.initiative_id == "leicestershire-triage-car"]
    row_texts = {
        text_of(row.children[0]): text_of(row.children[1])
        for row in comparison_table(compare_forces(dataset, join, dataset.initiatives, forces), dataset)
        .children[1]
        .children.children[1]
        .children
    }
    assert all(o.measure not in row_texts["Results (with how they were obtained)"] for o in others)


def test_words009_how_a_result_was_obtained_is_said_even_when_the_record_is_silent():
    outcome = Outcome(
        id="r",
        initiative_id="a",
        case_study="cs",
        measure="M",
        value=1,
        unit="count",
        direction="level",
        kind="result",
        section="S",
    )
    assert how_obtained(outcome) == "how it was obtained is not recorded"


def test_words010_the_matrix_says_none_matches_under_filters(dataset, join):
    state = ViewState(themes=("dementia",))
    rows = coverage_matrix(dataset, join, filter_initiatives(dataset, state), False)
    assert NONE_MATCHES in text_of(matrix_table(rows, dataset, state, "/"))
    plain = coverage_matrix(dataset, join, dataset.initiatives, False)
    assert NONE_MATCHES not in text_of(matrix_table(plain, dataset, ViewState(), "/"))


def test_words011_colour_by_is_kept_in_the_address(dataset):
    for measure in COLOUR_MEASURES:
        state = ViewState(colour=measure, themes=("dementia",))
        assert state_from_query(state.to_query(), dataset) == state
        assert state.filters_only().colour == measure  # the map's recolouring sees it
    assert ViewState().to_query() == ""  # the default colouring adds nothing to the address
    assert "colour=themes" in ViewState(colour="themes").to_query()
    bad = state_from_query("?colour=heat", dataset)
    assert bad.colour == "initiatives" and "map colouring 'heat'" in bad.notices[0]
    assert state_from_controls(None, [], [], "", [], dataset, colour="results").colour == "results"
    assert state_from_controls(None, [], [], "", [], dataset, colour=7).colour == "initiatives"


def test_words012_the_map_title_says_what_is_counted_and_the_caution_is_in_own_words():
    assert map_title("initiatives", False) == "Initiatives the 2016 paper names in each force area"
    assert map_title("initiatives", True).endswith(", matching your filters")
    # Trial 15 (low): the widget's reader set no filter; its link did.
    assert map_title("initiatives", True, embedded=True).endswith(", matching the filters in this widget's link")
    assert map_title("results", False).startswith("Results the 2016 paper reports")
    assert map_title("themes", False).startswith("Themes covered")
    if PAPER.exists():  # the paper sits beside the repository, as pipelines.own_words expects
        index = PaperIndex(PAPER.read_text(encoding="utf-8"))
        for text in (PAPER_CAUTION, REGISTER_CAUTION, MAP_COUNTS):
            length, run = index.longest_shared_run(text, PROSE_LIMIT)
            assert length < PROSE_LIMIT, run


def test_words013_register_source_without_a_register_gives_a_notice_and_a_way_back():
    state = ViewState(source="register", themes=("dementia",))
    assert source_notice(state, register_on=True) is None
    assert source_notice(replace(state, source="paper"), register_on=False) is None
    [paragraph] = notice_paragraphs(state, register_on=False)
    words, link = paragraph.children
    assert "no register" in words and link.href == "?themes=dementia" and link.children == "Show every initiative"
    assert notice_paragraphs(ViewState(source="register"), False)[0].children[1].href == "?"


def test_words014_overview_never_sets_a_rate_on_one_axis_with_a_number_and_labels_each_point():
    """Before: a fall in the Section 136 detention rate and a fall in detentions shared one axis, unlabelled."""
    initiative = Initiative(
        id="a",
        title="Triage car",
        case_study="cs",
        scope="national",
        place="P",
        lead_organisations=("L",),
        themes=("t",),
        status="established",
        evaluation="none reported",
        summary="A summary that is long enough.",
        section="S",
    )

    def fall(id_: str, measure: str, value: float) -> Outcome:
        return Outcome(
            id=id_,
            initiative_id="a",
            case_study="cs",
            measure=measure,
            value=value,
            unit="percent",
            direction="reduction",
            kind="result",
            section="S",
        )

    rate, count = fall("r", "Detention rate", 33), fall("c", "Detentions", 81)
    assert reduction_of_a_rate(rate) and not reduction_of_a_rate(count)
    assert not reduction_of_a_rate(fall("x", "Accelerated programmes", 5))
    rate_chart, count_chart = (
        go.Figure(plotly_lollipop(c)) for c in overview_lollipops([rate, count], (), {"a": initiative})
    )
    assert [list(rate_chart.data[0].x), list(count_chart.data[0].x)] == [[33], [81]]
    assert rate_chart.layout.xaxis.title.text.startswith("Fall in a rate")
    assert "number" in count_chart.layout.xaxis.title.text
    for points in (rate_chart.data[0], count_chart.data[0]):
        assert all(label.startswith("Triage car: ") for label in points.y)
        assert all(t.endswith("% (fall)") for t in points.text)  # its direction in words, as on the page
        assert points.mode == "markers+text"


def test_words020_the_figures_count_reads_as_english_for_one_and_for_several():
    # Before: "1 figure, 1 of them result".
    from types import SimpleNamespace

    from components.profile import figures_part

    def figures(*results: bool) -> list:
        return [SimpleNamespace(is_result=r) for r in results]

    assert figures_part(figures(True)) == " · 1 figure, a result"
    assert figures_part(figures(False)) == " · 1 figure, not a result"
    assert figures_part(figures(True, False)) == " · 2 figures, 1 of them a result"
    assert figures_part(figures(True, True, False)) == " · 3 figures, 2 of them results"
    assert figures_part(figures(False, False)) == " · 2 figures, none of them results"
    assert figures_part([]) == ""


def test_words021_running_work_with_a_first_year_alone_reads_from_that_year():
    # Before: a running record with first year 2022 and no last year read "Where: Bath (2022)".
    from types import SimpleNamespace

    from components.panels import years_text

    def initiative(start, end, stage):
        return SimpleNamespace(start_year=start, end_year=end, stage=stage)

    assert years_text(initiative(2022, None, "running")) == "from 2022"
    assert years_text(initiative(2014, None, "completed")) == "2014"
    assert years_text(initiative(2017, 2019, "completed")) == "2017–2019"
    assert years_text(initiative(None, None, "running")) == ""


def test_words022_the_maps_note_explains_white_wales_by_the_buttons_own_words():
    # Trial 17 (low): the map's Welsh areas were white, and neither the key nor a note said why.
    from components.shell import wales_button

    assert f"\u201c{wales_button(False)[1]}\u201d" in MAP_COUNTS and "Wales is left white" in MAP_COUNTS
