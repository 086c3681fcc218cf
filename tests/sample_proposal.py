"""A proposal every rule of the register accepts, shared by the in-process request builders
(tests/register_requests.py) and the HTTP client that imports nothing of the app (tests/deploy/register_client.py).
"""

from __future__ import annotations

from typing import Any

# A proposal every rule accepts: one force, a known theme, a kind of work and a stage, a link as source, and one
# result figure that says how it was obtained.
VALID_FIELDS: dict[str, Any] = {
    "title": "Street triage in the night-time economy",
    "force_ids": ["E23000001"],
    "place": "Town centre",
    "lead_organisations": "Police | NHS trust",
    "partners": "Council",
    "themes": ["mental-health"],
    "kind_of_work": "pilot",
    "stage": "running",
    "evaluation": "none reported",
    "start_year": "2019",
    "end_year": "2021",
    "summary": "Mental health nurses join police patrols on Friday and Saturday nights.",
    "source": "https://example.org/triage-report",
}
VALID_FIGURE: dict[str, Any] = {
    "measure": "Detentions under section 136",
    "value": "30",
    "unit": "percent",
    "qualifier": "",
    "direction": "reduction",
    "period": "first year",
    "comparator": "the year before",
    "kind": "result",
    "design": "before and after, no comparison group",
    "caveat": "",
    "source": "https://example.org/triage-report",
}
