"""Whether a proposed initiative may be work the dashboard already holds: in the paper, published from the register,
or waiting for review. A reviewer is told before publishing, so the same work is not counted twice on the map; the
proposal is never refused for it (two pieces of work can share a name)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.loading import Dataset

# Share of the two titles' words they have in common, above which two initiatives in the same area read as one:
# "Bristol street triage pilot" and "Street triage pilot, Bristol" (1.0), not "Bristol street triage" and
# "Bristol youth diversion" (0.2).
SIMILAR_TITLES = 0.75


@dataclass(frozen=True)
class Held:
    """An initiative the dashboard holds or may soon hold, as a reviewer needs to find it."""

    label: str  # "reg-0001", "leicestershire-triage-car", "#4": what the reviewer looks it up by
    title: str
    force_ids: tuple[str, ...]
    where: str  # "published from the register", "in the 2016 paper", "also waiting for review"


def held_initiatives(dataset: Dataset, waiting: Iterable[tuple[int, Mapping[str, Any]]] = ()) -> list[Held]:
    """Every initiative the dashboard shows, and every new one `waiting` for review (submission number, payload):
    what a new proposal is checked against."""
    where = {"paper": "in the 2016 paper", "register": "published from the register"}
    return [
        *(Held(i.id, i.title, i.force_ids, where[dataset.provenance_of(i.id).source]) for i in dataset.initiatives),
        *(
            Held(
                f"#{number}",
                str(payload.get("title") or ""),
                tuple(payload.get("force_ids") or ()),
                "also waiting for review",
            )
            for number, payload in waiting
        ),
    ]


def title_words(title: str) -> tuple[str, ...]:
    """A title's words, lower case, without punctuation: "Bristol Street-Triage (pilot)" and "bristol street triage
    pilot" are the same title."""
    return tuple(re.findall(r"[a-z0-9]+", title.lower()))


def same_work(title: str, force_ids: Sequence[str], other: Held) -> bool:
    """The same title, whatever its case and punctuation; or titles mostly of the same words for work in a shared
    force area (national work, with no force area, shares England)."""
    mine, theirs = title_words(title), title_words(other.title)
    if not mine or not theirs:
        return False
    if mine == theirs:
        return True
    shared_area = bool(set(force_ids) & set(other.force_ids)) or (not force_ids and not other.force_ids)
    words, other_words = set(mine), set(theirs)
    return shared_area and len(words & other_words) / len(words | other_words) >= SIMILAR_TITLES


def likely_same_work(title: str, force_ids: Sequence[str], held: Iterable[Held]) -> list[Held]:
    """What of `held` may be the same work as a proposal titled `title` for `force_ids`."""
    return [other for other in held if same_work(title, force_ids, other)]


def said_of(matches: Sequence[Held], force_names: Mapping[str, str]) -> str:
    """The reviewer's warning in words, or "" when nothing matches."""
    if not matches:
        return ""

    def one(held: Held) -> str:
        areas = ", ".join(force_names.get(f, f) for f in held.force_ids) or "national work"
        return f"{held.label} “{held.title}” ({areas}; {held.where})"

    return (
        f"Possibly the same work as {'; '.join(one(m) for m in matches)}. Publishing both would count the work "
        "twice on the map: check they differ, or return this one with a comment."
    )
