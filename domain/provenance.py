"""Domain layer: where a record comes from, said the same way by every view that shows it.

A record is either the 2016 paper's, cited by its section and reference marks, or the register's,
cited by its review and the source its contributor gave. Never both: a register record's `section`
field holds the contributor's source (domain.register), so a view that cited it as "PHE 2016, <section>"
attributed a contributor's evidence to PHE. Every card, badge, table, tooltip, comparison, list,
print, embed and download takes its wording from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domain.loading import Dataset
from domain.schema import PAPER_SOURCE, Note, Outcome, Provenance

REGISTER_BADGE = "Register"
PAPER_BADGE = PAPER_SOURCE


@dataclass(frozen=True)
class CountedSources:
    """Where the initiatives a view counts come from, so its words stay true with the register on: the
    paper alone (the read-only dashboard, or the register before it adds a record), the register alone
    (the source filter), or both."""

    paper: bool = True
    register: bool = False

    @classmethod
    def of(cls, added: int, source: str = "") -> CountedSources:
        """`added`: records the register has published; `source`: the view's source filter ("" for both)."""
        if source == "register":
            return cls(paper=False, register=True)
        return cls(paper=True, register=bool(added) and source != "paper")

    def words(self, joiner: str = "and") -> str:
        """'the 2016 paper', 'the register', or 'the 2016 paper and the register' (or `joiner`)."""
        named = [name for name, counted in (("the 2016 paper", self.paper), ("the register", self.register)) if counted]
        return f" {joiner} ".join(named)

    @property
    def verb_s(self) -> str:
        """The ending of a present-tense verb after `words()`: 'the paper names', 'the paper and the register name'."""
        return "" if self.paper and self.register else "s"


PAPER_ONLY = CountedSources()


def _paper_line(section: str, references: tuple[str, ...]) -> str:
    if not references:
        marks = "no reference mark"
    else:
        marks = f"ref{'s' if len(references) > 1 else ''} {', '.join(references)}"
    return f"{PAPER_SOURCE}, section {section}, {marks}"


def _register_line(mark: Provenance, source: str) -> str:
    return f"{mark.label}; source: {source}"


def provenance_line(dataset: Dataset, initiative_id: str) -> str:
    """'PHE 2016 paper, section S, ref N' or 'Register, reviewed DATE by ORGANISATION; source: …'."""
    initiative = dataset.initiatives_by_id[initiative_id]
    mark = dataset.provenance_of(initiative_id)
    if mark.source == "register":
        return _register_line(mark, initiative.section)
    # The paper's section is its case study's (case_studies.csv); the curated rows repeat it word for word.
    return _paper_line(dataset.case_studies_by_id[initiative.case_study].section, initiative.references)


def figure_line(dataset: Dataset, outcome: Outcome) -> str:
    """The same for one figure: the paper's section and the figure's own reference marks, or the
    register's review and the source the contributor gave for this figure."""
    mark = dataset.provenance_of(outcome.initiative_id or "")
    if mark.source == "register":
        return _register_line(mark, outcome.section)
    # A paper figure's section may name a part of its case study's ("… — the police workforce").
    return _paper_line(outcome.section, outcome.references)


def note_line(note: Note) -> str:
    """Where an erratum or follow-up comes from: always the register, never the paper it corrects."""
    return _register_line(note.provenance, note.source)


def source_badge(dataset: Dataset, initiative_id: str) -> str:
    """The short word beside a collapsed title: 'Register' or 'PHE 2016 paper'."""
    return REGISTER_BADGE if dataset.provenance_of(initiative_id).source == "register" else PAPER_BADGE


def is_register(dataset: Dataset, initiative_id: str) -> bool:
    return dataset.provenance_of(initiative_id).source == "register"


def notes_by_figure(notes: Iterable[Note]) -> dict[str, tuple[Note, ...]]:
    """figure id -> the published notes that name it."""
    grouped: dict[str, list[Note]] = {}
    for note in notes:
        if note.figure_id:
            grouped.setdefault(note.figure_id, []).append(note)
    return {figure_id: tuple(group) for figure_id, group in grouped.items()}


def note_flag(note: Note) -> str:
    """'Erratum: <text>': the marker with the note's text, where a figure is shown."""
    return f"{note.marker}: {note.text}"


@dataclass(frozen=True)
class FigureMarks:
    """What a chart or table says beside each figure: where it comes from, and the notes that name it."""

    sources: Mapping[str, str] = field(default_factory=dict)  # figure id -> figure_line
    notes: Mapping[str, tuple[Note, ...]] = field(default_factory=dict)  # figure id -> notes naming it

    def flags(self, figure_id: str) -> tuple[str, ...]:
        return tuple(note_flag(n) for n in self.notes.get(figure_id, ()))

    def markers(self, figure_id: str) -> tuple[str, ...]:
        return tuple(n.marker for n in self.notes.get(figure_id, ()))


def figure_marks(dataset: Dataset, outcomes: Iterable[Outcome]) -> FigureMarks:
    outcomes = tuple(outcomes)
    ids = {o.id for o in outcomes}
    return FigureMarks(
        {o.id: figure_line(dataset, o) for o in outcomes},
        {k: v for k, v in notes_by_figure(dataset.notes).items() if k in ids},
    )
