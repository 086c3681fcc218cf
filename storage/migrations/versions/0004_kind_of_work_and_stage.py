"""Stored initiative payloads give the kind of work and the stage instead of the 2.0.0 status word.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Dataset 3.0.0 split `status` into `kind_of_work` and `stage`. This rewrites the payload of every initiative
in `records` (published or withdrawn) and of every pending submission of an initiative, so that what is
stored is what the form now sends. Submissions already decided (published, returned) are the record of what
was sent, as history is, and keep their words; history rows are append-only and are not touched.

The mapping is copied here as literal data, not imported from domain.schema: a migration keeps the meaning
it had when it was written, whatever the app's code says later. A status word not in the mapping is left as
it is; the app still reads a `status` and reports a word it does not know against the record.

Downgrade writes a status word back: exactly the word a pair came from, for every pair the mapping makes;
for a pair sent since (say a service that is running), the nearest word, as the app derived it in 3.0.0
(domain.schema.status_of), because the code before this revision cannot read a record without one.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATUS_AS_KIND_AND_STAGE = {
    "established": ("not stated", "running"),
    "pilot": ("pilot", "running"),
    "one-off operation": ("operation", "completed"),
    "campaign": ("campaign", "running"),
    "planned": ("not stated", "planned"),
    "in development": ("not stated", "in development"),
    "proposed": ("not stated", "proposed"),
    "published": ("product", "completed"),
}

records = sa.table(
    "records", sa.column("record_id", sa.Text()), sa.column("kind", sa.Text()), sa.column("payload", sa.JSON())
)
submissions = sa.table(
    "submissions",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.Text()),
    sa.column("status", sa.Text()),
    sa.column("payload", sa.JSON()),
)


def status_word(kind_of_work: str, stage: str) -> str:
    """The 2.0.0 word for a kind and a stage: the one it came from, else the nearest."""
    for word, pair in STATUS_AS_KIND_AND_STAGE.items():
        if pair == (kind_of_work, stage):
            return word
    if stage in ("proposed", "planned", "in development"):
        return stage
    if stage == "running":
        return kind_of_work if kind_of_work in ("pilot", "campaign") else "established"
    if kind_of_work == "product":
        return "published"
    return "one-off operation" if kind_of_work in ("operation", "event", "project") else "established"


def split_status(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload with kind_of_work and stage where status was, or None when there is nothing to change."""
    word = payload.get("status")
    if not isinstance(word, str) or word.strip() not in STATUS_AS_KIND_AND_STAGE:
        return None
    if "kind_of_work" in payload or "stage" in payload:
        return None
    kind_of_work, stage = STATUS_AS_KIND_AND_STAGE[word.strip()]
    rewritten: dict[str, Any] = {}
    for key, value in payload.items():  # in place of status, so a reader sees the fields in the form's order
        if key == "status":
            rewritten.update(kind_of_work=kind_of_work, stage=stage)
        else:
            rewritten[key] = value
    return rewritten


def join_status(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload with a status word in place of kind_of_work and stage, or None when it has no such pair."""
    kind_of_work, stage = payload.get("kind_of_work"), payload.get("stage")
    if not isinstance(kind_of_work, str) or not isinstance(stage, str) or "status" in payload:
        return None
    rewritten: dict[str, Any] = {}
    for key, value in payload.items():
        if key == "kind_of_work":
            rewritten["status"] = status_word(kind_of_work, stage)
        elif key != "stage":
            rewritten[key] = value
    return rewritten


def _rewrite(change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    connection = op.get_bind()
    for row in connection.execute(
        sa.select(records.c.record_id, records.c.payload).where(records.c.kind == "initiative")
    ).all():
        payload = change(row.payload) if isinstance(row.payload, dict) else None
        if payload is not None:
            connection.execute(records.update().where(records.c.record_id == row.record_id).values(payload=payload))
    for row in connection.execute(
        sa.select(submissions.c.id, submissions.c.payload).where(
            submissions.c.kind.in_(("new initiative", "update")), submissions.c.status == "pending"
        )
    ).all():
        payload = change(row.payload) if isinstance(row.payload, dict) else None
        if payload is not None:
            connection.execute(submissions.update().where(submissions.c.id == row.id).values(payload=payload))


def upgrade() -> None:
    _rewrite(split_status)


def downgrade() -> None:
    _rewrite(join_status)
