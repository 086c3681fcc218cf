"""Check command: no summary or figure label repeats a long run of the paper's words.

Summaries, descriptions and reasons must be the project's own words: none may repeat 8 or more
consecutive words of the paper. Figure labels (measure, comparator) may not repeat 10 or more.
Names (titles, organisations, theme labels) and section headings may quote the paper, so they are
not checked. Run `python -m pipelines.own_words [PAPER]`; it exits 1 and lists every overlap.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from domain.loading import Dataset, load_dataset

DEFAULT_PAPER = Path(__file__).resolve().parents[1] / "data" / "source" / "police-and-public-health-2016.txt"
DEFAULT_DATA = Path(__file__).resolve().parents[1] / "data"
PROSE_LIMIT = 8  # words: summaries, descriptions, reasons
LABEL_LIMIT = 10  # words: figure measures and comparators

_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "&": " and ", "\u2013": " ", "\u2014": " "}
)


def words(text: str) -> list[str]:
    """Lower-case word tokens, so punctuation, quotes and line breaks never hide a copied run."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.translate(_QUOTES).casefold())


@dataclass(frozen=True)
class Overlap:
    where: str  # e.g. "initiatives.csv jobs-friends-houses summary"
    run: str  # the longest run of consecutive words shared with the paper
    length: int
    limit: int

    def __str__(self) -> str:
        return (
            f'{self.where}: repeats {self.length} consecutive words of the paper (limit {self.limit - 1}): "{self.run}"'
        )


class PaperIndex:
    """Every run of `n` consecutive words of the paper, for the limits in use."""

    def __init__(self, paper_text: str, sizes: Iterable[int] = (PROSE_LIMIT, LABEL_LIMIT)):
        tokens = words(paper_text)
        self._grams = {n: {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)} for n in set(sizes)}

    def longest_shared_run(self, text: str, limit: int) -> tuple[int, str]:
        """(length, words) of the longest run of `text` found in the paper, if it reaches `limit`; else (0, '')."""
        tokens = words(text)
        grams = self._grams[limit]
        best = (0, "")
        for start in range(len(tokens) - limit + 1):
            if tuple(tokens[start : start + limit]) not in grams:
                continue
            stop = start + limit
            # Extend while the longer run still starts a run of the paper (checked through its last n-gram).
            while stop < len(tokens) and tuple(tokens[stop - limit + 1 : stop + 1]) in grams:
                stop += 1
            if stop - start > best[0]:
                best = (stop - start, " ".join(tokens[start:stop]))
        return best


def texts_to_check(dataset: Dataset) -> list[tuple[str, str, int]]:
    """(where, text, limit) for every field that must be in the project's own words."""
    checks: list[tuple[str, str, int]] = []
    for i in dataset.initiatives:
        checks.append((f"initiatives.csv {i.id} summary", i.summary, PROSE_LIMIT))
    for t in dataset.themes:
        checks.append((f"themes.csv {t.id} description", t.description, PROSE_LIMIT))
    for e in dataset.inventory:
        checks.append((f"inventory.csv {e.name!r} reason", e.reason, PROSE_LIMIT))
    for o in dataset.outcomes:
        checks.append((f"outcomes.csv {o.id} measure", o.measure, LABEL_LIMIT))
        checks.append((f"outcomes.csv {o.id} comparator", o.comparator, LABEL_LIMIT))
        checks.append((f"outcomes.csv {o.id} design", o.design, PROSE_LIMIT))
        checks.append((f"outcomes.csv {o.id} caveat", o.caveat, PROSE_LIMIT))
    return checks


def find_overlaps(paper_text: str, checks: Sequence[tuple[str, str, int]]) -> list[Overlap]:
    index = PaperIndex(paper_text, {limit for _, _, limit in checks} or {PROSE_LIMIT})
    overlaps = []
    for where, text, limit in checks:
        length, run = index.longest_shared_run(text, limit)
        if length:
            overlaps.append(Overlap(where, run, length, limit))
    return overlaps


def main(argv: Sequence[str]) -> int:
    paper = Path(argv[0]) if argv else DEFAULT_PAPER
    overlaps = find_overlaps(paper.read_text(encoding="utf-8"), texts_to_check(load_dataset(DEFAULT_DATA)))
    for overlap in overlaps:
        print(overlap)
    print(f"{len(overlaps)} overlap(s) with {paper.name}")
    return 1 if overlaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
