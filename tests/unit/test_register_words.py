"""Words that stay true with the register on (issue 22): wherever the page names the 2016 paper as the
source of what it counts, it names the register too once the register has published a record, and only
the one source the source filter keeps. The read-only dashboard's words are unchanged."""

from __future__ import annotations

import pytest

from components.cite_view import about_panel, dataset_counts_line
from components.compare_panels import comparison_table
from components.map_panel import MAP_COUNTS, colours_for, title_of
from components.matrix_view import panel as matrix_panel
from components.orientation import how_to_read
from components.panels import outcome_chart_figures, outcome_table
from components.profile import counts_line, england_summary, profile_content
from components.shell import site_summary, site_title
from domain.aggregation import force_counts
from domain.compare import compare_forces
from domain.joining import join_initiatives
from domain.loading import load_dataset
from domain.provenance import CountedSources
from domain.register import RegisterRecord, with_register
from domain.state import COLOUR_MEASURES, ViewState
from tests.unit.test_provenance import DATA_DIR, PUBLISHED, gwent_proposal, text_of


@pytest.fixture(scope="module")
def paper_dataset():
    return load_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def with_one_record(paper_dataset):
    return with_register(
        paper_dataset, [RegisterRecord("reg-0001", "initiative", gwent_proposal(), PUBLISHED, "Gwent PCC office")]
    )


def joined(dataset):
    return join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)


def empty_force(dataset) -> str:
    """An English force area with no initiative, from the data rather than pinned."""
    join = joined(dataset)
    counts = force_counts(dataset, join, dataset.initiatives, False)
    return next(c.force_id for c in counts if c.count == 0 and c.force_id.startswith("E"))


def test_regw001_counted_sources_follow_the_register_and_the_source_filter():
    assert CountedSources.of(0).words() == "the 2016 paper"
    assert CountedSources.of(3).words() == "the 2016 paper and the register"
    assert CountedSources.of(3).words("or") == "the 2016 paper or the register"
    assert CountedSources.of(3, "paper").words() == "the 2016 paper"
    assert CountedSources.of(3, "register").words() == "the register"
    assert CountedSources.of(0, "register").words() == "the register"
    assert (CountedSources.of(0).verb_s, CountedSources.of(3).verb_s) == ("s", "")


@pytest.mark.parametrize("measure", COLOUR_MEASURES)
def test_regw002_the_map_title_names_each_source_it_counts(paper_dataset, with_one_record, measure):
    state = ViewState(colour=measure)
    alone = title_of(paper_dataset, state)
    both = title_of(with_one_record, state)
    assert "the 2016 paper " in alone and "register" not in alone
    assert "the 2016 paper and the register " in both
    assert title_of(with_one_record, ViewState(colour=measure, source="register")).count("the register") == 1
    assert "the 2016 paper" not in title_of(with_one_record, ViewState(colour=measure, source="register"))
    # Verbs agree with one source or two.
    assert ("names" in alone or "reports" in alone) and ("name " in both or "report " in both)


def test_regw003_a_grey_force_says_none_in_either_source(paper_dataset, with_one_record):
    grey = empty_force(with_one_record)
    join = joined(with_one_record)
    colours = colours_for(with_one_record, join, ViewState())
    assert colours.labels[grey][1] == "No initiative in the 2016 paper or the register"
    assert colours.legend[-1].label == "No initiative in the 2016 paper or the register"
    # Filtered to the paper's records, the none is the paper's alone, said as a filter's none.
    only_paper = colours_for(with_one_record, join, ViewState(source="paper"))
    assert only_paper.labels[grey][1] == "No initiative matches your filters"
    before = colours_for(paper_dataset, joined(paper_dataset), ViewState())
    assert before.labels[empty_force(paper_dataset)][1] == "No initiative in the 2016 paper"


def test_regw004_an_empty_profile_and_a_comparison_name_both_sources(with_one_record):
    grey = empty_force(with_one_record)
    join = joined(with_one_record)
    content = profile_content(with_one_record, join, ViewState(force=grey), "/", "")
    assert content.counts == "No initiative in the 2016 paper or the register"
    body = text_of(content.body)
    assert body.startswith("No initiative in the 2016 paper or the register is placed in this force area")
    assert "Neither is a census" in body
    compared = compare_forces(with_one_record, join, with_one_record.initiatives, [grey, "W15000002"])  # Gwent
    assert "no initiative in the 2016 paper or the register" in text_of(comparison_table(compared, with_one_record))


def test_regw005_the_matrix_intro_and_the_header_name_the_register(paper_dataset, with_one_record):
    assert "initiatives the 2016 paper records" in text_of(matrix_panel(paper_dataset))
    intro = text_of(matrix_panel(with_one_record))
    assert "initiatives the 2016 paper and the register record for each force" in intro
    assert "the 2016 paper or the register describes none there" in intro
    assert "register" not in site_title(False) + site_summary(False)
    assert "reviewed register" in site_title(True)
    assert "through this dashboard's register" in site_summary(True)


def test_regw006_the_about_counts_never_count_a_register_record_as_the_papers(paper_dataset, with_one_record):
    before = dataset_counts_line(paper_dataset)
    after = dataset_counts_line(with_one_record)
    paper_initiatives = len(paper_dataset.initiatives)
    assert f"from the 2016 paper: {paper_initiatives} initiatives, {len(paper_dataset.outcomes)} figures." in before
    assert "register" not in before
    # The register's record and its figure are counted apart, the paper's counts unchanged.
    assert f"from the 2016 paper: {paper_initiatives} initiatives, {len(paper_dataset.outcomes)} figures." in after
    assert after.endswith("The register has since added 1 initiative and 1 figure.")
    about = text_of(about_panel(with_one_record, MAP_COUNTS))
    assert "A force with no initiative in the 2016 paper or the register is shaded grey" in about


def test_regw007_how_to_read_this_and_the_empty_results_name_no_single_source_wrongly():
    assert "reviewers have published through the register" in text_of(how_to_read(True))
    assert "register" not in text_of(how_to_read(False)).split("The terms they use")[0]
    assert "the paper places" not in MAP_COUNTS
    empty = text_of(outcome_chart_figures(()))
    assert empty.startswith("No result (evaluation or monitoring of effect) is reported")


def test_regw008_a_force_with_only_register_records_is_not_counted_as_zero_of_the_papers(with_one_record):
    """Before: '0 initiatives in the 2016 paper, from 0 of its case studies and sections · 1 added through the
    register'."""
    added = [i for i in with_one_record.initiatives if i.id in with_one_record.provenance]
    paper = [i for i in with_one_record.initiatives if i.id not in with_one_record.provenance][:2]
    alone = counts_line(added, (), with_one_record.provenance)
    assert alone == "1 initiative added through the register"
    both = counts_line([*paper, *added], (), with_one_record.provenance)
    assert both.startswith("2 initiatives in the 2016 paper, from ") and both.endswith(
        " · 1 added through the register"
    )
    assert counts_line(paper, (), with_one_record.provenance).startswith("2 initiatives in the 2016 paper")


def test_regw009_englands_list_of_groups_names_the_registers_additions_and_lists_them_last(
    paper_dataset, with_one_record
):
    join = joined(with_one_record)
    summary = england_summary(with_one_record, join, with_one_record.initiatives, "/", ViewState())
    lines = text_of(summary).splitlines()
    heading = next(line for line in lines if line.startswith("The paper's case studies and sections"))
    assert heading == "The paper's case studies and sections, and the register's additions"
    groups = [line for line in lines if line.endswith(("initiative)", "initiatives)"))]
    assert groups[-1] == "Added through the register (1 initiative)"
    before = text_of(england_summary(paper_dataset, joined(paper_dataset), paper_dataset.initiatives, "/", ViewState()))
    assert "The paper's case studies and sections\n" in before and "register" not in before.split("sections")[1]
    assert text_of(outcome_table((), paper_dataset)) == "No figure is given for the initiatives in this view."


def test_regw010_the_maps_caution_names_the_register_once_it_has_added_a_record(paper_dataset, with_one_record):
    from components.map_panel import map_caution

    assert "register" not in map_caution(paper_dataset)
    caution = map_caution(with_one_record)
    assert "not a census" in caution and "register" in caution and "neither describes" in caution
