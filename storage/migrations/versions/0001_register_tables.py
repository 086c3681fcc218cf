"""Register tables: submissions, published records and their history.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written by hand with explicit tables: a migration must never import storage.models, whose shape is
that of the latest revision, not of this one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=True),
        sa.Column("about_id", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default="pending"),
        sa.Column("review_comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.Text(), nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_submissions_idempotency_key"),
        sa.CheckConstraint("kind IN ('new initiative', 'update', 'note')", name="ck_submissions_kind"),
        sa.CheckConstraint("status IN ('pending', 'returned', 'published', 'withdrawn')", name="ck_submissions_status"),
    )
    op.create_table(
        "records",
        sa.Column("record_id", sa.Text(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("about_id", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey("submissions.id", name="fk_records_submission_id"),
            nullable=True,
        ),
        sa.CheckConstraint("kind IN ('initiative', 'note')", name="ck_records_kind"),
        sa.CheckConstraint("state IN ('published', 'withdrawn')", name="ck_records_state"),
        sa.CheckConstraint("revision >= 1", name="ck_records_revision"),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey("submissions.id", name="fk_history_submission_id"),
            nullable=True,
        ),
        sa.Column(
            "record_id", sa.Text(), sa.ForeignKey("records.record_id", name="fk_history_record_id"), nullable=True
        ),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "action IN ('submitted', 'returned', 'published', 'withdrawn', 'imported')", name="ck_history_action"
        ),
    )
    op.create_index("ix_history_record_id", "history", ["record_id"])
    op.create_index("ix_history_submission_id", "history", ["submission_id"])


def downgrade() -> None:
    op.drop_table("history")
    op.drop_table("records")
    op.drop_table("submissions")
