"""The data read against the paper: own words, nothing the paper names left out, every number traced
to the paper, reference marks where the paper places them, and results charted apart from background.

The paper's text is in the repository, data/source/ (with its attribution there), so a clean clone
is whole; these tests say so plainly if it is missing rather than skipping.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import plotly.graph_objects as go
import pytest

from components.overview_view import overview_figures
from domain.figures import build_outcome_charts, overview_lollipops, plotly_lollipop
from domain.lollipop import FALL_GROUPS, UNIT_GROUPS
from domain.loading import load_dataset
from domain.schema import Initiative, Outcome
from pipelines.own_words import LABEL_LIMIT, PROSE_LIMIT, PaperIndex, find_overlaps, texts_to_check, words

REPO = Path(__file__).resolve().parents[2]
PAPER = REPO / "data" / "source" / "police-and-public-health-2016.txt"


@pytest.fixture(scope="module")
def paper() -> str:
    assert PAPER.is_file(), f"the paper's text is needed at {PAPER} (data/source/ in the repository)"
    return PAPER.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(REPO / "data")


# --- own words ---------------------------------------------------------------------------------


def test_truth001_no_summary_or_label_repeats_a_long_run_of_the_paper(paper, dataset):
    overlaps = find_overlaps(paper, texts_to_check(dataset))
    assert overlaps == [], "\n".join(str(o) for o in overlaps)


def test_truth002_the_checker_catches_a_copied_run_and_passes_a_shorter_one():
    paper = "The liaison and diversion programme supports people in contact with the criminal justice system."
    index = PaperIndex(paper)
    copied = "It supports people in contact with the criminal justice system to reach care."
    assert index.longest_shared_run(copied, PROSE_LIMIT) == (
        9,
        "supports people in contact with the criminal justice system",
    )
    assert index.longest_shared_run("It helps people in contact with criminal justice.", PROSE_LIMIT) == (0, "")
    # Punctuation, case and curly quotes do not hide a copy.
    assert (
        index.longest_shared_run("SUPPORTS people, in contact with the ‘criminal’ justice system", PROSE_LIMIT)[0] == 9
    )
    assert index.longest_shared_run("supports people in contact with the criminal", PROSE_LIMIT) == (0, "")  # 7 words
    labels = find_overlaps(
        paper, [("label", "liaison and diversion programme supports people in contact with the", LABEL_LIMIT)]
    )
    assert [o.length for o in labels] == [10]


# --- inventory ---------------------------------------------------------------------------------


def test_truth003_every_initiative_is_one_own_row_entry_of_the_inventory(dataset):
    own_rows = Counter(e.initiative_id for e in dataset.inventory if e.decision == "own row")
    assert set(own_rows) == set(dataset.initiatives_by_id), "initiatives missing from, or unknown to, the inventory"
    assert [i for i, n in own_rows.items() if n > 1] == []


def test_truth004_every_inventory_entry_names_something_the_paper_names(paper, dataset):
    text = " ".join(words(paper))
    missing = [e.name for e in dataset.inventory if " ".join(words(e.paper_phrase)) not in text]
    assert missing == []


def test_truth005_every_reference_mark_of_the_paper_is_accounted_for(paper, dataset):
    in_paper = {int(n) for n in re.findall(r"\((\d{1,2})\)", paper)}
    assert in_paper == set(range(1, 41))
    cited = {
        int(r) for record in (*dataset.initiatives, *dataset.outcomes, *dataset.inventory) for r in record.references
    }
    assert in_paper - cited == set(), "reference marks the dataset never accounts for"
    assert cited - in_paper == set(), "reference marks the paper does not have"


# --- numbers -----------------------------------------------------------------------------------

# Figures the paper gives in words or as times, not as the number itself: the paper's wording.
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
DERIVED = {
    "fig-034": "more than halved",  # 50%: "chances of re-offending are more than halved"
    "fig-056": "late shift (3pm-11pm)",  # 8 hours
    "fig-057": "working 10am-2am",  # 16 hours
}


def _spellings(value: float) -> list[str]:
    number = int(value) if value == int(value) else value
    forms = [f"{number}", f"{number:,}"]
    if isinstance(number, int) and number >= 1_000_000 and number % 100_000 == 0:
        forms.append(f"{number / 1_000_000:g} million")
        forms.append(f"{number / 1_000_000:g}million")
    if number in NUMBER_WORDS:
        forms.append(NUMBER_WORDS[number])
    return forms


def test_truth006_every_figure_value_is_in_the_paper(paper, dataset):
    flat = " ".join(paper.split())
    untraced = []
    for o in dataset.outcomes:
        if o.id in DERIVED:
            if DERIVED[o.id] not in flat:
                untraced.append(o.id)
            continue
        if not any(
            re.search(rf"(?<![\d,.]){re.escape(form)}(?![\d])", flat, re.IGNORECASE) for form in _spellings(o.value)
        ):
            untraced.append(o.id)
    assert untraced == []


def test_truth007_a_figures_reference_mark_closes_the_passage_that_gives_the_figure(paper, dataset):
    flat = " ".join(paper.split())
    misplaced = []
    for o in dataset.outcomes:
        for ref in o.references:
            mark = flat.index(f"({ref})")
            # The passage a mark closes: back to the previous reference mark or the colon that opens
            # the list the mark ends, at most a long list's length.
            earlier = [m.end() for m in re.finditer(r"\(\d{1,2}\)", flat[:mark])]
            start = max(earlier[-1] if earlier else 0, flat.rfind(":", 0, mark) + 1, mark - 700)
            passage = flat[start:mark]
            # A mark on a list's lead-in ("showed that (36).", "the following outcomes (24):") covers the list after it.
            token_end = mark + len(f"({ref})")
            if flat[token_end : token_end + 1] == ":" or re.search(r"\bthat\s*$", flat[:mark]):
                later = re.search(r"\(\d{1,2}\)", flat[token_end:])
                passage += flat[token_end : token_end + min(later.start() if later else 700, 700)]
            if not any(
                re.search(rf"(?<![\d,.]){re.escape(form)}(?![\d])", passage, re.IGNORECASE)
                for form in _spellings(o.value)
            ):
                misplaced.append((o.id, ref))
    assert misplaced == []


# --- results shown for what they are ----------------------------------------------------------


def test_truth008_result_charts_never_include_background_or_other_kinds(dataset):
    initiatives = dict(dataset.initiatives_by_id)
    results = {(o.value, o.unit) for o in dataset.outcomes if o.is_result}
    plotted = set()
    for key, spec in build_outcome_charts(dataset.outcomes, initiatives):
        units = {**dict((k, u) for k, u, _ in UNIT_GROUPS), **{k: ("percent",) for k, _, _ in FALL_GROUPS}}[key]
        figure = go.Figure(spec)
        plotted |= {(x, units[0]) for x in figure.data[0].x}
    assert plotted == results
    overview = [go.Figure(spec) for spec in overview_figures(dataset, list(dataset.outcomes), "")]
    assert sorted(x for figure in overview for x in figure.data[0].x) == sorted(
        o.value for o in dataset.outcomes if o.is_result
    )


def _outcome(id_: str, kind: str, value: float, direction: str = "reduction", initiative: str | None = "a") -> Outcome:
    return Outcome(
        id=id_,
        initiative_id=initiative,
        case_study="cs",
        measure=f"Measure {id_}",
        value=value,
        unit="percent",
        direction=direction,
        kind=kind,
        section="S",
    )


def test_truth009_a_background_reduction_is_not_drawn_as_an_initiatives_result():
    initiative = Initiative(
        id="a",
        title="A",
        case_study="cs",
        scope="national",
        place="England",
        lead_organisations=("Lead",),
        themes=("t",),
        status="established",
        evaluation="none reported",
        summary="A summary that is long enough.",
        section="S",
    )
    outcomes = [
        _outcome("r", "result", 40),
        _outcome("b", "background", 20),
        _outcome("b2", "background", 30, initiative=None),
    ]
    overview = [go.Figure(plotly_lollipop(c)) for c in overview_lollipops(outcomes, (), {"a": initiative})]
    assert [list(figure.data[0].x) for figure in overview] == [[40]]
    charts = build_outcome_charts(outcomes, {"a": initiative})
    assert [list(go.Figure(spec).data[0].x) for _, spec in charts] == [[40]]


def test_truth010_every_chart_axis_carries_one_unit():
    assert all(len(units) == 1 for _, units, _ in UNIT_GROUPS)
    all_units = [u for _, units, _ in UNIT_GROUPS for u in units]
    assert len(all_units) == len(set(all_units))
    assert {"days", "weeks", "hours", "months", "years"} <= set(all_units)


def test_truth011_no_caveat_doubts_the_direction_its_figure_is_drawn_in(dataset):
    # Trial 17 (medium): Leicestershire's 81% was drawn as a fall under the caveat "not known to be a fall from
    # 2015". The paper reports a fall; what it leaves out is the baseline, and the caveat now says so (3.0.1).
    doubting = re.compile(r"not known to be an? (fall|reduction|rise|increase)", re.IGNORECASE)
    drawn = [o for o in dataset.outcomes if o.direction in ("reduction", "increase")]
    assert drawn
    assert [o.id for o in drawn if doubting.search(o.caveat)] == []
    leicestershire = next(o for o in drawn if o.id == "fig-043")
    assert leicestershire.comparator == "baseline not stated" and "measured against" in leicestershire.caveat
