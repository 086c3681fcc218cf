"""Domain layer: the files a user downloads, built as bytes.

Each download is a zip of plain CSV tables with a README beside them. A CSV holds only data: its
header on line 1, one type per column (numbers as numbers, 0 rather than words), and a UTF-8
byte-order mark so that Excel reads its accents and pound signs. The citation and the column
definitions travel in the README, where they cannot break a parser. Text that a spreadsheet would
run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from datetime import date
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.compare import MatrixRow, TOTAL_LABEL
from domain.loading import Dataset
from domain.provenance import CountedSources, figure_line, is_register, note_line, provenance_line
from domain.schema import Initiative, Note, Outcome

LIST_JOIN = "; "
# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The files' date in a zip is the dataset's release date, not the time of the download: the same view of the same
# data gives byte-identical zips. This one (the paper's month) only where the dataset's date is not a date.
ZIP_DATE = (2016, 10, 28, 0, 0, 0)


def zip_date(version_date: str) -> tuple[int, int, int, int, int, int]:
    """The dataset's release date ('2026-12-06') as a zip entry's date and time."""
    try:
        day = date.fromisoformat(version_date)
    except ValueError:
        return ZIP_DATE
    return (day.year, day.month, day.day, 0, 0, 0)


INITIATIVE_COLUMNS: dict[str, str] = {
    "id": "stable identifier of the initiative",
    "title": "short name",
    "case_study": "identifier of the paper's case study or national section it belongs to ('register' for a record "
    "added through this dashboard's register)",
    "case_study_title": "that case study or section, as the paper heads it ('Added through the register')",
    "scope": "force, multi-force, regional, national or non-territorial",
    "force_ids": "ONS codes of the police force areas the paper places it in (; between several)",
    "force_names": "the same forces by name",
    "place": "where it happens, as the paper says",
    "lead_organisations": "who leads it",
    "partners": "who else takes part, as the paper names them",
    "themes": "its themes",
    "kind_of_work": "what the work is: programme, service, project, pilot, campaign, training, event, operation, "
    "product (a report, toolkit, guidance or film) or partnership; 'not stated' for a register record "
    "sent before dataset 3.0.0",
    "stage": "how far along it was when the paper was written: proposed, planned, in development, running or completed",
    "evaluation": "what the paper reports of an evaluation, never more",
    "start_year": "year it began, where the paper gives it (blank otherwise); a whole number such as 2017",
    "end_year": "year it ended, where the paper gives it (blank otherwise); a whole number such as 2017",
    "summary": "what it is, in this project's words",
    "section": "the paper's section heading (blank for a register record: its source is in record_source)",
    "references": "the paper's reference marks placed on it (blank for a register record)",
    "record_source": "where the record comes from, as every view says it: 'PHE 2016 paper, section <section>, ref "
    "<marks>', or 'Register, reviewed <date> by <organisation>; source: <the contributor's source>' "
    "for a record added through this dashboard's register",
    "notes": "errata and follow-ups published on it or one of its figures, as 'Erratum: <text>' (; between several; "
    "each in notes.csv)",
}
FIGURE_COLUMNS: dict[str, str] = {
    "id": "stable identifier of the figure",
    "kind": "result, derived from a result (the same finding worked out in other terms, e.g. a saving from a "
    "fall: not a second result), activity or parameter, funding, target or coverage, or background (cited "
    "research, wider statistics: not a result of any initiative)",
    "measure": "what was measured",
    "value": "the number as the paper states it",
    "unit": "percent, percentage points, count, GBP, hours, days, weeks, months or years",
    "qualifier": "just under, more than, nearly or around, when the paper says so",
    "direction": "reduction or increase when the value is the size of a change; level otherwise",
    "period": "when, as the paper says",
    "comparator": "the baseline or comparison the paper gives",
    "design": "how the figure was obtained, as far as the paper says (every result has one), e.g. 'before and after, "
    "no comparison group' or 'the service's own figures'",
    "caveat": "what not to read into the figure: where the paper sets unlike things side by side, or derives one "
    "figure from another (blank when there is nothing to add)",
    "initiative_id": "the initiative the figure describes (blank for background)",
    "initiative_title": "that initiative's title",
    "case_study": "identifier of the case study or section the paper gives it in",
    "case_study_title": "that case study or section",
    "force_ids": "the forces of its initiative (; between several)",
    "force_names": "the same forces by name",
    "section": "the paper's section heading (blank for a register figure: its source is in record_source)",
    "references": "the paper's reference marks placed on it (blank for a register figure)",
    "record_source": "where the figure comes from: 'PHE 2016 paper, section <section>, ref <marks>', or 'Register, "
    "reviewed <date> by <organisation>; source: <the source given for this figure>'",
    "notes": "errata and follow-ups published on this figure, as 'Erratum: <text>' (; between several)",
}
NOTE_COLUMNS: dict[str, str] = {
    "about_id": "the initiative the note is about (its id in initiatives.csv)",
    "figure_id": "the figure of that initiative the note is about (its id in figures.csv), blank for the whole "
    "initiative",
    "kind": "erratum (something the paper or the record got wrong) or follow-up (what happened next)",
    "text": "the note, as published",
    "source": "the evidence its contributor gave: a link or a citation",
    "provenance": "Register, reviewed <date> by <organisation>; source: <source>. A note never changes the record "
    "it is about: the paper's text and figures stay as the paper gives them",
}


def _cell(value: Any) -> Any:
    """A value as written to the CSV: numbers stay numbers, text that would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _forces(dataset: Dataset, force_ids: Sequence[str]) -> tuple[str, str]:
    return LIST_JOIN.join(force_ids), LIST_JOIN.join(dataset.forces_by_id[f].name for f in force_ids)


def _flags(notes: Iterable[Note]) -> str:
    return LIST_JOIN.join(f"{n.marker}: {n.text}" for n in notes)


def initiative_rows(dataset: Dataset, initiatives: Iterable[Initiative]) -> list[dict[str, Any]]:
    rows = []
    for i in initiatives:
        force_ids, force_names = _forces(dataset, i.force_ids)
        paper = not is_register(dataset, i.id)
        rows.append(
            {
                "id": i.id,
                "title": i.title,
                "case_study": i.case_study,
                "case_study_title": dataset.case_studies_by_id[i.case_study].title,
                "scope": i.scope,
                "force_ids": force_ids,
                "force_names": force_names,
                "place": i.place,
                "lead_organisations": LIST_JOIN.join(i.lead_organisations),
                "partners": LIST_JOIN.join(i.partners),
                "themes": LIST_JOIN.join(dataset.themes_by_id[t].label for t in i.themes),
                "kind_of_work": i.kind_of_work,
                "stage": i.stage,
                "evaluation": i.evaluation,
                "start_year": i.start_year,
                "end_year": i.end_year,
                "summary": i.summary,
                "section": i.section if paper else "",
                "references": LIST_JOIN.join(i.references),
                "record_source": provenance_line(dataset, i.id),
                "notes": _flags(dataset.notes_on(i.id)),
            }
        )
    return rows


def figure_rows(dataset: Dataset, outcomes: Iterable[Outcome]) -> list[dict[str, Any]]:
    rows = []
    for o in outcomes:
        initiative = dataset.initiatives_by_id.get(o.initiative_id or "")
        force_ids, force_names = _forces(dataset, initiative.force_ids if initiative else ())
        paper = not is_register(dataset, o.initiative_id or "")
        rows.append(
            {
                "id": o.id,
                "kind": o.kind,
                "measure": o.measure,
                "value": _number(o.value),
                "unit": o.unit,
                "qualifier": o.qualifier,
                "direction": o.direction,
                "period": o.period,
                "comparator": o.comparator,
                "design": o.design,
                "caveat": o.caveat,
                "initiative_id": o.initiative_id or "",
                "initiative_title": initiative.title if initiative else "",
                "case_study": o.case_study,
                "case_study_title": dataset.case_studies_by_id[o.case_study].title,
                "force_ids": force_ids,
                "force_names": force_names,
                "section": o.section if paper else "",
                "references": LIST_JOIN.join(o.references),
                "record_source": figure_line(dataset, o),
                "notes": _flags(n for n in dataset.notes if n.figure_id == o.id),
            }
        )
    return rows


def note_rows(notes: Iterable[Note]) -> list[dict[str, Any]]:
    return [
        {
            "about_id": n.about_id,
            "figure_id": n.figure_id,
            "kind": n.kind,
            "text": n.text,
            "source": n.source,
            "provenance": note_line(n),
        }
        for n in notes
    ]


# Years are written as whole numbers, but most initiatives have none: a column with blanks is read by pandas
# (and R's read.csv) as decimals, 2017.0, unless told. The README gives the one line that keeps them whole.
YEAR_DTYPES = {"start_year": "Int64", "end_year": "Int64"}
# Reference marks are text ("23; 24"), but a download whose rows each carry one mark would be read as decimals
# (18.0): the README gives the line that keeps them as written, for both files that have them.
REFERENCE_DTYPES = {"references": "string"}
INITIATIVE_DTYPES = {**YEAR_DTYPES, **REFERENCE_DTYPES}
YEARS_READ_AS_WHOLE = (
    "Years (start_year, end_year) are whole numbers, blank where the paper gives none. "
    "pandas reads a column with blanks as decimals (2017.0) unless told. "
    "Reference marks (references) are text, one mark or several separated by '; ', and a column of single "
    "marks is read as decimals (18.0) unless told. To keep both as written: "
    'pandas.read_csv("initiatives.csv", dtype={"start_year": "Int64", "end_year": "Int64", "references": "string"}).'
)
REFERENCES_READ_AS_TEXT = (
    "In figures.csv, keep the reference marks as written the same way: "
    'pandas.read_csv("figures.csv", dtype={"references": "string"}).'
)

# A column that is blank in every row of a view (no qualifier, no caveat) is read by pandas as decimals too, all
# missing. Read as text first, then the numbers as numbers, every column comes back as written.
NUMBER_COLUMNS = {
    "initiatives.csv": {"start_year": "Int64", "end_year": "Int64"},
    "figures.csv": {"value": "Float64"},
    "notes.csv": {},
}
EVERY_COLUMN_AS_WRITTEN = (
    "A column left blank in every row (a view with no caveats, say) is read as empty decimals unless told. "
    "To read every column as written, text as text and numbers as numbers, blanks as missing:",
    *(
        f'pandas.read_csv("{name}", dtype="string")' + (f".astype({json.dumps(numbers)})" if numbers else "")
        for name, numbers in NUMBER_COLUMNS.items()
    ),
)


def _readme(
    title: str, citation: str, tables: Mapping[str, Mapping[str, str]], note: str = "", reading: Sequence[str] = ()
) -> bytes:
    lines = [title, "", "Cite as:", citation, ""]
    if note:
        lines += [note, ""]
    for name, columns in tables.items():
        lines += [f"{name}", "-" * len(name)]
        lines += [f"{column}: {meaning}" for column, meaning in columns.items()]
        lines.append("")
    lines += [
        "The CSV files are UTF-8 with a byte-order mark; lists inside a cell are separated by '; '.",
        "Text cells that would start a spreadsheet formula begin with an apostrophe.",
        *reading,
        "",
    ]
    return "\r\n".join(lines).encode("utf-8-sig")


def _zip(files: Mapping[str, bytes], dataset: Dataset) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=zip_date(dataset.version_date))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def view_zip(dataset: Dataset, initiatives: Sequence[Initiative], outcomes: Sequence[Outcome], citation: str) -> bytes:
    """The view's initiatives, their figures (background included, marked by its kind) and the published
    notes on those initiatives."""
    shown = {i.id for i in initiatives}
    notes = [n for n in dataset.notes if n.about_id in shown]
    background = sum(1 for o in outcomes if o.initiative_id is None)
    return _zip(
        {
            "initiatives.csv": csv_bytes(list(INITIATIVE_COLUMNS), initiative_rows(dataset, initiatives)),
            "figures.csv": csv_bytes(list(FIGURE_COLUMNS), figure_rows(dataset, outcomes)),
            "notes.csv": csv_bytes(list(NOTE_COLUMNS), note_rows(notes)),
            "README.txt": _readme(
                "Police and public health collaboration: the view you downloaded",
                citation,
                {"initiatives.csv": INITIATIVE_COLUMNS, "figures.csv": FIGURE_COLUMNS, "notes.csv": NOTE_COLUMNS},
                note="Only figures of kind 'result' measure what an initiative achieved, and each says how "
                "it was obtained (design) and what not to read into it (caveat). Each record "
                "says where it comes from in record_source: the 2016 paper (its section and "
                "reference marks) or this dashboard's register (who reviewed it, when, and the "
                "contributor's source), never both. notes.csv holds the errata and follow-ups "
                "published through the register on the records above (header only when there "
                "are none). " + figures_count_line(len(outcomes) - background, background),
                reading=(YEARS_READ_AS_WHOLE, REFERENCES_READ_AS_TEXT, *EVERY_COLUMN_AS_WRITTEN),
            ),
        },
        dataset,
    )


def figures_count_line(own: int, background: int) -> str:
    """What figures.csv holds, counted the way the screen counts: a force's profile counts only its initiatives'
    figures and points to the background its case studies cite, which the download carries as well."""
    line = f"figures.csv holds {own} figure{'' if own == 1 else 's'} about the initiatives in this view"
    if not background:
        return line + "."
    return (
        f"{line}, as the screen counts them, and {background} background figure{'' if background == 1 else 's'} "
        "(kind 'background', blank initiative_id and force_ids): research or statistics from elsewhere that the "
        "paper cites beside these initiatives, listed on the Background figures tab. They are not results of "
        "this work, nor about any one force."
    )


def slug(text: str) -> str:
    """'Devon & Cornwall Police' -> 'devon-and-cornwall-police': a file name's part, ASCII, lower case."""
    plain = unicodedata.normalize("NFKD", text.replace("&", " and ")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "view"


def view_zip_name(
    dataset: Dataset,
    force_id: str | None,
    show_wales: bool = False,
    filtered: bool = False,
    compared: Sequence[str] = (),
) -> str:
    """The view's download is named after what it shows: the forces compared, the force by name, or England (and
    Wales), and "-filtered" when the filters leave some of it out, so a saved part is not taken for the whole."""
    names = [dataset.forces_by_id[f].name for f in compared if f in dataset.forces_by_id]
    if names:
        place = "compared " + " ".join(names)
    elif force_id and force_id in dataset.forces_by_id:
        place = dataset.forces_by_id[force_id].name
    else:
        place = "England and Wales" if show_wales else "England"
    return f"police-public-health-{slug(place)}{'-filtered' if filtered else ''}.zip"


REGISTER_COLUMN = "register_initiatives"
TOTAL_COLUMN = "total_initiatives"


def matrix_rows(
    rows: Sequence[MatrixRow], dataset: Dataset, totals: MatrixRow | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """Exactly the matrix as shown, in its order, with counts as numbers (0 where the paper has none), each
    row's total, and the totals row last."""
    columns = ["force", "force_code", "region", *[t.label for t in dataset.themes], TOTAL_COLUMN, REGISTER_COLUMN]
    table = [
        {
            "force": row.label,
            # The ONS code joins the row to other data by force area; the off-map and totals rows are no area.
            "force_code": row.row_id if row.row_id in dataset.forces_by_id else "",
            "region": row.region,
            **{t.label: row.counts.get(t.id, 0) for t in dataset.themes},
            TOTAL_COLUMN: row.total,
            REGISTER_COLUMN: row.added,
        }
        for row in (*rows, *([totals] if totals else []))
    ]
    return columns, table


def matrix_zip(
    rows: Sequence[MatrixRow],
    dataset: Dataset,
    citation: str,
    totals: MatrixRow | None = None,
    filtered: bool = False,
    source: str = "",
) -> bytes:
    """The matrix as a CSV with its README. A 0 is said as the screen says a dash: under a filter, none matches it
    (not none in the paper); and the sources counted are the view's (`source`, its source filter)."""
    columns, table = matrix_rows(rows, dataset, totals)
    described = CountedSources.of(len(dataset.provenance), source).words("or")
    zero = "none matches your filters" if filtered else f"none in {described}"
    note = (
        "A 0 means no initiative there matches your filters (named in the citation), not that "
        f"{described} describes none there."
        if filtered
        else f"A 0 means {described} describes no such work there, not that none happens."
    )
    definitions = {
        "force": f"police force area, or the row of work with no force area; the last row, '{TOTAL_LABEL}', "
        "is the totals: each matching initiative counted once, however many force areas it spans",
        "force_code": "the police force area's ONS code (E23000001 …), to join with other data by area; "
        "blank for the row of work with no force area and for the totals",
        "region": "ONS region",
        **{t.label: f"initiatives with the theme '{t.label}' (0: {zero})" for t in dataset.themes},
        TOTAL_COLUMN: "the row's matching initiatives, each counted once (an initiative with several themes "
        "counts under each theme, so this is not the sum of the theme columns)",
        REGISTER_COLUMN: "how many of the row's matching initiatives were added through this dashboard's "
        "register rather than taken from the 2016 paper (each theme column counts both)",
    }
    return _zip(
        {
            "coverage-matrix.csv": csv_bytes(columns, table),
            "README.txt": _readme(
                "Police and public health collaboration: themes by force",
                citation,
                {"coverage-matrix.csv": definitions},
                note=note,
            ),
        },
        dataset,
    )
