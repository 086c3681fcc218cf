"""Domain layer: what changed recently, for readers: the register's latest publications, amendments and
withdrawals, or, with the register off, the dataset's own release. Said the same way on the page ("Recently
added or corrected") and in the Atom feed an intranet can show (`<prefix>feed.atom`).

Built from a snapshot's `changes` (services.live_source reads them with the records it publishes), never by
reading anything itself: no I/O here, none in a callback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal
from xml.etree import ElementTree

from domain.schema import register_words
from domain.loading import Dataset
from domain.state import ViewState

# A GOV.UK search for the paper's title rather than a publication address: the paper's own page could not be
# confirmed from here, and a link that may not exist would send a reader to a 404. The search finds it, or says
# plainly that GOV.UK no longer holds it.
PAPER_URL = "https://www.gov.uk/search/all?keywords=%22Police+and+Public+Health%3A+Innovation+in+practice%22"
PAPER_TITLE = "Police and Public Health: Innovation in practice – an overview of collaboration across England"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_TITLE = "Police and public health collaboration: recently added or corrected"
# How many changes the page and the feed list: enough to see a week's reviewing, few enough to read.
RECENT_LIMIT = 10

Action = Literal["added", "updated", "amended", "withdrawn"]
ACTION_WORDS: dict[str, str] = {
    "added": "Added",
    "updated": "Updated",
    "amended": "Corrected",
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True)
class Change:
    """One publication that changed what readers see."""

    id: int  # the register's history row: stable, so a feed reader shows each change once
    record_id: str
    action: Action
    at: datetime  # aware, UTC
    kind: str  # "initiative", "erratum" or "follow-up"
    title: str  # the initiative's title (for a note, the title of the initiative it is about)
    about_id: str  # the initiative to open (for a note, the one it is about); "" for a withdrawn initiative
    force_ids: tuple[str, ...] = ()  # that initiative's force areas: the first's view is where the entry links
    organisation: str = ""
    reason: str = ""  # why it was withdrawn or amended, when the reviewer said
    self_published: bool = False  # published by the reviewer who proposed it, with no second review


def change_of(
    history_id: int,
    action: str,
    at: datetime,
    record_id: str,
    record_kind: str,
    payload: dict[str, Any],
    organisation: str,
    detail: dict[str, Any],
    dataset: Dataset,
) -> Change | None:
    """A register history row (with its record) in a reader's terms; None for an action readers do not see."""
    if action in {"published", "imported"}:
        kind_of_change: Action = "added" if action == "imported" or "created" in detail else "updated"
    elif action in {"amended", "withdrawn"}:
        kind_of_change = action  # type: ignore[assignment]  # narrowed by the test above
    else:
        return None
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    reason = str(detail.get("reason") or "")
    self_published = bool(detail.get("self_published"))
    if record_kind == "note":
        about = str(payload.get("about_id") or "")
        about_record = dataset.initiatives_by_id.get(about)
        kind = "erratum" if payload.get("note_kind") == "erratum" else "follow-up"
        return Change(
            history_id,
            record_id,
            kind_of_change,
            at,
            kind,
            about_record.title if about_record else about,
            about if about_record else "",
            _forces(dataset, about),
            organisation,
            reason,
            self_published,
        )
    shown = record_id in dataset.initiatives_by_id and kind_of_change != "withdrawn"
    return Change(
        history_id,
        record_id,
        kind_of_change,
        at,
        "initiative",
        str(payload.get("title") or record_id),
        record_id if shown else "",
        _forces(dataset, record_id) if shown else (),
        organisation,
        reason,
        self_published,
    )


def _forces(dataset: Dataset, initiative_id: str) -> tuple[str, ...]:
    initiative = dataset.initiatives_by_id.get(initiative_id)
    return tuple(initiative.force_ids) if initiative else ()


def headline(change: Change) -> str:
    """'Added: <title>', 'Erratum withdrawn: <title>', … one line a reader takes in at once."""
    verb = ACTION_WORDS[change.action]
    if change.kind == "initiative":
        return f"{verb}: {change.title}"
    noun = "Erratum" if change.kind == "erratum" else "Follow-up"
    return f"{noun} {verb.lower()}: {change.title}"


def detail_line(change: Change) -> str:
    """When and by whom, and why where the reviewer said."""
    why = f" Reason: {change.reason}" if change.reason else ""
    day = change.at.date().isoformat()
    if not change.organisation:
        return f"Register, reviewed {day}.{why}"
    # The words every record's provenance uses ("Register, reviewed <date> by <organisation>").
    return f"{register_words(day, change.organisation, change.self_published)}.{why}"


def place_of(change: Change, dataset: Dataset) -> str:
    """Where the change is, for a feed reader who sees only the entry: 'Kent Police. ', every force of work that
    spans several ('Durham Constabulary and Cleveland Police. '), 'National or regional work (no single force
    area). ', or '' for a withdrawal (nothing left to open)."""
    if not change.about_id:
        return ""
    names = [dataset.forces_by_id[f].name for f in change.force_ids if f in dataset.forces_by_id]
    if not names:
        return "National or regional work (no single force area). "
    return (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}") + ". "


def view_link(change: Change, url_prefix: str) -> str:
    """Where a reader sees the change: the initiative's force on the map, or the national list for work with no
    force area; the page itself for a withdrawal (nothing left to open)."""
    if not change.about_id:
        return url_prefix
    if change.force_ids:
        return f"{url_prefix}{ViewState(force=change.force_ids[0]).to_query()}"
    return f"{url_prefix}{ViewState(view='national').to_query()}"


def latest(changes: Iterable[Change], limit: int = RECENT_LIMIT) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=lambda c: (c.at, c.id), reverse=True)[:limit])


def register_updated(changes: Sequence[Change]) -> str:
    """The date of the register's latest publication, or '' when it has published nothing."""
    return max(c.at for c in changes).date().isoformat() if changes else ""


def data_line(dataset: Dataset, register_on: bool, changes: Sequence[Change]) -> str:
    """'Data: dataset 3.0.0 (paper 2016); register updated 2026-12-06' (the register's part only with it on)."""
    line = f"Data: dataset {dataset.version} (paper 2016, compiled {dataset.version_date})"
    if register_on:
        updated = register_updated(changes)
        line += f"; register updated {updated}" if updated else "; register: nothing published yet"
    return line


def dataset_release_line(dataset: Dataset) -> str:
    """What the page says in place of the register's changes when it has none to list."""
    return (
        # No pointer to the data changelog (docs/data-changelog.md): a reader of the page or the feed has no
        # repository to open it in.
        f"Dataset version {dataset.version}, compiled from the 2016 paper and released {dataset.version_date}."
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _release_moment(dataset: Dataset) -> datetime:
    try:
        return datetime.fromisoformat(dataset.version_date).replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime(2016, 10, 28, tzinfo=timezone.utc)


def atom_feed(dataset: Dataset, changes: Sequence[Change], register_on: bool, base_url: str, feed_url: str) -> bytes:
    """The same list as Atom 1.0 (RFC 4287): each entry with an id, an updated time and a link to its view.
    `base_url`: the dashboard's absolute address (its prefix included), `feed_url` the feed's own."""
    ElementTree.register_namespace("", ATOM_NS)

    def sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    shown = latest(changes) if register_on else ()
    release = _release_moment(dataset)
    updated = max([release, *(c.at for c in shown)])
    feed = ElementTree.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", FEED_TITLE)
    sub(feed, "subtitle", data_line(dataset, register_on, changes))
    sub(feed, "id", feed_url)
    sub(feed, "updated", _utc(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=base_url)
    author = sub(feed, "author")
    sub(author, "name", "Police and public health collaboration dashboard")
    for change in shown:
        entry = sub(feed, "entry")
        sub(entry, "title", headline(change))
        sub(entry, "id", f"{feed_url}#change-{change.id}")
        sub(entry, "updated", _utc(change.at))
        sub(entry, "link", rel="alternate", type="text/html", href=_absolute(base_url, view_link(change, "")))
        # Work that spans several force areas: each other force's view too, which lists it as well.
        for other in change.force_ids[1:] if change.about_id else ():
            sub(
                entry,
                "link",
                rel="related",
                type="text/html",
                href=_absolute(base_url, ViewState(force=other).to_query()),
            )
        sub(entry, "summary", f"{place_of(change, dataset)}{detail_line(change)}")
    # The paper's dataset itself, last, as the page's list ends with it: with nothing published through the
    # register, its release is the latest change a reader can see.
    entry = sub(feed, "entry")
    sub(entry, "title", f"Dataset version {dataset.version} released")
    sub(entry, "id", f"{feed_url}#dataset-{dataset.version}")
    sub(entry, "updated", _utc(release))
    sub(entry, "link", rel="alternate", type="text/html", href=base_url)
    sub(entry, "summary", dataset_release_line(dataset))
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode")).encode()


def _absolute(base_url: str, query: str) -> str:
    return base_url + query
