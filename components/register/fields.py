"""UI feature, the register: the initiative form's fields, shared by proposing and by an update's draft.

The figure rows follow `domain.register.FIGURE_FIELDS`; a new initiative field joins TEXT_FIELDS or
CHOICE_FIELDS here (and gets its control in components/register/propose.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dash import Output, no_update

from components.register.common import rid
from domain.register import FIGURE_FIELDS, form_figure, form_text

FIGURE_ROWS = 5  # rows the form offers; an import may carry more, and an update keeps those as they are
TEXT_FIELDS = ("title", "place", "lead_organisations", "partners", "start_year", "end_year", "summary", "source")
CHOICE_FIELDS = ("force_ids", "themes", "kind_of_work", "stage", "evaluation")
MULTI_CHOICE_FIELDS = ("force_ids", "themes")
# Lists typed one item per line (a textarea): sent as a list. A draft kept before the form asked for lines holds
# its items separated by "|", and is read the same way.
LINE_LIST_FIELDS = ("lead_organisations", "partners")
# the other figure fields are choices
FIGURE_TEXT = ("measure", "value", "period", "comparator", "design", "caveat", "source")


# "Force areas" has an option of its own for work that names none, so that leaving the box empty (or typing a name
# it does not know, which it drops) is never read as national work: a trial's "Narnia Constabulary" was sent as
# national work without a word. Sent as no force at all (components/register/propose.py, force_choice_problems).
NATIONAL_CHOICE = "national"
NATIONAL_LABEL = "National work: no force area"
FORCE_AREAS_EMPTY = (
    "Choose the force areas the work covers, or “National work: no force area” if it covers none. A name the list "
    "does not offer is not kept: choose the nearest force, and say the rest in Place."
)
FORCE_AREAS_BOTH = "Choose either “National work: no force area” or force areas, not both."


def figure_id(index: int, name: str) -> str:
    return rid(f"figure-{index}-{name}")


def shown_rows(count: Any) -> int:
    """The figure rows on show, from the browser's count: 1 unless it is a whole number of rows offered."""
    return count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= FIGURE_ROWS else 1


def form_values(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """The form's fields holding `payload` (None: empty), figures in their rows: the shape of `form_outputs`
    without its two stores."""
    payload = payload or {}
    figures = [f for f in payload.get("figures", []) if isinstance(f, Mapping)]
    rows = []
    for index in range(FIGURE_ROWS):
        shown = form_figure(figures[index]) if index < len(figures) else {}
        rows.append(
            {f: shown.get(f, "") if f in FIGURE_TEXT else (shown.get(f) if shown else None) for f in FIGURE_FIELDS}
        )
    return dict(
        text={f: _joined(payload.get(f), "\n" if f in LINE_LIST_FIELDS else " | ") for f in TEXT_FIELDS},
        choices={
            f: (list(payload.get(f) or []) if f in MULTI_CHOICE_FIELDS else payload.get(f) or None)
            for f in CHOICE_FIELDS
        }
        | national_when_none(payload),
        rows=rows,
        count=max(1, min(len(figures), FIGURE_ROWS)),
    )


def national_when_none(payload: Mapping[str, Any]) -> dict[str, list[str]]:
    """A record loaded with no force area (national work) shows "National work" chosen, so it is sent as it was."""
    return {"force_ids": [NATIONAL_CHOICE]} if payload and not payload.get("force_ids") else {}


def _joined(value: Any, separator: str) -> str:
    return separator.join(map(form_text, value)) if isinstance(value, (list, tuple)) else form_text(value)


def listed(value: Any) -> Any:
    """A list field's text as the list it sends: one item a line (or, in a draft kept before the form asked
    for lines, between "|"), each trimmed, empty lines dropped. Anything but text is left for the domain's
    checks to refuse."""
    if not isinstance(value, str):
        return value
    return [item.strip() for item in re.split(r"[\r\n|]+", value) if item.strip()]


def control_order() -> tuple[str, ...]:
    """The initiative form's controls, by id, in the order the form shows them: the error summary's order."""
    return (
        rid("update-of"),
        rid("title"),
        rid("force_ids"),
        rid("place"),
        *(rid(f) for f in LINE_LIST_FIELDS),
        rid("themes"),
        rid("kind_of_work"),
        rid("stage"),
        rid("evaluation"),
        rid("start_year"),
        rid("end_year"),
        rid("summary"),
        rid("source"),
        *(figure_id(i, f) for i in range(FIGURE_ROWS) for f in FIGURE_FIELDS),
    )


def control_id(field: str) -> str | None:
    """The id of the control a problem's field is typed or chosen in (the error summary's links focus it);
    None for a problem no one control holds (the proposal as a whole, the list of figures, a figure past the
    rows shown)."""
    if field in (*TEXT_FIELDS, *CHOICE_FIELDS):
        return rid(field)
    if field == "record_id":
        return rid("update-of")
    parts = field.split(".")
    if (
        len(parts) == 3
        and parts[0] == "figures"
        and parts[1].isdigit()
        and int(parts[1]) < FIGURE_ROWS
        and parts[2] in FIGURE_FIELDS
    ):
        return figure_id(int(parts[1]), parts[2])
    return None


def form_outputs() -> dict[str, Any]:
    """Every field of the form, its figure count and the record it holds, as one dict-keyed output group
    (shared by the callbacks that empty the form and that load a record into it)."""
    return dict(
        text={f: Output(rid(f), "value", allow_duplicate=True) for f in TEXT_FIELDS},
        choices={f: Output(rid(f), "value", allow_duplicate=True) for f in CHOICE_FIELDS},
        rows=[
            {f: Output(figure_id(i, f), "value", allow_duplicate=True) for f in FIGURE_FIELDS}
            for i in range(FIGURE_ROWS)
        ],
        count=Output(rid("figure-count"), "data", allow_duplicate=True),
        base_revision=Output(rid("base-revision"), "data", allow_duplicate=True),
        loaded=Output(rid("loaded-record"), "data", allow_duplicate=True),
    )


def unchanged_form() -> dict[str, Any]:
    """Every output of `form_outputs` left as it is."""
    return {k: no_update for k in form_outputs()}


def empty_form() -> dict[str, Any]:
    """Every output of `form_outputs` for an empty form holding no record."""
    return {**form_values(None), "base_revision": None, "loaded": None}
