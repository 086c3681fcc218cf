"""The committed dataset: it validates, its counts are pinned, and figures match the paper."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from domain.aggregation import off_map_initiatives
from domain.joining import join_initiatives
from domain.loading import load_dataset

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


def test_ds001_committed_data_validates_with_expected_sizes(dataset):
    assert (len(dataset.forces), len(dataset.themes), len(dataset.initiatives), len(dataset.outcomes)) == (44, 20, 39, 53)
    assert dataset.version == "1.0.0"


def test_ds002_theme_vocabulary_has_the_papers_topics(dataset):
    kinds = Counter(t.kind for t in dataset.themes)
    assert kinds == {"core topic": 8, "further topic": 5, "broader theme": 7}


def test_ds003_initiative_counts_per_theme_are_pinned(dataset):
    counts = Counter(t for i in dataset.initiatives for t in i.themes)
    assert counts == {
        "adverse-childhood-experiences": 2, "child-sexual-exploitation": 3, "collaboration": 21,
        "community-assets": 3, "community-cohesion": 3, "criminal-justice-health": 9, "dementia": 2,
        "domestic-abuse": 2, "drugs-alcohol": 11, "early-intervention": 16, "health-inequalities": 4,
        "health-wellbeing": 5, "infectious-disease": 1, "intelligence-sharing": 11, "mental-health": 12,
        "modern-slavery": 1, "suicide-prevention": 3, "violence-prevention": 6, "vulnerable-people": 17,
        "weather-risk": 1,
    }


def test_ds004_initiative_counts_per_force_are_pinned(dataset):
    counts = Counter(f for i in dataset.initiatives for f in i.force_ids)
    assert counts == {
        "E23000001": 2, "E23000003": 1, "E23000007": 1, "E23000008": 1, "E23000013": 1, "E23000014": 1,
        "E23000021": 1, "E23000023": 4, "E23000024": 1, "E23000028": 1, "E23000029": 2, "E23000036": 1,
        "E23000037": 7, "E23000038": 1, "E23000039": 1, "W15000003": 1, "british-transport-police": 2,
    }


def _figures(dataset, initiative_id):
    return {(o.measure, o.value, o.unit, o.direction) for o in dataset.outcomes if o.initiative_id == initiative_id}


def test_ds005_leicestershire_section_136_reductions(dataset):
    figures = _figures(dataset, "leicestershire-triage-car")
    assert ("Section 136 detention rate in the first three months", 33.0, "percent", "reduction") in figures
    assert ("Section 136 detentions", 81.0, "percent", "reduction") in figures
    assert dataset.initiatives_by_id["leicestershire-triage-car"].force_ids == ("E23000021",)


def test_ds006_jobs_friends_houses_offending_and_savings(dataset):
    outcomes = {o.measure: o for o in dataset.outcomes if o.initiative_id == "jobs-friends-houses"}
    offending = outcomes["Annual offending rate of people in the programme"]
    saving = outcomes["Estimated saving to the public purse"]
    assert (offending.value, offending.unit, offending.direction, offending.references) == (94.0, "percent", "reduction", ("24",))
    assert (saving.value, saving.unit, saving.qualifier) == (815000.0, "GBP", "more than")


def test_ds007_british_transport_police_2015_counts(dataset):
    by_measure = {o.measure: (o.value, o.period) for o in dataset.outcomes if o.initiative_id == "btp-suicide-prevention"}
    assert by_measure["People who received lifesaving interventions on the railway"] == (631.0, "2014/15")
    assert by_measure["Individuals identified as at risk of suicidal behaviour"] == (2525.0, "2015")
    assert by_measure["People put onto suicide prevention plans"] == (457.0, "2015")
    assert by_measure["Suicide and mental health incidents on the railway network"] == (9381.0, "2015/16")


def test_ds008_context_figures_are_kept_without_an_initiative(dataset):
    context = {o.measure: o.value for o in dataset.outcomes if o.is_context}
    assert context["Police forces operating in England"] == 39
    assert context["Women estimated to have experienced domestic abuse in the last year (aged 16 to 59)"] == 8.2
    assert context["Dedicated funding in the Home Office strategy to end violence against women and girls"] == 80_000_000


def test_ds009_north_east_alcohol_work_spans_three_forces(dataset):
    assert set(dataset.initiatives_by_id["north-east-alcohol-harm"].force_ids) == {"E23000007", "E23000008", "E23000013"}


def test_ds010_every_initiative_cites_a_section_and_every_summary_is_distinct(dataset):
    assert all(i.section for i in dataset.initiatives)
    summaries = [i.summary for i in dataset.initiatives]
    assert len(set(summaries)) == len(summaries)


def test_ds011_join_reports_national_btp_and_welsh_work_as_off_map(dataset):
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    placements = {i.id: join.placements[i.id].placement for i, _ in off_map_initiatives(join, dataset.initiatives)}
    assert placements["btp-suicide-prevention"] == "non-territorial force"
    assert placements["south-wales-ace"] == "welsh force"
    assert placements["college-of-policing-coercive-control-pilot"] == "no force named"
    assert "leicestershire-triage-car" not in placements
    assert join.by_force["E23000013"] == ("north-east-alcohol-harm",)
    # nothing is lost: every initiative is on the map or in the off-map list
    on_map = {i for ids in join.by_force.values() for i in ids}
    assert on_map | set(placements) == {i.id for i in dataset.initiatives}


def test_ds012_shares_of_people_are_levels_not_reductions(dataset):
    # "80% of young people reduced serious behaviour problems" is a share, not an 80% cut: the
    # outcomes overview plots only reductions, so mislabelling it would overstate the effect.
    by_id = {o.id: o for o in dataset.outcomes}
    assert (by_id["fig-049"].value, by_id["fig-049"].direction) == (80.0, "level")
    assert by_id["fig-050"].direction == "level"
