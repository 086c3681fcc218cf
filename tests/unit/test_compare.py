"""Comparison, similar forces, coverage matrix and citations -- on small in-memory data."""

from __future__ import annotations

from datetime import date

import pytest

import io
from pathlib import Path
import zipfile

import pandas as pd

from domain.compare import OFF_MAP_ROW_ID, citation_line, compare_forces, coverage_matrix, similar_forces, sort_matrix
from domain.exports import matrix_zip
from domain.joining import join_initiatives
from domain.loading import BoundaryFile, Dataset, load_dataset
from domain.schema import Theme
from domain.state import state_from_query
from tests import fixtures_data as fx

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def force(id_, name, region, population):
    return fx.force(id_, name, name, region, population=population)


def initiative(id_, forces, themes, scope="force"):
    return fx.initiative(id_, forces, themes, scope)


@pytest.fixture
def small():
    forces = (
        force("E23000001", "Alpha Police", "London", 900_000),
        force("E23000002", "Beta Police", "North West", 500_000),
        force("E23000003", "Gamma Police", "North West", 1_500_000),
        force("E23000004", "Delta Police", "South West", 520_000),
        force("W15000001", "Wye Police", "Wales", 510_000),
    )
    themes = (
        Theme(id="mental-health", label="Mental health", kind="core topic", description="d"),
        Theme(id="dementia", label="Dementia", kind="core topic", description="d"),
    )
    initiatives = (
        initiative("a", ["E23000001"], ["mental-health"]),
        initiative("b", ["E23000001", "E23000002"], ["mental-health", "dementia"], scope="multi-force"),
        initiative("n", [], ["dementia"], scope="national"),
        initiative("w", ["W15000001"], ["dementia"]),
    )
    boundaries = BoundaryFile(b"{}", frozenset(f.id for f in forces), "ONS attribution", "x")
    dataset = Dataset(forces, themes, initiatives, (), "9.9.9", "2030-01-01", boundaries)
    return dataset, join_initiatives(initiatives, dataset.forces_by_id, boundaries.force_ids)


def test_cmp001_compare_counts_themes_per_force(small):
    dataset, join = small
    alpha, beta = compare_forces(dataset, join, dataset.initiatives, ["E23000001", "E23000002"])
    assert alpha.theme_counts == {"mental-health": 2, "dementia": 1}
    assert [i.id for i in beta.initiatives] == ["b"]
    assert (beta.region, beta.population) == ("North West", 500_000)


def test_cmp002_similar_forces_same_region_then_population(small):
    dataset, _ = small
    similar = similar_forces(dataset, "E23000002")
    assert similar[0].force_id == "E23000003" and "same region" in similar[0].reason
    assert [s.force_id for s in similar[1:]] == ["E23000004", "E23000001"]  # closest populations, English only
    # On screen, each says how it is alike: never read as a neighbour on the map or as similar work.
    from components.compare_panels import similar_links
    from domain.state import ViewState

    heading, listed = similar_links(similar, "E23000002", ViewState(), "/", dataset)
    assert heading.children == f"Forces like {dataset.forces_by_id['E23000002'].name} by region or population:"
    assert [item.children[1] for item in listed.children][0].startswith(" — same region")


def test_cmp002b_a_full_comparison_keeps_the_force_whose_likes_are_offered_and_says_what_is_replaced(small):
    """Trial 14 (medium): with four forces compared, "Compare with Derbyshire" dropped the selected force itself,
    silently."""
    from components.compare_panels import similar_links
    from domain.compare import compared_with
    from domain.state import ViewState, state_from_query

    assert compared_with(["a", "b"], "a", "c") == (("a", "b", "c"), None)
    assert compared_with([], "a", "c") == (("a", "c"), None)
    assert compared_with(["a", "b", "c", "d"], "a", "e") == (("a", "b", "c", "e"), "d")
    assert compared_with(["b", "c", "d", "a"], "a", "e") == (("b", "c", "e", "a"), "d")
    dataset, _ = small
    similar = similar_forces(dataset, "E23000002")
    full = ViewState(force="E23000002", compare=("E23000002", "E23000001", "W15000001", "E23000004"))
    _, listed = similar_links(similar, "E23000002", full, "/", dataset)
    link = listed.children[0].children[0]
    assert link.children == "Compare with Gamma Police in place of Delta Police"
    opened = state_from_query(link.href[1:], dataset)
    assert opened.compare == ("E23000002", "E23000001", "W15000001", "E23000003")


def test_cmp003_matrix_rows_counts_and_off_map_row(small):
    dataset, join = small
    rows = coverage_matrix(dataset, join, dataset.initiatives, show_wales=False)
    assert [r.row_id for r in rows] == ["E23000001", "E23000002", "E23000004", "E23000003", OFF_MAP_ROW_ID]
    assert rows[0].counts == {"mental-health": 2, "dementia": 1}
    assert rows[-1].counts == {"dementia": 2}  # national + Welsh work while Wales is hidden
    with_wales = coverage_matrix(dataset, join, dataset.initiatives, show_wales=True)
    assert "W15000001" in [r.row_id for r in with_wales] and with_wales[-1].counts == {"dementia": 1}
    # Trial 9 (low): the row's name left out the Welsh work it holds while Wales is hidden.
    assert rows[-1].label == "National, regional and non-territorial work, and Welsh work"
    assert with_wales[-1].label == "National, regional and non-territorial work"


def test_cmp004_sort_matrix_keeps_off_map_row_last(small):
    dataset, join = small
    rows = coverage_matrix(dataset, join, dataset.initiatives, show_wales=False)
    by_theme = sort_matrix(rows, "mental-health", descending=True)
    assert [r.row_id for r in by_theme][:2] == ["E23000001", "E23000002"] and by_theme[-1].row_id == OFF_MAP_ROW_ID
    by_region = sort_matrix(rows, "region", descending=False)
    assert [r.region for r in by_region[:-1]] == ["London", "North West", "North West", "South West"]


def test_cmp005_matrix_download_is_what_is_shown_as_typed_data_with_citation_beside_it(small, tmp_path):
    dataset, join = small
    rows = sort_matrix(coverage_matrix(dataset, join, dataset.initiatives, False), "force", False)
    with zipfile.ZipFile(io.BytesIO(matrix_zip(rows, dataset, "CITE"))) as archive:
        archive.extractall(tmp_path)
    table = pd.read_csv(tmp_path / "coverage-matrix.csv")
    assert list(table.columns) == [
        "force",
        "force_code",
        "region",
        "Mental health",
        "Dementia",
        "total_initiatives",
        "register_initiatives",
    ]
    # Trial 12 (low): the code that joins a row to other data by force area; none for the rows that are no area.
    codes = table["force_code"].fillna("").tolist()
    assert codes == [r.row_id if r.row_id in dataset.forces_by_id else "" for r in rows]
    assert any(c.startswith("E23") for c in codes) and "" in codes
    assert table["register_initiatives"].tolist() == [0] * len(rows)  # the paper alone: none from the register
    assert list(table["force"]) == [r.label for r in rows]
    assert table.loc[0, ["Mental health", "Dementia"]].tolist() == [2, 1]
    assert table.loc[2, ["Mental health", "Dementia"]].tolist() == [0, 0]  # numbers, never words
    assert str(table["Mental health"].dtype) == "int64"
    assert (tmp_path / "coverage-matrix.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    assert "CITE" in (tmp_path / "README.txt").read_text(encoding="utf-8-sig")


def test_cmp006_citation_names_paper_dataset_boundaries_and_date(small):
    dataset, _ = small
    line = citation_line(dataset, "http://x/?force=E23000001", date(2031, 2, 3))
    assert "Public Health England (2016)" in line and "version 9.9.9, compiled 2030-01-01 from that paper" in line
    assert "ONS attribution" in line and "accessed 2031-02-03" in line and "http://x/?force=E23000001" in line
    assert "filters" not in line  # no filters, none named


def test_cmp006c_a_citation_names_its_force_or_the_forces_compared(small):
    # Trial 21 (medium): a force's citation named it only as a code in its link ("?force=E23000037").
    from components.cite_view import citation_outputs
    from domain.source import StaticSource, snapshot_of

    dataset, _ = small
    first, second = [f for f in dataset.forces if f.kind == "territorial"][:2]
    source = StaticSource(snapshot_of(dataset))

    def outputs(query: str) -> dict:
        state = state_from_query(query, dataset)
        return citation_outputs(source, "/", lambda: date(2031, 2, 3), {"query": state.to_query()}, "http://x/")

    one = outputs(f"?force={first.id}")
    assert f"?force={first.id} ({first.name}; accessed 2031-02-03)." in one["citation"]
    assert one["printed"] == one["citation"]
    compared = outputs(f"?force={first.id}&compare={first.id},{second.id}&view=compare")
    assert f"({first.name} compared with {second.name}; accessed" in compared["citation"]
    # Printed, the page holds the selected force's profile, and its citation says so.
    assert f"({first.name}; accessed" in compared["printed"]
    assert outputs("")["citation"].endswith("View: http://x/ (accessed 2031-02-03).")  # England's map: no name


def test_cmp006b_a_filtered_views_citation_says_its_filters_in_words(small):
    # Before: the filters were only in the link's address, so a citation on paper did not say the view was partial.
    from components.cite_view import citation_outputs
    from domain.source import StaticSource, snapshot_of

    dataset, _ = small
    state = state_from_query("?themes=dementia&wales=1", dataset)
    line = citation_line(dataset, "http://x/?themes=dementia", date(2031, 2, 3), None, "themes Dementia")
    assert "View: http://x/?themes=dementia (filters: themes Dementia; accessed 2031-02-03)." in line
    source = StaticSource(snapshot_of(dataset))
    citation = citation_outputs(source, "/", lambda: date(2031, 2, 3), {"query": state.to_query()}, "http://x/")[
        "citation"
    ]
    assert "(filters: themes Dementia; Welsh forces shown; accessed 2031-02-03)." in citation
    # Two themes ticked match either, and the words say so (before: "themes Dementia, Mental health").
    either = state_from_query("?themes=dementia,mental-health&evaluation=debrief reported,none reported", dataset)
    citation = citation_outputs(source, "/", lambda: date(2031, 2, 3), {"query": either.to_query()}, "http://x/")[
        "citation"
    ]
    assert "themes Dementia or Mental health; evaluation debrief reported or none reported;" in citation


def test_cmp007_compare_state_parses_aliases_and_caps_at_four(small):
    dataset, _ = small
    state = state_from_query("?compare=alpha%20police,E23000002,E23000003,E23000004,W15000001,nope", dataset)
    assert state.compare == ("E23000001", "E23000002", "E23000003", "E23000004")
    assert any("nope" in n for n in state.notices) and any("Only 4" in n for n in state.notices)
    assert state_from_query(state.to_query(), dataset).compare == state.compare


def test_cmp007_matrix_totals_count_each_initiative_once_on_screen_and_in_the_csv(small, tmp_path):
    from domain.compare import TOTAL_LABEL, matrix_totals

    dataset, join = small
    rows = sort_matrix(coverage_matrix(dataset, join, dataset.initiatives, False), "force", False)
    assert {r.row_id: r.total for r in rows}["E23000001"] == 2  # a and b, though b has two themes
    totals = matrix_totals(dataset, join, dataset.initiatives, False)
    # b spans Alpha and Beta but is one initiative; w (Welsh, hidden) is in the off-map row.
    assert totals.total == 4 and totals.counts == {"mental-health": 2, "dementia": 3}
    with zipfile.ZipFile(io.BytesIO(matrix_zip(rows, dataset, "CITE", totals))) as archive:
        archive.extractall(tmp_path)
    table = pd.read_csv(tmp_path / "coverage-matrix.csv")
    assert table.iloc[-1]["force"] == TOTAL_LABEL and table.iloc[-1]["total_initiatives"] == 4
    assert table.iloc[-1][["Mental health", "Dementia"]].tolist() == [2, 3]
    assert str(table["total_initiatives"].dtype) == "int64"
    assert "totals" in (tmp_path / "README.txt").read_text(encoding="utf-8-sig")


def test_cmp008_off_map_work_grouped_by_scope_and_region(small):
    from domain.aggregation import off_map_initiatives
    from domain.compare import group_off_map, region_of_place

    dataset, join = small
    groups = group_off_map(join, off_map_initiatives(join, dataset.initiatives, False))
    assert [g.heading for g in groups] == ["National work", "Welsh forces (hidden from the map)"]
    assert region_of_place("Many police stations in the North East (forces not named)") == "North East"
    assert region_of_place("England") == ""


def test_cmp006c_the_boundaries_credit_reads_once_as_a_credit():
    """Trial 10 (low): the citation read "Boundaries: Source: Office for National Statistics …", the manifest's
    own "Source: " after the citation's label. The real boundaries' credit, as the citation and the Cite tab say it."""
    dataset = load_dataset(DATA_DIR)
    line = citation_line(dataset, "http://x/", date(2031, 2, 3))
    assert "Boundaries: Office for National Statistics licensed under the Open Government Licence v.3.0" in line
    assert "Source: Office" not in line and dataset.boundaries.attribution.startswith("Source: ")


def test_cmp002c_same_region_forces_come_closest_in_population_first():
    """Trial 14 (low): Leicestershire's likes named Derbyshire and Lincolnshire (alphabetical) but not
    Nottinghamshire, of the same region and closer in population than Hertfordshire, which was offered."""
    from tests import dataset_facts as facts

    dataset = facts.served()
    for force in (f for f in dataset.forces if f.is_english and f.population_mid_2018):
        similar = similar_forces(dataset, force.id)
        same = [dataset.forces_by_id[s.force_id] for s in similar if s.reason.startswith("same region")]
        gaps = [abs((f.population_mid_2018 or 0) - force.population_mid_2018) for f in same]
        assert gaps == sorted(gaps), force.name
    names = [s.name for s in similar_forces(dataset, "E23000021")]
    assert "Nottinghamshire Police" in names
