"""Storage layer: the register's tables as typed ORM classes, used only inside storage.

The schema itself is made by the migrations in storage/migrations; a test checks that these classes
and the migrated database agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import JSON, Boolean, DateTime, Dialect, ForeignKey, Index, Integer, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


SubmissionKind = Literal["new initiative", "update", "note"]
SubmissionStatus = Literal["pending", "returned", "published", "withdrawn"]
RecordKind = Literal["initiative", "note"]
RecordState = Literal["published", "withdrawn"]
HistoryAction = Literal["submitted", "returned", "published", "withdrawn", "imported", "amended"]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored and read back in UTC on every database.

    SQLite keeps datetimes as text without an offset: without this, what is read back is naive, and
    a comparison with an aware value in another zone would compare wall-clock strings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"the register stores timezone-aware datetimes only, got {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class SubmissionRow(Base):
    """A proposal by an intranet user, waiting for or having had a reviewer's decision."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_submissions_idempotency_key"),
        Index("ix_submissions_submitted_by_submitted_at", "submitted_by", "submitted_at"),
        # One proposal at most follows a returned one: two sent at once cannot both claim it.
        Index("uq_submissions_resubmits", "resubmits", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[SubmissionKind] = mapped_column(Text)
    record_id: Mapped[str | None] = mapped_column(Text)
    about_id: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[SubmissionStatus] = mapped_column(Text, default="pending", server_default="pending")
    review_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(Text)
    # For an update: the revision of the record the proposal was made against (optimistic locking).
    base_revision: Mapped[int | None] = mapped_column(Integer)
    # A proposal sent again after its reviewer returned it: the returned submission it follows.
    resubmits: Mapped[int | None] = mapped_column(Integer)


class RecordRow(Base):
    """What the register publishes: an initiative or a note, in its latest published revision."""

    __tablename__ = "records"

    record_id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[RecordKind] = mapped_column(Text)
    about_id: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[RecordState] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(Text)
    organisation: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("submissions.id", name="fk_records_submission_id")
    )
    # The reviewer who published this revision also proposed it (allowed only with PPH_REVIEW_OWN=1).
    self_published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class HistoryRow(Base):
    """One event in the life of a submission or record; rows are only ever added (the database refuses changes)."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[HistoryAction] = mapped_column(Text)
    submission_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("submissions.id", name="fk_history_submission_id"), index=True
    )
    record_id: Mapped[str | None] = mapped_column(
        Text, ForeignKey("records.record_id", name="fk_history_record_id"), index=True
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
