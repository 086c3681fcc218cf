"""A proposed initiative that may be work the dashboard already holds (domain/same_work.py): trial 20 found the same
work proposed twice reading as two new initiatives in the review queue."""

from __future__ import annotations

from tests import dataset_facts as facts
from domain.same_work import Held, held_initiatives, likely_same_work, said_of, same_work, title_words

PUBLISHED = Held("reg-0001", "Bristol street triage pilot", ("E23000036",), "published from the register")


def test_same001_a_title_is_the_same_whatever_its_case_and_punctuation():
    assert title_words("Bristol Street-Triage (pilot)") == ("bristol", "street", "triage", "pilot")
    assert same_work("bristol street-triage PILOT", (), PUBLISHED)  # the same title, even in another area


def test_same002_titles_mostly_of_the_same_words_match_only_for_work_in_a_shared_area():
    assert same_work("Bristol street triage", ("E23000036",), PUBLISHED)  # 3 of 4 words: likely the pilot itself
    assert same_work("Street triage pilot, Bristol", ("E23000036",), PUBLISHED)
    assert not same_work("Street triage pilot, Bristol", ("E23000018",), PUBLISHED)
    national = Held("n1", "National liaison and diversion roll-out", (), "in the 2016 paper")
    assert same_work("Liaison and diversion national roll-out", (), national)  # national work shares England


def test_same003_other_work_in_the_same_area_is_not_flagged():
    assert not same_work("Bristol youth diversion scheme", ("E23000036",), PUBLISHED)
    assert not same_work("Bristol street triage evaluation report", ("E23000036",), PUBLISHED)  # 3 of 6 words
    assert not same_work("", ("E23000036",), PUBLISHED)


def test_same004_the_warning_names_each_match_its_areas_and_where_it_is():
    waiting = Held("#4", "Bristol street triage pilot", ("E23000036",), "also waiting for review")
    matches = likely_same_work("Bristol street triage pilot", ("E23000036",), [PUBLISHED, waiting])
    assert matches == [PUBLISHED, waiting]
    words = said_of(matches, {"E23000036": "Avon and Somerset Constabulary"})
    assert words.startswith(
        "Possibly the same work as reg-0001 “Bristol street triage pilot” (Avon and Somerset Constabulary; published "
        "from the register); #4 “Bristol street triage pilot” (Avon and Somerset Constabulary; also waiting for review)."
    )
    assert "count the work twice" in words
    assert said_of([], {}) == ""


def test_same005_the_dashboards_initiatives_and_the_waiting_ones_are_held():
    dataset = facts.served()
    held = held_initiatives(dataset, [(7, {"title": "Some new work", "force_ids": ["E23000036"]})])
    assert len(held) == len(dataset.initiatives) + 1
    leicestershire = next(h for h in held if h.label == "leicestershire-triage-car")
    assert leicestershire.where == "in the 2016 paper" and leicestershire.force_ids == ("E23000021",)
    assert held[-1] == Held("#7", "Some new work", ("E23000036",), "also waiting for review")
    # A paper initiative proposed again is found, by its title alone.
    paper = dataset.initiatives_by_id["leicestershire-triage-car"]
    assert [h.label for h in likely_same_work(paper.title.upper(), (), held)] == ["leicestershire-triage-car"]
