"""Where a record comes from, and the notes published on it, read in every view that shows it.

Two walks: a record published through the register, and one of the paper's, each through the card, the
badge on its collapsed title, the map's tooltip, the figures table and each figure's citation, the
comparison, the coverage matrix, the national list, the embedded widget and the downloads. Each view
must say either "PHE 2016 paper, section S, ref N" or "Register, reviewed DATE by ORGANISATION; source: …",
the same words from one function (domain.provenance), and never both.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from components.compare_panels import comparison_table, matrix_table
from components.panels import off_map_list, outcome_table
from components.profile import embed_source, profile_content
from domain.aggregation import filter_initiatives, force_counts, off_map_initiatives, outcomes_of
from domain.compare import OFF_MAP_ROW_ID, chart_citation, compare_forces, coverage_matrix
from domain.exports import matrix_zip, view_zip
from domain.figures import build_outcome_charts
from domain.force_map import map_colours
from domain.joining import join_initiatives
from domain.loading import load_dataset
from domain.lollipop import outcome_charts
from domain.provenance import figure_line, figure_marks, provenance_line
from domain.register import RegisterRecord, Reference, SubmissionInvalid, validate_note, with_register
from domain.state import ViewState
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
PUBLISHED = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
GWENT, SOUTH_WALES, LEICESTERSHIRE = "W15000002", "W15000003", "E23000021"
REGISTER_LINE = "Register, reviewed 2026-11-27 by Gwent PCC office; source: https://example.org/gwent-triage"
FIGURE_SOURCE = "Gwent annual report 2019, p. 4"
PAPER_RECORD = "south-wales-ace"
PAPER_LINE = (
    "PHE 2016 paper, section Statutory responsibilities and national approaches — Adverse childhood experiences, ref 8"
)
ERRATUM = "The paper's 81% counts only weekday shifts, as the trust's 2017 report says."
FOLLOW_UP = "The project became a Wales-wide programme in 2017, led by Public Health Wales."


def gwent_proposal() -> dict:
    return {
        "title": "Street triage in Newport",
        "force_ids": ["Gwent Police"],
        "place": "Newport",
        "lead_organisations": "Gwent Police | Aneurin Bevan University Health Board",
        "partners": "",
        "themes": ["mental-health"],
        "status": "pilot",
        "evaluation": "none reported",
        "start_year": "2019",
        "end_year": "",
        "summary": "Mental health nurses ride with officers on weekend nights in Newport.",
        "source": "https://example.org/gwent-triage",
        "figures": [
            {
                "measure": "Section 136 detentions in Newport",
                "value": "30",
                "unit": "percent",
                "qualifier": "",
                "direction": "reduction",
                "period": "2019",
                "comparator": "2018",
                "kind": "result",
                "source": FIGURE_SOURCE,
            }
        ],
    }


@pytest.fixture(scope="module")
def paper():
    return load_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def dataset(paper):
    """The paper with one published register record in Gwent, an erratum on one of the paper's figures
    and a follow-up on the South Wales project."""
    return with_register(
        paper,
        [
            RegisterRecord("reg-0001", "initiative", gwent_proposal(), PUBLISHED, "Gwent PCC office"),
            RegisterRecord(
                "reg-0002",
                "note",
                {
                    "about_id": "leicestershire-triage-car",
                    "note_kind": "erratum",
                    "text": ERRATUM,
                    "source": "Trust report 2017",
                    "figure_id": "fig-043",
                },
                PUBLISHED,
                "Leicestershire PCC office",
            ),
            RegisterRecord(
                "reg-0003",
                "note",
                {
                    "about_id": PAPER_RECORD,
                    "note_kind": "follow-up",
                    "text": FOLLOW_UP,
                    "source": "https://example.org/ace-wales",
                },
                PUBLISHED,
                "Gwent PCC office",
            ),
        ],
    )


@pytest.fixture(scope="module")
def join(dataset):
    return join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)


def text_of(component, titles: bool = False) -> str:
    """The text a reader sees in a component tree (with `titles`, its tooltips too), one piece a line."""
    if component is None or isinstance(component, bool):
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return "\n".join(text_of(c, titles) for c in component)
    parts = [text_of(getattr(component, "children", None), titles)]
    if titles and getattr(component, "title", None):
        parts.append(component.title)
    return "\n".join(p for p in parts if p)


def classes_of(component, class_name: str) -> list:
    """Every component in the tree whose className includes `class_name`."""
    found = []
    if isinstance(component, (list, tuple)):
        for c in component:
            found += classes_of(c, class_name)
        return found
    if component is None or isinstance(component, (str, int, float, bool)):
        return found
    if class_name in (getattr(component, "className", None) or "").split():
        found.append(component)
    return found + classes_of(getattr(component, "children", None), class_name)


def read_zip(data: bytes, folder: Path) -> dict[str, pd.DataFrame]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
        names = archive.namelist()
    return {name: pd.read_csv(folder / name, keep_default_na=False) for name in names if name.endswith(".csv")}


def says_register_never_paper(text: str) -> None:
    assert REGISTER_LINE in text
    assert "PHE 2016" not in text and "no reference mark" not in text and "Part of the paper's" not in text


def test_prov001_the_line_is_decided_once(dataset):
    assert provenance_line(dataset, "reg-0001") == REGISTER_LINE
    assert provenance_line(dataset, PAPER_RECORD) == PAPER_LINE
    register_figure = next(o for o in dataset.outcomes if o.initiative_id == "reg-0001")
    assert figure_line(dataset, register_figure) == (
        f"Register, reviewed 2026-11-27 by Gwent PCC office; source: {FIGURE_SOURCE}"
    )
    fig_061 = next(o for o in dataset.outcomes if o.id == "fig-061")
    assert figure_line(dataset, fig_061) == PAPER_LINE  # the figure's own marks
    fig_054 = next(o for o in dataset.outcomes if o.id == "fig-054")
    assert figure_line(dataset, fig_054).endswith(", no reference mark")


def test_prov002_a_register_record_walks_through_every_view_as_the_registers(paper, dataset, join, tmp_path):
    state = ViewState(force=GWENT, show_wales=True)
    profile = profile_content(dataset, join, state, "/", chart_citation(dataset))
    summary, card = profile.body[0].children
    # The collapsed title carries its source in words (not colour alone).
    assert summary.children[0] == "Street triage in Newport"
    assert [b.children for b in classes_of(summary, "badge")] == ["Register"]
    # The card: one line, the register's; never the paper's grouping or reference marks.
    says_register_never_paper(text_of(card))
    # Each figure's citation: in the table, and in the chart row's details.
    says_register_never_paper(text_of(profile.tables).replace(FIGURE_SOURCE, "https://example.org/gwent-triage"))
    assert f"Register, reviewed 2026-11-27 by Gwent PCC office; source: {FIGURE_SOURCE}" in text_of(profile.tables)
    [row] = (
        outcome_charts(
            outcomes_of(dataset, [dataset.initiatives_by_id["reg-0001"]]),
            dict(dataset.initiatives_by_id),
            figure_marks(dataset, dataset.outcomes),
        )
        .pop()
        .rows
    )
    assert f"source: {FIGURE_SOURCE}" in "\n".join(row.details) and "No reference mark" not in row.details
    saved = build_outcome_charts(
        outcomes_of(dataset, [dataset.initiatives_by_id["reg-0001"]]),
        dict(dataset.initiatives_by_id),
        figure_marks(dataset, dataset.outcomes),
    )
    assert FIGURE_SOURCE in str(saved) and "no reference mark" not in str(saved).lower()
    # The map's tooltip names no record: its count says which source it comes from.
    matching = filter_initiatives(dataset, state)
    labels = map_colours(force_counts(dataset, join, matching, True)).labels
    assert labels[GWENT][1] == "1 initiative, from the register"
    # The comparison.
    compared = text_of(comparison_table(compare_forces(dataset, join, matching, [GWENT, SOUTH_WALES]), dataset))
    assert f"Street triage in Newport ({REGISTER_LINE})" in compared
    # The coverage matrix, on screen and downloaded.
    rows = coverage_matrix(dataset, join, matching, True)
    gwent = next(r for r in rows if r.row_id == GWENT)
    assert (
        gwent.added == 1 and text_of(matrix_table(rows, dataset, state, "/")).count("Added through the register") == 1
    )
    matrix = read_zip(matrix_zip(rows, dataset, "CITE"), tmp_path / "matrix")["coverage-matrix.csv"]
    assert matrix.set_index("force").loc["Gwent Police", "register_initiatives"] == 1
    # The national list (Welsh work, with Wales hidden from the map).
    hidden = ViewState(show_wales=False)
    listed = text_of(off_map_list(off_map_initiatives(join, filter_initiatives(dataset, hidden)), dataset))
    line = next(li for li in listed.split("\n") if "Mental health nurses ride with officers" in li)
    says_register_never_paper(line)
    # The embedded widget shows the same profile, under a source line that names the register.
    assert "register" in embed_source(dataset) and "register" not in embed_source(paper)
    # The downloads and their README.
    record = dataset.initiatives_by_id["reg-0001"]
    files = read_zip(view_zip(dataset, [record], outcomes_of(dataset, [record]), "CITE"), tmp_path / "view")
    row = files["initiatives.csv"].set_index("id").loc["reg-0001"]
    assert row["record_source"] == REGISTER_LINE and row["section"] == "" and row["references"] == ""
    figure = files["figures.csv"].iloc[0]
    assert figure["record_source"] == f"Register, reviewed 2026-11-27 by Gwent PCC office; source: {FIGURE_SOURCE}"
    assert figure["section"] == ""
    readme = (tmp_path / "view" / "README.txt").read_text(encoding="utf-8-sig")
    assert "Register, reviewed <date> by <organisation>; source:" in readme and "notes.csv" in readme


def test_prov003_a_paper_record_walks_through_every_view_as_the_papers(dataset, join, tmp_path):
    state = ViewState(force=SOUTH_WALES, show_wales=True)
    profile = profile_content(dataset, join, state, "/", chart_citation(dataset))
    summary, card = profile.body[0].children
    assert [b.children for b in classes_of(summary, "badge")] == ["PHE 2016 paper", "Follow-up"]
    card_text = text_of(card)
    assert f"Record source: {PAPER_LINE}" in card_text
    assert "Part of the paper's section: Adverse childhood experiences" in card_text
    # The follow-up is the register's, said as such, and never changes the paper's line.
    assert (
        FOLLOW_UP in card_text
        and "Register, reviewed 2026-11-27 by Gwent PCC office; source: https://example.org/ace-wales" in card_text
    )
    assert card_text.count("Register, reviewed") == 1 and card_text.count("PHE 2016 paper") == 1
    table = text_of(profile.tables)
    assert PAPER_LINE in table and "Register" not in table
    matching = filter_initiatives(dataset, state)
    labels = map_colours(force_counts(dataset, join, matching, True)).labels
    assert labels[SOUTH_WALES][1] == "1 initiative"
    compared = text_of(comparison_table(compare_forces(dataset, join, matching, [GWENT, SOUTH_WALES]), dataset))
    assert f"({PAPER_LINE}) [Follow-up: {FOLLOW_UP}]" in compared
    rows = coverage_matrix(dataset, join, matching, True)
    assert next(r for r in rows if r.row_id == SOUTH_WALES).added == 0
    hidden = ViewState(show_wales=False)
    off_map_rows = coverage_matrix(dataset, join, filter_initiatives(dataset, hidden), False)
    assert next(r for r in off_map_rows if r.row_id == OFF_MAP_ROW_ID).added == 1  # Gwent's, off the English map
    listed = text_of(off_map_list(off_map_initiatives(join, filter_initiatives(dataset, hidden)), dataset))
    line = next(li for li in listed.split("\n") if "[Follow-up:" in li)
    assert f"Record source: {PAPER_LINE}." in line and "Register" not in line.replace(FOLLOW_UP, "")
    record = dataset.initiatives_by_id[PAPER_RECORD]
    files = read_zip(view_zip(dataset, [record], outcomes_of(dataset, [record]), "CITE"), tmp_path)
    row = files["initiatives.csv"].set_index("id").loc[PAPER_RECORD]
    assert row["record_source"] == PAPER_LINE and row["notes"] == f"Follow-up: {FOLLOW_UP}"
    assert set(files["figures.csv"]["record_source"].str.slice(0, 15)) == {"PHE 2016 paper,"}
    notes = files["notes.csv"]
    assert notes.to_dict("records") == [
        {
            "about_id": PAPER_RECORD,
            "figure_id": "",
            "kind": "follow-up",
            "text": FOLLOW_UP,
            "source": "https://example.org/ace-wales",
            "provenance": "Register, reviewed 2026-11-27 by Gwent PCC office; source: https://example.org/ace-wales",
        }
    ]


def test_prov004_an_erratum_on_a_figure_flags_the_title_the_chart_row_the_table_and_the_downloads(
    dataset, join, tmp_path
):
    state = ViewState(force=LEICESTERSHIRE)
    profile = profile_content(dataset, join, state, "/", chart_citation(dataset))
    details = next(d for d in profile.body if d.children[0].children[0] == "Leicestershire mental health triage car")
    summary, card = details.children
    assert "Erratum" in [b.children for b in classes_of(summary, "badge-note")]
    assert ERRATUM in text_of(card) and 'on the figure "' in text_of(card)  # the text, one click away
    # The chart row of fig-043 says "Erratum" in its label, and the note in its details.
    rows = [
        row
        for chart in outcome_charts(
            outcomes_of(dataset, [dataset.initiatives_by_id["leicestershire-triage-car"]]),
            dict(dataset.initiatives_by_id),
            figure_marks(dataset, dataset.outcomes),
        )
        for row in chart.rows
    ]
    flagged = [row for row in rows if row.label.endswith("— Erratum")]
    assert len(flagged) == 1 and f"Erratum: {ERRATUM}" in flagged[0].details
    assert "Erratum" in text_of(profile.charts, titles=True) and ERRATUM in text_of(profile.charts, titles=True)
    # The figures table: the marker and the text under the figure's name, nowhere else.
    fig_043 = next(o for o in dataset.outcomes if o.id == "fig-043")
    table = outcome_table(outcomes_of(dataset, [dataset.initiatives_by_id["leicestershire-triage-car"]]), dataset)
    notes_shown = classes_of(table, "figure-note")
    assert [n.children for n in notes_shown] == [f"Erratum: {ERRATUM}"]
    flagged_rows = [
        tr for tr in classes_of(table, "outcome-table")[0].children[1].children if classes_of(tr, "figure-note")
    ]
    assert [tr.children[0].children[0] for tr in flagged_rows] == [fig_043.measure]
    # The downloads: figures.csv flags the figure, notes.csv holds the note with its provenance.
    record = dataset.initiatives_by_id["leicestershire-triage-car"]
    files = read_zip(view_zip(dataset, [record], outcomes_of(dataset, [record]), "CITE"), tmp_path)
    figures = files["figures.csv"].set_index("id")
    assert figures.loc["fig-043", "notes"] == f"Erratum: {ERRATUM}" and figures.loc["fig-042", "notes"] == ""
    [note] = files["notes.csv"].to_dict("records")
    assert (note["about_id"], note["figure_id"], note["kind"]) == ("leicestershire-triage-car", "fig-043", "erratum")
    assert note["provenance"] == "Register, reviewed 2026-11-27 by Leicestershire PCC office; source: Trust report 2017"
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8-sig")
    assert "notes.csv\n---------" in readme and "figure_id:" in readme


def test_prov005_a_note_names_only_a_figure_of_the_initiative_it_is_about(paper):
    reference = Reference.of(paper)
    note = {"about_id": "leicestershire-triage-car", "note_kind": "erratum", "text": ERRATUM, "source": "Report"}
    assert validate_note({**note, "figure_id": "fig-043"}, reference)["figure_id"] == "fig-043"
    assert validate_note(note, reference)["figure_id"] == ""  # a note on the whole initiative
    for wrong in ("fig-061", "fig-999"):  # another initiative's figure; no figure at all
        with pytest.raises(SubmissionInvalid) as caught:
            validate_note({**note, "figure_id": wrong}, reference)
        assert list(caught.value.by_field()) == ["figure_id"]


def test_prov006_the_paper_alone_shows_no_source_badges(paper):
    join = join_initiatives(paper.initiatives, paper.forces_by_id, paper.boundaries.force_ids)
    profile = profile_content(paper, join, ViewState(force=LEICESTERSHIRE), "/", chart_citation(paper))
    assert all(isinstance(d.children[0].children, str) for d in profile.body)  # the title alone, as before
    assert "Record source: PHE 2016 paper, section " in text_of(profile.body)
