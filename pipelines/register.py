"""Command: move the register's published records to and from CSV files in the schema of data/*.csv.

    python -m pipelines.register export --out DIR     the published register, for a maintainer to fold
                                                      into the curated dataset
    python -m pipelines.register import DIR           load initiatives.csv and outcomes.csv from DIR as
                                                      published register records; every problem is
                                                      reported and nothing is stored from a file that fails;
                                                      a reg-NNNN id is imported as imp-NNNN, and said so;
                                                      files exported before dataset 3.0.0 (a status column,
                                                      no design or caveat) are read, and said so

Both read PPH_DATABASE_URL (default: the SQLite file in var/) unless --url is given.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from domain.exports import _cell as spreadsheet_safe
from domain.loading import Problem, RawRow, load_dataset, read_csv, validate_rows
from domain.register import (
    REGISTER_CASE_STUDY,
    Reference,
    SubmissionInvalid,
    csv_row,
    payload_of,
    register_records_of,
    validate_initiative,
    with_register,
)
from domain.register import RegisterRecord
from domain.schema import HEADERS, STATUS_AS_KIND_AND_STAGE, Initiative, Outcome
from settings import Settings
from storage import register_store
from storage.database import connect, migrate, shown_url
from storage.errors import Conflict, RegisterUnavailable

NOTE_HEADER = ("record_id", "about_id", "note_kind", "text", "source", "record_source")
# `reg-` ids are the register's own, given at publication; an imported one is renamed with this prefix
# instead (see docs/register.md, "Ids").
PUBLICATION_PREFIX = register_store.PUBLICATION_ID_PREFIX
IMPORTED_PREFIX = "imp-"
# The files as the register exported them before dataset 3.0.0: one status word where kind_of_work and stage
# are now, and no design or caveat for a figure. Literal, as those files were written.
HEADERS_BEFORE_3 = {
    "initiatives.csv": (
        "id",
        "title",
        "case_study",
        "scope",
        "force_ids",
        "place",
        "lead_organisations",
        "partners",
        "themes",
        "status",
        "evaluation",
        "start_year",
        "end_year",
        "summary",
        "section",
        "references",
    ),
    "outcomes.csv": (
        "id",
        "initiative_id",
        "case_study",
        "measure",
        "value",
        "unit",
        "qualifier",
        "direction",
        "period",
        "comparator",
        "kind",
        "section",
        "references",
    ),
}


def _csv_bytes(header: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    """The rows as CSV, every cell that a spreadsheet would run as a formula neutralised as the dashboard's
    downloads do it (a maintainer opens these in one)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: spreadsheet_safe(value) for name, value in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8")


def export(engine, settings: Settings, out: Path) -> str:
    paper = load_dataset(settings.data_dir)
    records = [
        RegisterRecord(r.record_id, r.kind, r.payload, r.published_at, r.organisation)
        for r in register_store.published_records(engine)
    ]
    dataset = with_register(paper, records)
    if dataset.register_problems:
        raise SystemExit("published records that no longer validate:\n  " + "\n  ".join(dataset.register_problems))
    initiatives, outcomes = register_records_of(dataset)
    out.mkdir(parents=True, exist_ok=True)
    (out / "initiatives.csv").write_bytes(_csv_bytes(HEADERS["initiatives.csv"], [csv_row(i) for i in initiatives]))
    (out / "outcomes.csv").write_bytes(_csv_bytes(HEADERS["outcomes.csv"], [csv_row(o) for o in outcomes]))
    (out / "case_studies.csv").write_bytes(_csv_bytes(HEADERS["case_studies.csv"], [csv_row(REGISTER_CASE_STUDY)]))
    (out / "notes.csv").write_bytes(
        _csv_bytes(
            NOTE_HEADER,
            [
                {
                    "record_id": n.record_id,
                    "about_id": n.about_id,
                    "note_kind": n.kind,
                    "text": n.text,
                    "source": n.source,
                    "record_source": n.provenance.label,
                }
                for n in dataset.notes
            ],
        )
    )
    return (
        f"wrote {len(initiatives)} initiative(s), {len(outcomes)} figure(s) and {len(dataset.notes)} note(s) to {out}"
    )


def imported_id(record_id: str) -> str:
    """The id a record is imported under: its own, unless it is one of the register's publication ids
    (reg-NNNN), which would take the id a pending submission is to be published under."""
    if record_id.startswith(PUBLICATION_PREFIX):
        return IMPORTED_PREFIX + record_id.removeprefix(PUBLICATION_PREFIX)
    return record_id


def _header_of(path: Path) -> tuple[str, ...]:
    """The first line's column names, as far as they can be read (read_csv reports what is wrong with them)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            return tuple(name.strip() for name in next(csv.reader(handle), []))
    except (OSError, csv.Error):
        return ()


def _read(folder: Path, name: str, label: str, problems: list[Problem], notes: list[str]) -> list[RawRow]:
    """The rows of one file, in today's columns or, said in `notes`, in the columns of before dataset 3.0.0.

    An initiative row of such a file keeps its status word, which the Initiative model reads as a kind of
    work and a stage (STATUS_AS_KIND_AND_STAGE); a figure row has no design and no caveat."""
    before = HEADERS_BEFORE_3[name]
    if _header_of(folder / name) != before:
        return read_csv(folder / name, label, problems)
    rows = read_csv(folder / name, label, problems, expected=before)
    if name == "initiatives.csv":
        words = sorted({row.values["status"].strip() for row in rows} & set(STATUS_AS_KIND_AND_STAGE))
        mapped = "; ".join(f"{word} → {', '.join(STATUS_AS_KIND_AND_STAGE[word])}" for word in words)
        notes.append(
            f"{label} was exported before dataset 3.0.0: its status column was read as kind_of_work and "
            f"stage ({mapped or 'no status words'})"
        )
    else:
        notes.append(
            f"{label} was exported before dataset 3.0.0: it has no design or caveat columns, so its figures "
            "were read without them; a result cannot be imported without its design (add the columns "
            "design and caveat after kind, and give each result its design)"
        )
    return rows


def read_import(
    folder: Path,
    reference: Reference,
    notes: list[str] | None = None,
) -> tuple[list[tuple[str, dict]], list[Problem], dict[str, str]]:
    """Register initiatives from CSV files, checked like a submission; every problem, with file and row.

    The records come back under the ids they will be stored with (`imported_id`), with {old: new} for
    each id that was changed. What was read in older columns is said in `notes`."""
    problems: list[Problem] = []
    notes = [] if notes is None else notes
    labels = {name: f"{folder.name}/{name}" for name in ("initiatives.csv", "outcomes.csv")}
    initiative_pairs = validate_rows(
        _read(folder, "initiatives.csv", labels["initiatives.csv"], problems, notes),
        Initiative,
        labels["initiatives.csv"],
        problems,
    )
    outcome_pairs = validate_rows(
        _read(folder, "outcomes.csv", labels["outcomes.csv"], problems, notes),
        Outcome,
        labels["outcomes.csv"],
        problems,
    )
    ids = {i.id for _, i in initiative_pairs}
    for row, outcome in outcome_pairs:
        if outcome.initiative_id not in ids:
            problems.append(
                Problem(
                    labels["outcomes.csv"],
                    row.line,
                    "initiative_id",
                    f"no initiative in {labels['initiatives.csv']} has id {outcome.initiative_id!r}",
                )
            )
    records: list[tuple[str, dict]] = []
    renamed: dict[str, str] = {}
    seen: set[str] = set()
    for row, initiative in initiative_pairs:
        if initiative.id in reference.paper_initiative_ids:
            problems.append(
                Problem(
                    labels["initiatives.csv"],
                    row.line,
                    "id",
                    f"{initiative.id!r} is one of the paper's initiatives; the register adds, never replaces",
                )
            )
        new_id = imported_id(initiative.id)
        if new_id in seen:
            imported_as = (
                f" (as {new_id!r}, the id {initiative.id!r} is imported under)" if new_id != initiative.id else ""
            )
            problems.append(Problem(labels["initiatives.csv"], row.line, "id", f"duplicate id {new_id!r}{imported_as}"))
        seen.add(new_id)
        figure_pairs = [(figure_row, o) for figure_row, o in outcome_pairs if o.initiative_id == initiative.id]
        payload = payload_of(initiative, [o for _, o in figure_pairs])
        try:
            validate_initiative(payload, initiative.id, reference)
        except SubmissionInvalid as exc:
            for p in exc.problems:
                # A figure's problem ("figures.2.design") is told at its own row and column of outcomes.csv.
                parts = p.field.split(".")
                if (
                    len(parts) == 3
                    and parts[0] == "figures"
                    and parts[1].isdigit()
                    and int(parts[1]) < len(figure_pairs)
                ):
                    problems.append(
                        Problem(labels["outcomes.csv"], figure_pairs[int(parts[1])][0].line, parts[2], p.message)
                    )
                else:
                    problems.append(Problem(labels["initiatives.csv"], row.line, p.field, p.message))
        records.append((new_id, payload))
        if new_id != initiative.id:
            renamed[initiative.id] = new_id
    return records, problems, renamed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export or import the register's published records as CSV files.")
    parser.add_argument("--url", help="database URL (default: PPH_DATABASE_URL, else var/register.sqlite3)")
    commands = parser.add_subparsers(dest="command", required=True)
    export_parser = commands.add_parser("export", help="write the published register as CSV files")
    export_parser.add_argument("--out", type=Path, required=True)
    import_parser = commands.add_parser("import", help="load initiatives.csv and outcomes.csv as published records")
    import_parser.add_argument("folder", type=Path)
    import_parser.add_argument("--user", default=os.environ.get("USER", "import"), help="who the history names")
    args = parser.parse_args(argv)

    settings = Settings.from_env(os.environ)
    url = args.url or settings.database_url
    try:
        engine = connect(url)
        migrate(engine)
        if args.command == "export":
            print(export(engine, settings, args.out))
            return 0
        notes: list[str] = []
        records, problems, renamed = read_import(args.folder, Reference.of(load_dataset(settings.data_dir)), notes)
        for note in notes:
            print(f"read: {note}", file=sys.stderr if problems else sys.stdout)
        if problems:
            print(f"{len(problems)} problem(s); nothing was imported:", file=sys.stderr)
            for problem in sorted(problems):
                print(f"  {problem}", file=sys.stderr)
            return 1
        stored = register_store.import_records(
            engine,
            user=args.user,
            records=records,
            organisation=settings.organisation,
            now=datetime.now(timezone.utc),
            original_ids={new: old for old, new in renamed.items()},
        )
        print(f"imported {len(stored)} initiative(s) into {shown_url(url)}")
        for original, new_id in renamed.items():
            print(
                f"re-id: {original} was imported as {new_id} ({PUBLICATION_PREFIX}NNNN ids belong to this "
                "register's own publications)"
            )
        return 0
    except (RegisterUnavailable, Conflict) as exc:
        print(f"{exc}; nothing was imported" if args.command == "import" else str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
