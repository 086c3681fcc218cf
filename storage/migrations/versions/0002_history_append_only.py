"""History is append-only, enforced by the database; submissions indexed for per-user rate limiting.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-01

The triggers make an UPDATE or DELETE on history fail whatever code issues it (a later bug, a
hand-typed SQL session), so the audit trail cannot silently forget. Both raise an integrity error,
on SQLite and PostgreSQL alike.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REFUSAL = "history is append-only"

SQLITE_UP = [
    f"CREATE TRIGGER history_refuse_update BEFORE UPDATE ON history BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    f"CREATE TRIGGER history_refuse_delete BEFORE DELETE ON history BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER history_refuse_delete",
    "DROP TRIGGER history_refuse_update",
]
POSTGRESQL_UP = [
    # ERRCODE 23000 (integrity_constraint_violation), as SQLite's RAISE(ABORT) reports a constraint failure.
    f"""CREATE FUNCTION history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
        END
    $$""",
    "CREATE TRIGGER history_refuse_update BEFORE UPDATE ON history FOR EACH ROW EXECUTE FUNCTION history_refuse_change()",
    "CREATE TRIGGER history_refuse_delete BEFORE DELETE ON history FOR EACH ROW EXECUTE FUNCTION history_refuse_change()",
    # TRUNCATE fires no row triggers; refuse it too.
    "CREATE TRIGGER history_refuse_truncate BEFORE TRUNCATE ON history "
    "FOR EACH STATEMENT EXECUTE FUNCTION history_refuse_change()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER history_refuse_truncate ON history",
    "DROP TRIGGER history_refuse_delete ON history",
    "DROP TRIGGER history_refuse_update ON history",
    "DROP FUNCTION history_refuse_change()",
]


def upgrade() -> None:
    for statement in _for_this_database(SQLITE_UP, POSTGRESQL_UP):
        op.execute(statement)
    op.create_index("ix_submissions_submitted_by_submitted_at", "submissions", ["submitted_by", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_submissions_submitted_by_submitted_at", table_name="submissions")
    for statement in _for_this_database(SQLITE_DOWN, POSTGRESQL_DOWN):
        op.execute(statement)


def _for_this_database(sqlite: list[str], postgresql: list[str]) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite
    if dialect == "postgresql":
        return postgresql
    raise NotImplementedError(f"no append-only triggers written for {dialect}")
