"""A proposal sent again after its reviewer returned it names the one it follows: submissions.resubmits.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

"Edit and send again" loads a returned proposal into the form; what is then sent is a new submission that
names the returned one, so its reviewer reads it with the comment it answers, and its contributor sees the
returned one "sent again as #N". Submissions sent before this revision follow none (NULL).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("resubmits", sa.Integer(), nullable=True))
    # One proposal at most follows a returned one: two sent at once cannot both claim it (NULLs are all allowed).
    op.create_index("uq_submissions_resubmits", "submissions", ["resubmits"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_submissions_resubmits", table_name="submissions")
    # A plain DROP COLUMN (SQLite 3.35+), as 0003's downgrade does.
    op.drop_column("submissions", "resubmits")
