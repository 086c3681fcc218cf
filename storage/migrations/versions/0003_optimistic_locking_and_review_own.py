"""Optimistic locking, four eyes and amended notes: submissions.base_revision, records.self_published and
the history action "amended".

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

`base_revision` is the record revision an update was proposed against; publication refuses it once the
record has moved on. Updates already waiting when this runs get the record's revision of now, which is
what they were made against unless a later update was published meanwhile (there was no lock before).

SQLite cannot alter a CHECK constraint, so history is rebuilt there (batch mode); the rebuild drops the
table's append-only triggers with it, so they are dropped first and made again afterwards, exactly as
0002 made them. Nothing in history changes: the rows are copied as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = ("submitted", "returned", "published", "withdrawn", "imported")
ACTIONS_AFTER = (*ACTIONS_BEFORE, "amended")
REFUSAL = "history is append-only"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER history_refuse_update BEFORE UPDATE ON history BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    f"CREATE TRIGGER history_refuse_delete BEFORE DELETE ON history BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
]


def upgrade() -> None:
    op.add_column("submissions", sa.Column("base_revision", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE submissions SET base_revision = (SELECT revision FROM records "
        "WHERE records.record_id = submissions.record_id) WHERE kind = 'update' AND status = 'pending'"
    )
    op.add_column("records", sa.Column("self_published", sa.Boolean(), nullable=False, server_default=sa.false()))
    _replace_action_check(ACTIONS_AFTER)


def downgrade() -> None:
    _replace_action_check(ACTIONS_BEFORE)
    # A plain DROP COLUMN (SQLite 3.35+), not a batch rebuild: records is referenced by history, and
    # dropping it to rebuild it fails the foreign key.
    op.drop_column("records", "self_published")
    op.drop_column("submissions", "base_revision")


def _replace_action_check(actions: tuple[str, ...]) -> None:
    condition = "action IN ({})".format(", ".join(f"'{action}'" for action in actions))
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("ck_history_action", "history", type_="check")
        op.create_check_constraint("ck_history_action", "history", condition)
        return
    for trigger in ("history_refuse_update", "history_refuse_delete"):
        op.execute(f"DROP TRIGGER {trigger}")
    with op.batch_alter_table("history", recreate="always") as batch:
        batch.drop_constraint("ck_history_action", type_="check")
        batch.create_check_constraint("ck_history_action", condition)
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
