"""What a user downloads, read back the way the user would: unzipped, then pandas.read_csv with no options."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from domain.aggregation import background_of, initiatives_in_view, outcomes_of
from domain.exports import FIGURE_COLUMNS, INITIATIVE_COLUMNS, csv_bytes, view_zip
from domain.joining import join_initiatives
from domain.loading import load_dataset
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


def unzip(data: bytes, folder: Path) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
        return sorted(archive.namelist())


def test_exp001_view_download_reads_back_with_pandas_typed_and_named(dataset, tmp_path):
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    in_view = initiatives_in_view(join, dataset.initiatives, "E23000021")
    figures = outcomes_of(dataset, in_view) + background_of(dataset, in_view)
    names = unzip(view_zip(dataset, in_view, figures, "CITATION LINE"), tmp_path)
    assert names == ["README.txt", "figures.csv", "initiatives.csv", "notes.csv"]

    initiatives = pd.read_csv(tmp_path / "initiatives.csv")
    assert list(initiatives.columns) == list(INITIATIVE_COLUMNS)  # the header is line 1, BOM or not
    row = initiatives.iloc[0]
    assert (row["id"], row["force_ids"], row["force_names"]) == (
        "leicestershire-triage-car",
        "E23000021",
        "Leicestershire Police",
    )
    assert row["place"] == "Leicestershire" and "crisis mental health nurse" in row["summary"]
    assert "Leicestershire Partnership Trust" in row["lead_organisations"]
    assert row["case_study_title"] == "Leicestershire, Mental Health Triage"
    assert row["record_source"].startswith("PHE 2016 paper, section ")

    table = pd.read_csv(tmp_path / "figures.csv")
    assert list(table.columns) == list(FIGURE_COLUMNS)
    assert str(table["value"].dtype) == "int64"  # every value in this view is whole: numbers, not text
    by_id = table.set_index("id")
    assert by_id.loc["fig-043", "value"] == 81 and by_id.loc["fig-043", "kind"] == "result"
    # A result travels with how it was obtained and what not to read into it.
    assert (
        by_id.loc["fig-043", "design"] == "2016 figures as the paper gives them, source not stated; no comparison group"
    )
    assert by_id.loc["fig-043", "caveat"].startswith("no baseline given")
    assert (row["kind_of_work"], row["stage"]) == ("service", "running")
    assert by_id.loc["fig-057", "unit"] == "hours" and by_id.loc["fig-057", "force_names"] == "Leicestershire Police"
    assert len(table) == 6
    # The paper alone has no notes: notes.csv is its header, read back as an empty table of its columns.
    assert list(pd.read_csv(tmp_path / "notes.csv").columns) == [
        "about_id",
        "figure_id",
        "kind",
        "text",
        "source",
        "provenance",
    ]

    readme = (tmp_path / "README.txt").read_text(encoding="utf-8-sig")
    assert "CITATION LINE" in readme and "kind: result" in readme
    assert "design: how the figure was obtained" in readme and "caveat: what not to read into the figure" in readme
    assert "stage: how far along it was" in readme and "status" not in INITIATIVE_COLUMNS


def test_exp004_every_result_in_the_full_download_has_its_design(dataset, tmp_path):
    unzip(view_zip(dataset, dataset.initiatives, dataset.outcomes, "C"), tmp_path)
    figures = pd.read_csv(tmp_path / "figures.csv")
    results = figures[figures["kind"] == "result"]
    assert len(results) == 4 and results["design"].notna().all()
    assert "not like with like" in results.set_index("id").loc["fig-022", "caveat"]
    # The saving worked out from Jobs, Friends & Houses' fall travels as what it is, with what it derives from.
    saving = figures.set_index("id").loc["fig-033"]
    assert saving["kind"] == "derived from a result" and "fig-032" in saving["caveat"]


def test_exp002_files_carry_a_byte_order_mark_for_excel(dataset, tmp_path):
    unzip(view_zip(dataset, dataset.initiatives, dataset.outcomes, "C"), tmp_path)
    for name in ("initiatives.csv", "figures.csv"):
        raw = (tmp_path / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert "—" in raw.decode("utf-8-sig")  # the section headings' dashes, which Excel garbled without the mark
    figures = pd.read_csv(tmp_path / "figures.csv")
    assert str(figures["value"].dtype) == "float64"  # 8.2% and 27.1% make the column decimal
    assert figures["value"].max() == 80_000_000
    years = pd.read_csv(tmp_path / "initiatives.csv")["start_year"]
    assert years.dropna().between(2010, 2016).all()


def test_exp003_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    data = csv_bytes(
        ["name", "number"],
        [
            {"name": '=HYPERLINK("http://x")', "number": -3},
            {"name": "+44 line", "number": 2},
            {"name": "@SUM(A1)", "number": 1},
        ],
    )
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    table = pd.read_csv(path)
    assert list(table["name"]) == ['\'=HYPERLINK("http://x")', "'+44 line", "'@SUM(A1)"]
    assert list(table["number"]) == [-3, 2, 1]  # numbers are never altered


def test_exp_years_are_whole_numbers_read_as_the_readme_says(dataset, tmp_path):
    """Years are written as whole numbers, and the README's one line reads them back as Int64, not 2017.0."""
    from domain.exports import INITIATIVE_DTYPES

    names = unzip(view_zip(dataset, dataset.initiatives, (), "CITE"), tmp_path)
    assert "initiatives.csv" in names
    text = (tmp_path / "initiatives.csv").read_text(encoding="utf-8-sig")
    assert ".0," not in text.split("\n", 1)[1].replace(".0%", "")  # no year written as a decimal
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8-sig")
    assert (
        'pandas.read_csv("initiatives.csv", dtype={"start_year": "Int64", "end_year": "Int64", "references": "string"})'
        in readme
    )
    table = pd.read_csv(tmp_path / "initiatives.csv", dtype=INITIATIVE_DTYPES)
    assert str(table["start_year"].dtype) == "Int64" and str(table["end_year"].dtype) == "Int64"
    years = table["start_year"].dropna().tolist()
    assert years and all(isinstance(y, int) and 1990 < y < 2030 for y in years)


def test_exp_reference_marks_read_back_as_written_the_way_the_readme_says(dataset, tmp_path):
    """Before: a download whose figures each carry one mark read 'ref 18' back as 18.0, and the README said
    nothing of it."""
    from domain.exports import REFERENCE_DTYPES

    single = [o for o in dataset.outcomes if len(o.references) == 1][:3]
    assert single, "the data has figures with one reference mark"
    owners = {o.initiative_id for o in single}
    initiatives = [i for i in dataset.initiatives if i.id in owners]
    unzip(view_zip(dataset, initiatives, single, "CITE"), tmp_path)
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8-sig")
    assert 'pandas.read_csv("figures.csv", dtype={"references": "string"})' in readme
    # Why the README says it: read without being told, single marks come back as numbers, not as written.
    assert pd.read_csv(tmp_path / "figures.csv")["references"].dtype.kind in "if"
    marks = set(pd.read_csv(tmp_path / "figures.csv", dtype=REFERENCE_DTYPES)["references"].dropna())
    assert marks == {o.references[0] for o in single}


def test_exp_initiatives_reference_marks_read_back_as_written_the_way_the_readme_says(dataset, tmp_path):
    """initiatives.csv has reference marks too: a view whose initiatives each carry one mark read them as 18.0,
    and the README's line named only figures.csv."""
    from domain.exports import INITIATIVE_DTYPES

    single = [i for i in dataset.initiatives if len(i.references) == 1][:3]
    assert single, "the data has initiatives with one reference mark"
    unzip(view_zip(dataset, single, (), "CITE"), tmp_path)
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8-sig")
    assert '"references": "string"})' in readme.split('pandas.read_csv("initiatives.csv"', 1)[1].split("\n", 1)[0]
    assert pd.read_csv(tmp_path / "initiatives.csv")["references"].dtype.kind in "if"
    table = pd.read_csv(tmp_path / "initiatives.csv", dtype=INITIATIVE_DTYPES)
    assert set(table["references"]) == {i.references[0] for i in single}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "every figure"),
        ("?view=background", "every background figure and more"),
        ("?force=E23000021", "the force's own"),
    ],
)
def test_exp_the_download_holds_the_figures_the_view_shows(dataset, tmp_path, query, expected):
    """Before: the paper's own background figures (39 forces, the police workforce, 40 PCCs), tied to no initiative
    or case study, were in no download, not even the Background figures tab's, while About counted them."""
    import base64
    from datetime import date

    from components.cite_view import view_download
    from domain.source import StaticSource, snapshot_of
    from domain.state import state_from_query

    source = StaticSource(snapshot_of(dataset))
    sent = view_download(source, "/", lambda: date(2026, 12, 6), 1, {"query": query}, "http://x/")
    unzip(base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"], tmp_path)
    shown = set(pd.read_csv(tmp_path / "figures.csv", dtype={"references": "string"})["id"])
    background = {o.id for o in dataset.outcomes if o.is_background}
    paper_level = {o.id for o in dataset.outcomes if o.initiative_id is None and o.is_background}
    assert paper_level, "the data has background figures tied to no initiative"
    if expected == "every figure":
        assert shown == {o.id for o in dataset.outcomes}
    elif expected == "every background figure and more":
        assert background <= shown
    else:
        state = state_from_query(query, dataset)
        join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
        in_view = initiatives_in_view(join, dataset.initiatives, state.force)
        assert shown == {o.id for o in (*outcomes_of(dataset, in_view), *background_of(dataset, in_view))}
        assert not paper_level & shown


def test_exp009_the_readme_counts_the_figures_as_the_screen_does_and_names_the_background_it_adds(dataset, tmp_path):
    # Trial 8: Gloucestershire's profile counts 2 figures, its download's figures.csv had 6 with nothing saying why.
    # The 4 more are the background its case study cites, which the profile points to and the download carries.
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    in_view = initiatives_in_view(join, dataset.initiatives, "E23000037")
    own, background = outcomes_of(dataset, in_view), background_of(dataset, in_view)
    assert own and background  # the case the check is about: a profile whose download adds background
    unzip(view_zip(dataset, in_view, own + background, "CITE"), tmp_path)
    table = pd.read_csv(tmp_path / "figures.csv")
    readme = " ".join((tmp_path / "README.txt").read_text(encoding="utf-8-sig").split())
    about_initiatives = table[table["initiative_id"].notna()]
    cited_beside = table[table["initiative_id"].isna()]
    assert set(cited_beside["kind"]) == {"background"} and cited_beside["force_ids"].isna().all()
    figures = "figure" if len(about_initiatives) == 1 else "figures"
    assert f"figures.csv holds {len(about_initiatives)} {figures} about the initiatives in this view" in readme
    assert f"and {len(cited_beside)} background figures (kind 'background'" in readme
    assert "not results of this work" in readme
    # A view with no background says only what it holds.
    unzip(view_zip(dataset, in_view, own, "CITE"), tmp_path / "own")
    plain = " ".join((tmp_path / "own" / "README.txt").read_text(encoding="utf-8-sig").split())
    assert (
        "about the initiatives in this view." in plain
        and "background figure" not in plain.split("figures.csv holds")[1]
    )


def test_exp010_the_readmes_every_column_line_reads_an_all_blank_column_as_text(dataset, tmp_path):
    # Trial 8 (low): with the README's dtype, a column blank in every row of the view still came back as float64.
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    in_view = initiatives_in_view(join, dataset.initiatives, "E23000037")
    unzip(view_zip(dataset, in_view, outcomes_of(dataset, in_view), "CITE"), tmp_path)
    plain = pd.read_csv(tmp_path / "figures.csv")
    blank = [c for c in plain.columns if plain[c].isna().all()]
    assert blank and all(plain[c].dtype == "float64" for c in blank)  # the case: all-blank columns, read as decimals
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8-sig").splitlines()
    numbers = {"initiatives.csv": {"start_year", "end_year"}, "figures.csv": {"value"}, "notes.csv": set()}
    tables = {}
    for name, number_columns in numbers.items():
        line = next(x for x in readme if x.startswith(f'pandas.read_csv("{name}", dtype="string")'))
        # Run as a reader would paste it, in the folder they unzipped to.
        tables[name] = table = eval(line.replace(f'"{name}"', repr(str(tmp_path / name))), {"pandas": pd})
        for column in table.columns:
            kind = str(table[column].dtype)
            assert kind in (("Int64", "Float64") if column in number_columns else ("string",)), (name, column, kind)
    assert tables["figures.csv"]["value"].tolist() == plain["value"].tolist()
    assert all(tables["figures.csv"][c].isna().all() for c in blank)


def test_exp011_the_files_in_a_zip_are_dated_by_the_datasets_release_and_the_same_view_zips_the_same(dataset):
    """Trial 13 (low): every file in a download was dated 28 October 2016, a day that means nothing to the reader."""
    made = view_zip(dataset, dataset.initiatives, dataset.outcomes, "C")
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        dates = {info.date_time[:3] for info in archive.infolist()}
    year, month, day = (int(part) for part in dataset.version_date.split("-"))
    assert dates == {(year, month, day)}
    assert view_zip(dataset, dataset.initiatives, dataset.outcomes, "C") == made  # byte-identical again


def test_exp012_the_compare_tabs_download_holds_every_compared_forces_work_and_is_named_so(dataset, tmp_path):
    """Trial 16 (medium): on the Compare tab, Leicestershire against Gloucestershire downloaded Leicestershire's one
    initiative alone, named after it, while its README cited the comparison."""
    from domain.aggregation import compared_in_view, filter_initiatives, initiatives_to_download
    from domain.exports import view_zip_name
    from domain.state import state_from_query
    from tests import dataset_facts as facts

    join = facts.snapshot().join
    query = f"?force={facts.LEICESTERSHIRE}&compare={facts.LEICESTERSHIRE},{facts.GLOUCESTERSHIRE}&view=compare"
    state = state_from_query(query, dataset)
    shown = initiatives_to_download(join, filter_initiatives(dataset, state), state)
    expected = {i.id for i in dataset.initiatives if {facts.LEICESTERSHIRE, facts.GLOUCESTERSHIRE} & set(i.force_ids)}
    assert {i.id for i in shown} == expected and len(shown) == facts.in_force(facts.LEICESTERSHIRE) + facts.in_force(
        facts.GLOUCESTERSHIRE
    )
    name = view_zip_name(dataset, state.force, compared=compared_in_view(state))
    assert name == "police-public-health-compared-leicestershire-police-gloucestershire-constabulary.zip"
    unzip(view_zip(dataset, shown, outcomes_of(dataset, shown), "C"), tmp_path)
    assert set(pd.read_csv(tmp_path / "initiatives.csv")["id"]) == expected
    # On any other tab the comparison is not what is shown: the selected force's work, as before.
    elsewhere = state_from_query(query.replace("view=compare", "view=overview"), dataset)
    assert [i.id for i in initiatives_to_download(join, filter_initiatives(dataset, elsewhere), elsewhere)] == [
        i.id for i in dataset.initiatives if facts.LEICESTERSHIRE in i.force_ids
    ]
