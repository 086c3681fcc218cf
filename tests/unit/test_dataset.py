"""The committed dataset: it validates, its counts are pinned, and figures match the paper.

These tests pin today's curated content on purpose: a change to the data must change them too,
together with the dataset version and the data changelog.
"""

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
    sizes = (
        len(dataset.forces),
        len(dataset.themes),
        len(dataset.case_studies),
        len(dataset.initiatives),
        len(dataset.outcomes),
        len(dataset.inventory),
    )
    assert sizes == (44, 20, 21, 47, 60, 150)
    assert dataset.version == "3.0.1"


def test_ds002_theme_vocabulary_has_the_papers_topics(dataset):
    kinds = Counter(t.kind for t in dataset.themes)
    assert kinds == {"core topic": 8, "further topic": 5, "broader theme": 7}


def test_ds003_initiative_counts_per_theme_are_pinned(dataset):
    counts = Counter(t for i in dataset.initiatives for t in i.themes)
    assert counts == {
        "adverse-childhood-experiences": 3,
        "child-sexual-exploitation": 2,
        "collaboration": 25,
        "community-assets": 3,
        "community-cohesion": 4,
        "criminal-justice-health": 8,
        "dementia": 2,
        "domestic-abuse": 2,
        "drugs-alcohol": 15,
        "early-intervention": 17,
        "health-inequalities": 4,
        "health-wellbeing": 5,
        "infectious-disease": 2,
        "intelligence-sharing": 10,
        "mental-health": 9,
        "modern-slavery": 1,
        "suicide-prevention": 2,
        "violence-prevention": 7,
        "vulnerable-people": 15,
        "weather-risk": 2,
    }


def test_ds004_initiative_counts_per_force_are_pinned(dataset):
    # One row per named piece of work, applied evenly (3.0.0): Gloucestershire's possibility, its board's own
    # strand and the task-force umbrella are no longer rows (8 -> 5); the Met's heat "area" is not a row but its
    # follow-on outbreak advice is (4 -> 4); Wiltshire's follow-on work is a row (1 -> 2); the West Midlands
    # alliance's shared posts and injury surveillance system are strands of its row, by the same test (4 -> 2);
    # Dorset has none.
    counts = Counter(f for i in dataset.initiatives for f in i.force_ids)
    assert counts == {
        "E23000001": 4,
        "E23000003": 1,
        "E23000007": 2,
        "E23000008": 2,
        "E23000013": 2,
        "E23000014": 2,
        "E23000021": 1,
        "E23000023": 4,
        "E23000024": 1,
        "E23000028": 1,
        "E23000029": 2,
        "E23000036": 1,
        "E23000037": 5,
        "E23000038": 2,
        "W15000003": 1,
        "british-transport-police": 3,
    }


def test_ds005_every_initiative_belongs_to_a_case_study_or_national_section(dataset):
    groups = Counter(i.case_study for i in dataset.initiatives)
    assert groups["west-midlands-violence-prevention"] == 4
    assert groups["gloucestershire-health-wellbeing"] == 5
    assert groups["north-east-alcohol-harm"] == 5
    kinds = {dataset.case_studies_by_id[c].kind for c in groups}
    assert kinds == {"case study", "national section"}


def _figures(dataset, initiative_id):
    return {
        (o.measure, o.value, o.unit, o.direction, o.kind) for o in dataset.outcomes if o.initiative_id == initiative_id
    }


def test_ds006_leicestershire_section_136_reductions_are_results(dataset):
    figures = _figures(dataset, "leicestershire-triage-car")
    assert ("Section 136 detention rate in the first three months", 33.0, "percent", "reduction", "result") in figures
    assert ("Section 136 detentions", 81.0, "percent", "reduction", "result") in figures
    assert (
        "Hours the car now runs each day (10am to 2am), seven days a week",
        16.0,
        "hours",
        "level",
        "activity or parameter",
    ) in figures
    assert dataset.initiatives_by_id["leicestershire-triage-car"].force_ids == ("E23000021",)


def test_ds007_jobs_friends_houses_saving_is_a_level_not_a_reduction_of_pounds(dataset):
    outcomes = {o.measure: o for o in dataset.outcomes if o.initiative_id == "jobs-friends-houses"}
    offending = outcomes["Annual offending rate of people in the programme"]
    saving = outcomes["Estimated saving to the public purse from less offending"]
    assert (offending.value, offending.unit, offending.direction, offending.references) == (
        94.0,
        "percent",
        "reduction",
        ("24",),
    )
    assert (saving.value, saving.unit, saving.qualifier, saving.direction) == (815000.0, "GBP", "more than", "level")
    research = [
        o for o in dataset.outcomes if o.case_study == "north-west-jobs-friends-houses" and o.kind == "background"
    ]
    assert {o.value for o in research} == {50.0, 20.0} and all(o.initiative_id is None for o in research)


def test_ds008_railway_wide_statistics_are_background_not_btp_results(dataset):
    btp = {
        o.measure: (o.value, o.period, o.kind) for o in dataset.outcomes if o.initiative_id == "btp-suicide-prevention"
    }
    # 631 interventions delivered is what the programme did, like its two siblings in the paper's list, not an effect.
    assert btp["People who received lifesaving interventions on the railway"] == (
        631.0,
        "2014/15",
        "activity or parameter",
    )
    assert btp["Individuals identified as at risk of suicidal behaviour"] == (2525.0, "2015", "activity or parameter")
    assert btp["People put onto suicide prevention plans"] == (457.0, "2015", "activity or parameter")
    railway = {
        o.value: o
        for o in dataset.outcomes
        if o.case_study == "btp-suicide-prevention-mental-health" and o.is_background
    }
    assert set(railway) == {9381.0, 1658.0, 1269.0, 85.0, 6.0}
    assert all(o.initiative_id is None for o in railway.values())


def test_ds009_liaison_and_diversion_target_is_a_level_beside_todays_coverage(dataset):
    figures = {o.value: o for o in dataset.outcomes if o.initiative_id == "national-liaison-diversion"}
    assert {(o.value, o.kind, o.direction) for o in figures.values()} == {
        (50.0, "target or coverage", "level"),
        (75.0, "target or coverage", "level"),
    }
    assert "population" not in figures[75.0].measure.lower()


def test_ds010_north_east_work_is_placed_only_where_the_paper_places_it(dataset):
    three = {"E23000007", "E23000008", "E23000013"}
    assert set(dataset.initiatives_by_id["north-east-alcohol-licensing"].force_ids) == three
    # The paper names no force for these, so they are regional work, not counted on the map.
    for row in ("north-east-have-a-word", "north-east-blue-light", "north-east-arrest-referral"):
        assert dataset.initiatives_by_id[row].force_ids == ()


def test_ds011_evidence_cited_from_elsewhere_is_not_a_collaboration_on_the_map(dataset):
    assert "horse-course-dorset" not in dataset.initiatives_by_id
    horse = [o for o in dataset.outcomes if "Horse Course" in o.measure]
    assert len(horse) == 4
    assert all(
        o.is_background and o.initiative_id is None and o.case_study == "gloucestershire-health-wellbeing"
        for o in horse
    )
    entry = next(e for e in dataset.inventory if e.name == "The Horse Course (Dorset)")
    assert entry.decision == "not an initiative" and "evidence" in entry.reason


def test_ds012_every_initiative_cites_a_section_and_every_summary_is_distinct(dataset):
    assert all(i.section for i in dataset.initiatives)
    summaries = [i.summary for i in dataset.initiatives]
    assert len(set(summaries)) == len(summaries)


def test_ds013_join_reports_national_btp_and_welsh_work_as_off_map(dataset):
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    placements = {i.id: join.placements[i.id].placement for i, _ in off_map_initiatives(join, dataset.initiatives)}
    assert placements["btp-suicide-prevention"] == "non-territorial force"
    assert placements["south-wales-ace"] == "welsh force"
    assert placements["college-of-policing-coercive-control-pilot"] == "no force named"
    assert placements["north-east-have-a-word"] == "no force named"
    assert "leicestershire-triage-car" not in placements
    assert set(join.by_force["E23000013"]) == {"north-east-alcohol-harm-conference", "north-east-alcohol-licensing"}
    assert join.by_force["E23000039"] == ()
    # nothing is lost: every initiative is on the map or in the off-map list
    on_map = {i for ids in join.by_force.values() for i in ids}
    assert on_map | set(placements) == {i.id for i in dataset.initiatives}


def test_ds014_shares_of_people_are_levels_not_reductions(dataset):
    # "80% of young people reduced serious behaviour problems" is a share, not an 80% cut.
    by_id = {o.id: o for o in dataset.outcomes}
    assert (by_id["fig-049"].value, by_id["fig-049"].direction) == (80.0, "level")
    assert by_id["fig-050"].direction == "level"


def test_ds015_only_results_measure_what_an_initiative_achieved(dataset):
    results = {(o.initiative_id, o.value) for o in dataset.outcomes if o.is_result}
    # The saving is worked out from the 94% fall ("equating to"): the same finding, not a second result.
    assert results == {
        ("jobs-friends-houses", 94.0),
        ("leicestershire-triage-car", 33.0),
        ("leicestershire-triage-car", 81.0),
        ("btp-suicide-prevention", 1.0),
    }


def test_ds016_evaluation_labels_claim_no_more_than_the_paper_shows(dataset):
    labels = {i.id: i.evaluation for i in dataset.initiatives if i.evaluation != "none reported"}
    assert labels == {
        "jobs-friends-houses": "evaluation reported",
        "leicestershire-triage-car": "monitoring or early findings reported",
        "btp-suicide-prevention": "monitoring or early findings reported",
        "btp-mental-health-liaison": "evaluation under way",
        "college-of-policing-coercive-control-pilot": "evaluation under way",
        "wiltshire-modern-slavery-operation": "debrief reported",
    }


def test_ds020_every_force_area_is_searched_by_its_districts_but_not_by_another_countys_name(dataset):
    # Trial 16 (low): "Bristol" and "Leeds" found no force. The districts of the ONS lookup the map is built from
    # are searched too, less those that carry another force's county ("South Gloucestershire" is Avon and
    # Somerset's: typing "Glouc" should not list it before Gloucestershire).
    from domain.aggregation import searchable_places

    territorial = {f.id for f in dataset.forces if f.kind == "territorial"}
    assert set(dataset.places) == territorial and all(dataset.places.values())
    assert sum(len(names) for names in dataset.places.values()) == 348
    searched = searchable_places(dataset.forces, dataset.places)
    by_place = {place: force for force, places in searched.items() for place in places}
    assert dataset.forces_by_id[by_place["Bristol"]].short_name == "Avon and Somerset"
    assert dataset.forces_by_id[by_place["Leeds"]].short_name == "West Yorkshire"
    assert "South Gloucestershire" in dataset.places["E23000036"] and "South Gloucestershire" not in by_place
