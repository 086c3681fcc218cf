"""Storage layer: the register's reads and writes, as plain functions over an engine.

Each function opens its own transaction and commits it before returning, so a write the caller sees
acknowledged is on disk. Every change to a submission or record adds a history row in the same
transaction. Times come in as `now` so that callers and tests decide the clock. What comes back is
frozen dataclasses; no session or ORM object leaves this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast, get_args

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.database import for_writes, unavailable_as_register_error
from storage.errors import Conflict, LimitReached, NotFound, RegisterUnavailable
from storage.models import (
    HistoryAction,
    HistoryRow,
    RecordKind,
    RecordRow,
    RecordState,
    SubmissionKind,
    SubmissionRow,
    SubmissionStatus,
)

__all__ = [
    "Conflict", "HistoryEntry", "LimitReached", "NotFound", "PublishedRecord", "RegisterUnavailable", "Submission",
    "get_record", "get_submission", "history", "import_records", "pending", "pending_count", "publish", "published_records",
    "published_revision", "return_submission", "SubmissionLimit", "submissions_by", "submit",
    "withdraw",
]

SUBMISSION_KINDS: tuple[str, ...] = get_args(SubmissionKind)
RECORD_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The actions after which what is published differs; `published_revision` follows them.
PUBLISHING_ACTIONS = ("published", "withdrawn", "imported")
# The first key of the advisory locks that make one user's limited submissions take turns on PostgreSQL
# ("PPHS" in ASCII), apart from the migration lock's key.
SUBMISSION_LOCK_NAMESPACE = 0x50504853


@dataclass(frozen=True)
class SubmissionLimit:
    """At most `count` submissions per user at or after `since`."""

    count: int
    since: datetime


@dataclass(frozen=True)
class Submission:
    """A proposal as stored, with the reviewer's decision once there is one."""

    id: int
    kind: SubmissionKind
    record_id: str | None
    about_id: str | None
    payload: dict[str, Any]
    submitted_by: str
    submitted_at: datetime
    status: SubmissionStatus
    review_comment: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    idempotency_key: str | None


@dataclass(frozen=True)
class PublishedRecord:
    """A register record in its latest published revision (or withdrawn, kept for the record)."""

    record_id: str
    kind: RecordKind
    about_id: str | None
    payload: dict[str, Any]
    state: RecordState
    published_at: datetime
    published_by: str
    organisation: str
    revision: int
    submission_id: int | None


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a submission or record, by whom and when."""

    id: int
    at: datetime
    actor: str
    action: HistoryAction
    submission_id: int | None
    record_id: str | None
    detail: dict[str, Any]


# --- writes ---------------------------------------------------------------------------------------


def submit(engine: Engine, *, user: str, kind: str, payload: dict[str, Any], now: datetime,
           record_id: str | None = None, about_id: str | None = None,
           idempotency_key: str | None = None, limit: SubmissionLimit | None = None) -> Submission:
    """Store a pending submission and its "submitted" history row together.

    With an idempotency key, a retried request (a double click, a resent form) returns the
    submission the first attempt stored instead of storing it twice, whatever the limit says.
    With a limit, a user who has already sent `limit.count` submissions since `limit.since` gets
    LimitReached; the count and the insert are one transaction, so racing requests cannot both pass.
    """
    checked_kind = _check_submission_shape(kind, record_id, about_id)
    _check_aware(now)
    if limit is not None:
        _check_aware(limit.since)
    try:
        with _transaction(engine, writes=True) as session:
            if limit is not None:
                _serialize_per_user(session, user)
            if idempotency_key is not None:
                earlier = _submission_with_key(session, idempotency_key, user)
                if earlier is not None:
                    return earlier
            if limit is not None and _count_since(session, user, limit.since) >= limit.count:
                raise LimitReached(f"{user} has sent {limit.count} submissions since {limit.since:%Y-%m-%d %H:%M} UTC")
            if kind == "update":
                _published_record_row(session, record_id)
            row = SubmissionRow(kind=checked_kind, record_id=record_id, about_id=about_id, payload=dict(payload),
                                submitted_by=user, submitted_at=now, status="pending", review_comment="",
                                idempotency_key=idempotency_key)
            session.add(row)
            session.flush()
            _record_history(session, now, user, "submitted", submission_id=row.id, record_id=record_id,
                            detail={"kind": kind})
            return _submission_from(row)
    except IntegrityError:
        if idempotency_key is None:
            raise
        # Two first attempts raced on PostgreSQL and the other one stored first: answer with its submission.
        with _transaction(engine) as session:
            earlier = _submission_with_key(session, idempotency_key, user)
        if earlier is None:
            raise
        return earlier


def publish(engine: Engine, *, submission_id: int, reviewer: str, organisation: str,
            now: datetime) -> PublishedRecord:
    """Publish a pending submission: a new record, or the next revision of the record it updates.

    The status changes with a conditional UPDATE (only while still pending), so when two reviewers
    publish the same submission at once exactly one succeeds and the other gets Conflict.
    """
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        submission = _claim_pending(session, submission_id, "published", reviewer, now)
        if submission.kind == "update":
            record, detail = _apply_update(session, submission, reviewer, organisation, now)
        else:
            record = _create_record(session, submission, reviewer, organisation, now)
            detail = {"created": record.record_id}
        session.flush()
        _record_history(session, now, reviewer, "published", submission_id=submission.id,
                        record_id=record.record_id, detail=detail)
        return _record_from(record)


def return_submission(engine: Engine, *, submission_id: int, reviewer: str, comment: str,
                      now: datetime) -> Submission:
    """Send a pending submission back to its author with the reviewer's reason, which is required."""
    if not comment.strip():
        raise ValueError("a returned submission needs a comment saying what to change")
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        submission = _claim_pending(session, submission_id, "returned", reviewer, now, review_comment=comment)
        _record_history(session, now, reviewer, "returned", submission_id=submission.id,
                        record_id=submission.record_id, detail={"comment": comment})
        return _submission_from(submission)


def withdraw(engine: Engine, *, record_id: str, user: str, reason: str, now: datetime) -> PublishedRecord:
    """Take a record out of what is published; the row and its history stay, for the audit trail."""
    if not reason.strip():
        raise ValueError("withdrawing a record needs a reason")
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        record = _published_record_row(session, record_id)
        record.state = "withdrawn"
        session.flush()
        _record_history(session, now, user, "withdrawn", submission_id=None, record_id=record_id,
                        detail={"reason": reason})
        return _record_from(record)


def import_records(engine: Engine, *, user: str, records: list[tuple[str, dict[str, Any]]], organisation: str,
                   now: datetime) -> list[PublishedRecord]:
    """Store already-validated initiatives as published, each with an "imported" history row.

    All or nothing: one taken or repeated record id and none of the batch is stored.
    """
    for record_id, _payload in records:
        _check_record_id(record_id)
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        stored = []
        for record_id, payload in records:
            if session.get(RecordRow, record_id) is not None:
                raise Conflict(f"record {record_id} already exists; nothing was imported")
            row = RecordRow(record_id=record_id, kind="initiative", about_id=None, payload=dict(payload),
                            state="published", published_at=now, published_by=user, organisation=organisation,
                            revision=1, submission_id=None)
            session.add(row)
            session.flush()
            _record_history(session, now, user, "imported", submission_id=None, record_id=record_id, detail={})
            stored.append(_record_from(row))
        return stored


# --- reads ----------------------------------------------------------------------------------------


def get_submission(engine: Engine, submission_id: int) -> Submission:
    """One submission, whatever its status."""
    with _transaction(engine) as session:
        return _submission_from(_submission_row(session, submission_id))


def submissions_by(engine: Engine, user: str) -> list[Submission]:
    """A user's own submissions, newest first: what they see on "my submissions"."""
    query = (select(SubmissionRow).where(SubmissionRow.submitted_by == user)
             .order_by(SubmissionRow.submitted_at.desc(), SubmissionRow.id.desc()))
    with _transaction(engine) as session:
        return [_submission_from(row) for row in session.scalars(query)]


def pending(engine: Engine, limit: int | None = None) -> list[Submission]:
    """Submissions waiting for a reviewer, oldest first, so the queue is worked in order; the first
    `limit` of them when given."""
    query = (select(SubmissionRow).where(SubmissionRow.status == "pending")
             .order_by(SubmissionRow.submitted_at, SubmissionRow.id).limit(limit))
    with _transaction(engine) as session:
        return [_submission_from(row) for row in session.scalars(query)]


def pending_count(engine: Engine) -> int:
    """How many submissions wait for a reviewer."""
    query = select(func.count()).select_from(SubmissionRow).where(SubmissionRow.status == "pending")
    with _transaction(engine) as session:
        return int(session.scalar(query) or 0)


def get_record(engine: Engine, record_id: str) -> PublishedRecord:
    """One record, published or withdrawn."""
    with _transaction(engine) as session:
        return _record_from(_record_row(session, record_id))


def published_records(engine: Engine) -> list[PublishedRecord]:
    """Everything currently published (withdrawn records left out), ordered by record id."""
    query = select(RecordRow).where(RecordRow.state == "published").order_by(RecordRow.record_id)
    with _transaction(engine) as session:
        return [_record_from(row) for row in session.scalars(query)]


def published_revision(engine: Engine) -> int:
    """A number that rises whenever what is published changes (0 before anything is).

    Cheap enough for every worker to poll, so each knows when to reload `published_records`.
    It counts the publishing history rows rather than taking the largest id: PostgreSQL gives ids at
    insert, not at commit, so a slow publication can commit a smaller id after a reader has seen a
    larger one, and the largest id would not change. History is append-only (the database refuses
    deletes), so every committed publication adds exactly one to the count, on both databases.
    """
    query = select(func.count()).select_from(HistoryRow).where(HistoryRow.action.in_(PUBLISHING_ACTIONS))
    with _transaction(engine) as session:
        return session.scalar(query) or 0


def history(engine: Engine, record_id: str | None = None, submission_id: int | None = None) -> list[HistoryEntry]:
    """The history of a record and/or a submission (all of it when neither is given), oldest first."""
    query = select(HistoryRow).order_by(HistoryRow.id)
    if record_id is not None:
        query = query.where(HistoryRow.record_id == record_id)
    if submission_id is not None:
        query = query.where(HistoryRow.submission_id == submission_id)
    with _transaction(engine) as session:
        return [_history_from(row) for row in session.scalars(query)]


# --- helpers --------------------------------------------------------------------------------------


@contextmanager
def _transaction(engine: Engine, *, writes: bool = False) -> Iterator[Session]:
    """A session in one transaction, committed on leaving, rolled back on an exception."""
    bind = for_writes(engine) if writes else engine
    with unavailable_as_register_error(), Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


def _check_submission_shape(kind: str, record_id: str | None, about_id: str | None) -> SubmissionKind:
    if kind not in SUBMISSION_KINDS:
        raise ValueError(f"a submission's kind is one of {', '.join(SUBMISSION_KINDS)}, not {kind!r}")
    if kind == "update" and record_id is None:
        raise ValueError("an update names the record it updates (record_id)")
    if kind == "new initiative" and record_id is not None:
        raise ValueError("a new initiative gets its record id when published; record_id must be None")
    if kind == "note" and about_id is None:
        raise ValueError("a note names the initiative it is about (about_id)")
    return cast(SubmissionKind, kind)


def _check_aware(moment: datetime) -> None:
    # A naive time would be stored as if it were UTC, silently shifting it by the server's offset.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the register needs timezone-aware times, got {moment!r}")


def _check_record_id(record_id: str) -> None:
    if not RECORD_ID_PATTERN.fullmatch(record_id):
        raise ValueError(f"record id {record_id!r} is not lower-case words joined by hyphens")


def _serialize_per_user(session: Session, user: str) -> None:
    """Make one user's limited submissions take turns. SQLite's write transactions already do (BEGIN
    IMMEDIATE); on PostgreSQL a transaction-scoped advisory lock on the user's name does, so two requests
    cannot both count below the limit and then both insert."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:user))"),
                        {"namespace": SUBMISSION_LOCK_NAMESPACE, "user": user})


def _count_since(session: Session, user: str, since: datetime) -> int:
    query = select(func.count()).select_from(SubmissionRow).where(
        SubmissionRow.submitted_by == user, SubmissionRow.submitted_at >= since)
    return int(session.scalar(query) or 0)


def _submission_with_key(session: Session, idempotency_key: str, user: str) -> Submission | None:
    row = session.scalar(select(SubmissionRow).where(SubmissionRow.idempotency_key == idempotency_key))
    if row is None:
        return None
    if row.submitted_by != user:
        raise Conflict("this idempotency key belongs to another user's submission")
    return _submission_from(row)


def _claim_pending(session: Session, submission_id: int, status: SubmissionStatus, reviewer: str, now: datetime,
                   review_comment: str | None = None) -> SubmissionRow:
    """Move a submission out of "pending"; Conflict if someone else already did."""
    changes: dict[str, Any] = {"status": status, "reviewed_by": reviewer, "reviewed_at": now}
    if review_comment is not None:
        changes["review_comment"] = review_comment
    claimed = session.execute(
        update(SubmissionRow)
        .where(SubmissionRow.id == submission_id, SubmissionRow.status == "pending")
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    row = _submission_row(session, submission_id)
    if claimed.rowcount == 0:
        raise Conflict(f"submission {submission_id} is already {row.status}, not pending")
    return row


def _create_record(session: Session, submission: SubmissionRow, reviewer: str, organisation: str,
                   now: datetime) -> RecordRow:
    # Derived from the submission's id: unique without a counter to race on, and stable.
    record_id = f"reg-{submission.id:04d}"
    if session.get(RecordRow, record_id) is not None:
        raise Conflict(f"record id {record_id} is already taken (by an import?)")
    record = RecordRow(record_id=record_id, kind="note" if submission.kind == "note" else "initiative",
                       about_id=submission.about_id, payload=dict(submission.payload), state="published",
                       published_at=now, published_by=reviewer, organisation=organisation, revision=1,
                       submission_id=submission.id)
    session.add(record)
    submission.record_id = record_id
    return record


def _apply_update(session: Session, submission: SubmissionRow, reviewer: str, organisation: str,
                  now: datetime) -> tuple[RecordRow, dict[str, Any]]:
    record = _published_record_row(session, submission.record_id)
    changed = _payload_changes(record.payload, submission.payload)
    record.payload = dict(submission.payload)
    record.revision += 1
    record.published_at = now
    record.published_by = reviewer
    record.organisation = organisation
    record.submission_id = submission.id
    return record, {"changed": changed}


def _payload_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The top-level fields whose value differs, as {field: [old, new]}; a missing field counts as None."""
    return {field: [old.get(field), new.get(field)]
            for field in sorted(old.keys() | new.keys())
            if old.get(field) != new.get(field)}


def _record_history(session: Session, now: datetime, actor: str, action: HistoryAction, *,
                    submission_id: int | None, record_id: str | None, detail: dict[str, Any]) -> None:
    session.add(HistoryRow(at=now, actor=actor, action=action, submission_id=submission_id,
                           record_id=record_id, detail=detail))
    session.flush()


def _submission_row(session: Session, submission_id: int) -> SubmissionRow:
    row = session.get(SubmissionRow, submission_id)
    if row is None:
        raise NotFound(f"no submission {submission_id}")
    return row


def _record_row(session: Session, record_id: str | None) -> RecordRow:
    row = session.get(RecordRow, record_id) if record_id is not None else None
    if row is None:
        raise NotFound(f"no record {record_id}")
    return row


def _published_record_row(session: Session, record_id: str | None) -> RecordRow:
    row = _record_row(session, record_id)
    if row.state != "published":
        raise Conflict(f"record {record_id} is {row.state}")
    return row


def _submission_from(row: SubmissionRow) -> Submission:
    return Submission(id=row.id, kind=row.kind, record_id=row.record_id, about_id=row.about_id,
                      payload=dict(row.payload), submitted_by=row.submitted_by, submitted_at=row.submitted_at,
                      status=row.status, review_comment=row.review_comment,
                      reviewed_by=row.reviewed_by, reviewed_at=row.reviewed_at, idempotency_key=row.idempotency_key)


def _record_from(row: RecordRow) -> PublishedRecord:
    return PublishedRecord(record_id=row.record_id, kind=row.kind, about_id=row.about_id,
                           payload=dict(row.payload), state=row.state,
                           published_at=row.published_at, published_by=row.published_by,
                           organisation=row.organisation, revision=row.revision, submission_id=row.submission_id)


def _history_from(row: HistoryRow) -> HistoryEntry:
    return HistoryEntry(id=row.id, at=row.at, actor=row.actor, action=row.action,
                        submission_id=row.submission_id, record_id=row.record_id, detail=dict(row.detail))
