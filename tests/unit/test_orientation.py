"""Orientation read as a reader (and a feed reader) would: the Atom feed parsed as XML, the data line, the
recent changes in words, the tab title, and the zips' names."""

from __future__ import annotations

from datetime import datetime, timezone
from xml.etree import ElementTree

import pytest

from components.orientation import page_title
from domain.exports import view_zip_name
from domain.feed import ATOM_NS, atom_feed, change_of, data_line, headline, view_link
from domain.loading import load_dataset
from tests.conftest import REPO
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
A = f"{{{ATOM_NS}}}"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


def at(day: int) -> datetime:
    return datetime(2026, 12, day, 10, 30, tzinfo=timezone.utc)


def changes(dataset):
    triage = dataset.initiatives_by_id["leicestershire-triage-car"]
    return (
        change_of(
            7,
            "published",
            at(3),
            "reg-0001",
            "initiative",
            {"title": "Durham street triage"},
            "Durham PCC",
            {"created": "reg-0001"},
            dataset,
        ),
        change_of(
            8,
            "published",
            at(4),
            "reg-0002",
            "note",
            {"about_id": triage.id, "note_kind": "erratum"},
            "Durham PCC",
            {"created": "reg-0002"},
            dataset,
        ),
        change_of(
            9,
            "withdrawn",
            at(5),
            "reg-0001",
            "initiative",
            {"title": "Durham street triage"},
            "Durham PCC",
            {"reason": "duplicate of another record"},
            dataset,
        ),
    )


def test_ori001_atom_feed_is_valid_atom_with_ids_times_and_links(dataset):
    body = atom_feed(dataset, changes(dataset), True, "http://intra/pph/", "http://intra/pph/feed.atom")
    feed = ElementTree.fromstring(body)
    assert feed.tag == f"{A}feed"
    assert feed.find(f"{A}title").text and feed.find(f"{A}id").text == "http://intra/pph/feed.atom"
    released = f"{dataset.version_date}T00:00:00Z"
    assert feed.find(f"{A}updated").text == released  # the dataset's release is the latest
    assert feed.find(f"{A}author/{A}name").text
    entries = feed.findall(f"{A}entry")
    assert [e.find(f"{A}title").text for e in entries] == [
        "Withdrawn: Durham street triage",
        "Erratum added: Leicestershire mental health triage car",
        "Added: Durham street triage",
        # Last, as the page's list ends (trial 9: the feed dropped it once the register had published).
        f"Dataset version {dataset.version} released",
    ]
    ids = [e.find(f"{A}id").text for e in entries]
    assert len(set(ids)) == 4
    assert [e.find(f"{A}updated").text for e in entries] == [
        "2026-12-05T10:30:00Z",
        "2026-12-04T10:30:00Z",
        "2026-12-03T10:30:00Z",
        released,
    ]
    links = [e.find(f"{A}link").get("href") for e in entries]
    assert links[1] == "http://intra/pph/?force=E23000021" and links[0] == "http://intra/pph/"
    assert "duplicate of another record" in entries[0].find(f"{A}summary").text
    # A feed reader sees only the entry: it says where the change is, by the force's name.
    summaries = [e.find(f"{A}summary").text for e in entries]
    assert summaries[1].startswith("Leicestershire Police. Register, reviewed 2026-12-04")
    assert summaries[0].startswith("Register, reviewed 2026-12-05")  # withdrawn: nowhere left to open


def test_ori002_register_off_feed_gives_the_dataset_release(dataset):
    feed = ElementTree.fromstring(atom_feed(dataset, (), False, "http://x/", "http://x/feed.atom"))
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 1 and dataset.version in entries[0].find(f"{A}title").text
    summary = entries[0].find(f"{A}summary").text
    assert (
        summary
        == f"Dataset version {dataset.version}, compiled from the 2016 paper and released {dataset.version_date}."
    )


def test_ori003_data_line_names_version_paper_and_register_date(dataset):
    assert (
        data_line(dataset, False, ())
        == f"Data: dataset {dataset.version} (paper 2016, compiled {dataset.version_date})"
    )
    line = data_line(dataset, True, changes(dataset))
    assert line.endswith("; register updated 2026-12-05")
    assert data_line(dataset, True, ()).endswith("register: nothing published yet")


def test_ori004_changes_in_words_and_links(dataset):
    added, erratum, withdrawn = changes(dataset)
    assert headline(added) == "Added: Durham street triage"
    assert view_link(withdrawn, "/p/") == "/p/"  # nothing left to open
    assert view_link(erratum, "/p/") == "/p/?force=E23000021"
    assert change_of(1, "submitted", at(1), "x", "initiative", {}, "", {}, dataset) is None


def test_ori005_tab_title_names_the_view():
    assert page_title("Leicestershire Police", None) == "Leicestershire Police — police and public health"
    assert page_title(None, "Coverage matrix") == "Coverage matrix — police and public health"
    assert page_title(None, None) == "England — police and public health"
    # With the Welsh forces shown, the map's area is England and Wales (review #30): in the title and the heading.
    assert page_title(None, None, show_wales=True) == "England and Wales — police and public health"
    script = (REPO / "assets" / "orientation.js").read_text(encoding="utf-8")
    assert "'England and Wales' : 'England'" in script  # the browser's title says the same


def test_ori005b_englands_profile_is_england_and_wales_once_the_welsh_forces_are_shown(dataset):
    from components.profile import profile_content
    from domain.joining import join_initiatives
    from domain.state import ViewState

    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    assert profile_content(dataset, join, ViewState(), "/", "").title == "England"
    assert profile_content(dataset, join, ViewState(show_wales=True), "/", "").title == "England and Wales"
    script = (REPO / "assets" / "clientside.js").read_text(encoding="utf-8")
    assert "'England and Wales' : 'England'" in script  # the heading written at once on a deselecting click


def test_ori006_zip_named_after_the_view(dataset):
    assert view_zip_name(dataset, "E23000021") == "police-public-health-leicestershire-police.zip"
    assert view_zip_name(dataset, None) == "police-public-health-england.zip"
    assert view_zip_name(dataset, None, show_wales=True) == "police-public-health-england-and-wales.zip"
    # Trial 10 (low): a filtered view's download had the whole view's name.
    assert view_zip_name(dataset, None, filtered=True) == "police-public-health-england-filtered.zip"
    devon = next(f.id for f in dataset.forces if f.name.startswith("Devon"))
    assert view_zip_name(dataset, devon) == "police-public-health-devon-and-cornwall-police.zip"


def test_ori007_live_source_carries_what_the_register_added_and_withdrew(tmp_path):
    """The snapshot knows the register's latest changes (read with its records), so the page and the feed need
    no I/O of their own."""
    from domain.register import User
    from services.live_source import RegisterSource
    from services.register import RegisterService
    from storage.database import connect, migrate
    from tests.register_requests import CONTRIBUTOR, REVIEWER, paper, reference, valid_payload

    engine = connect(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    migrate(engine)
    service = RegisterService(engine, "Kent PCC office", 100)
    sent = service.propose(User(CONTRIBUTOR, False), "new initiative", valid_payload(title="Kent triage"), reference())
    record = service.publish(User(REVIEWER, True), sent.id, reference())
    source = RegisterSource(paper(), engine, poll_seconds=0)
    snapshot = source.current()
    assert [headline(c) for c in snapshot.changes] == ["Added: Kent triage"]
    assert data_line(snapshot.dataset, True, snapshot.changes).endswith(
        f"register updated {snapshot.changes[0].at.date().isoformat()}"
    )
    service.withdraw(User(REVIEWER, True), record.record_id, "sent twice")
    source.refresh()
    assert [headline(c) for c in source.current().changes] == ["Withdrawn: Kent triage", "Added: Kent triage"]
    source.stop()
    engine.dispose()


def test_ori006_an_entry_for_work_in_several_force_areas_names_and_links_each(dataset):
    # Trial 8 (low): an entry for a record covering several forces named and linked the first force only.
    spanning = next(i for i in dataset.initiatives if len(i.force_ids) > 1)
    erratum = change_of(
        3, "published", at(2), "reg-0003", "note", {"about_id": spanning.id}, "Durham PCC", {"created": 1}, dataset
    )
    body = atom_feed(dataset, (erratum,), True, "http://intra/pph/", "http://intra/pph/feed.atom")
    entry = ElementTree.fromstring(body).find(f"{A}entry")
    names = [dataset.forces_by_id[f].name for f in spanning.force_ids]
    summary = entry.find(f"{A}summary").text
    assert summary.startswith(", ".join(names[:-1]) + " and " + names[-1] + ". Register, reviewed 2026-12-02")
    links = {link.get("rel"): [] for link in entry.findall(f"{A}link")}
    for link in entry.findall(f"{A}link"):
        links[link.get("rel")].append(link.get("href"))
    assert links["alternate"] == [f"http://intra/pph/?force={spanning.force_ids[0]}"]
    assert links["related"] == [f"http://intra/pph/?force={f}" for f in spanning.force_ids[1:]]
