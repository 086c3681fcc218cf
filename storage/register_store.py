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

from sqlalchemy import CursorResult, Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.database import for_writes, unavailable_as_register_error
from storage.errors import Conflict, LimitReached, NotFound, RegisterUnavailable, StaleRecord
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
    "Conflict",
    "HistoryEntry",
    "LimitReached",
    "NotFound",
    "PublishedRecord",
    "RegisterUnavailable",
    "StaleRecord",
    "Submission",
    "amend",
    "get_record",
    "get_submission",
    "history",
    "import_records",
    "pending",
    "pending_count",
    "publish",
    "published_records",
    "published_revision",
    "return_submission",
    "SubmissionLimit",
    "submissions_by",
    "submit",
    "withdraw",
    "recent_changes",
]

SUBMISSION_KINDS: tuple[str, ...] = get_args(SubmissionKind)
RECORD_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The actions after which what is published differs; `published_revision` follows them.
PUBLISHING_ACTIONS = ("published", "withdrawn", "imported", "amended")
# Record ids of this form are the register's own, given at publication from the submission's id; an import
# may not take one (see `import_records`).
PUBLICATION_ID_PREFIX = "reg-"
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
    # For an update: the record revision it was proposed against.
    base_revision: int | None = None
    # What became of the record it created or updates ("published" or "withdrawn"), and, once withdrawn,
    # when and why: what its contributor reads under "Your submissions".
    record_state: RecordState | None = None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None
    # Sent again after a reviewer returned it: the returned submission it follows, and that one's comment (what
    # its reviewer reads it against). On a returned one: the submission that followed it, once there is one.
    resubmits: int | None = None
    earlier_comment: str = ""
    resent_as: int | None = None


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
    # This revision was published by the reviewer who proposed it (PPH_REVIEW_OWN=1).
    self_published: bool = False


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


def submit(
    engine: Engine,
    *,
    user: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    record_id: str | None = None,
    about_id: str | None = None,
    idempotency_key: str | None = None,
    limit: SubmissionLimit | None = None,
    base_revision: int | None = None,
    resubmits: int | None = None,
) -> Submission:
    """Store a pending submission and its "submitted" history row together.

    `resubmits`: the returned submission of the same user's this one is sent again after; one submission at most
    follows a returned one (Conflict for a second).

    An update is stored with the record revision it was made against (`base_revision`, else the record's
    revision now), so that its publication can tell whether the record has moved on since.

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
                base_revision = _checked_base_revision(_published_record_row(session, record_id), base_revision)
            else:
                base_revision = None
            if resubmits is not None:
                _check_resubmits(session, resubmits, user)
            row = SubmissionRow(
                kind=checked_kind,
                record_id=record_id,
                about_id=about_id,
                payload=dict(payload),
                submitted_by=user,
                submitted_at=now,
                status="pending",
                review_comment="",
                idempotency_key=idempotency_key,
                base_revision=base_revision,
                resubmits=resubmits,
            )
            session.add(row)
            session.flush()
            _record_history(
                session,
                now,
                user,
                "submitted",
                submission_id=row.id,
                record_id=record_id,
                detail={
                    "kind": kind,
                    **({} if base_revision is None else {"base_revision": base_revision}),
                    **({} if resubmits is None else {"resubmits": resubmits}),
                },
            )
            return _submission_from(session, row)
    except IntegrityError:
        if resubmits is not None and idempotency_key is None:
            raise Conflict(f"#{resubmits} was already sent again.") from None
        if idempotency_key is None:
            raise
        # Two first attempts raced on PostgreSQL and the other one stored first: answer with its submission.
        with _transaction(engine) as session:
            earlier = _submission_with_key(session, idempotency_key, user)
        if earlier is None:
            raise
        return earlier


def publish(engine: Engine, *, submission_id: int, reviewer: str, organisation: str, now: datetime) -> PublishedRecord:
    """Publish a pending submission: a new record, or the next revision of the record it updates.

    The status changes with a conditional UPDATE (only while still pending), so when two reviewers
    publish the same submission at once exactly one succeeds and the other gets Conflict. An update
    replaces its record with another conditional UPDATE, on the revision it was proposed against: when
    the record has moved on (another update published, or withdrawn) it raises StaleRecord or Conflict,
    the whole transaction is rolled back and the submission stays pending.

    A reviewer publishing their own proposal is recorded as such (`self_published`, on the record and in
    the history); whether they may is the service's decision (PPH_REVIEW_OWN).
    """
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        submission = _claim_pending(session, submission_id, "published", reviewer, now)
        self_published = submission.submitted_by == reviewer
        if submission.kind == "update":
            record, detail = _apply_update(session, submission, reviewer, organisation, now, self_published)
        else:
            record = _create_record(session, submission, reviewer, organisation, now, self_published)
            detail = {"created": record.record_id}
        if self_published:
            detail["self_published"] = True
        session.flush()
        _record_history(
            session, now, reviewer, "published", submission_id=submission.id, record_id=record.record_id, detail=detail
        )
        return _record_from(record)


def return_submission(engine: Engine, *, submission_id: int, reviewer: str, comment: str, now: datetime) -> Submission:
    """Send a pending submission back to its author with the reviewer's reason, which is required."""
    if not comment.strip():
        raise ValueError("a returned submission needs a comment saying what to change")
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        submission = _claim_pending(session, submission_id, "returned", reviewer, now, review_comment=comment)
        _record_history(
            session,
            now,
            reviewer,
            "returned",
            submission_id=submission.id,
            record_id=submission.record_id,
            detail={"comment": comment},
        )
        return _submission_from(session, submission)


def withdraw(
    engine: Engine, *, record_id: str, user: str, reason: str, now: datetime, revision: int | None = None
) -> PublishedRecord:
    """Take a record out of what is published; the row and its history stay, for the audit trail.

    `revision` is the revision the withdrawing reviewer read (None: whatever is published now). The state
    changes with a conditional UPDATE on that revision, so a withdrawal racing a publication of the same
    record cannot both succeed: whichever commits second gets Conflict and changes nothing.
    """
    if not reason.strip():
        raise ValueError("withdrawing a record needs a reason")
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        record = _current_record_row(session, record_id)
        expected = record.revision if revision is None else revision
        if record.state != "published" or record.revision != expected:
            raise _moved_on(record, expected, "nothing was withdrawn")
        _change_record(session, record, expected, "nothing was withdrawn", state="withdrawn")
        _record_history(
            session,
            now,
            user,
            "withdrawn",
            submission_id=None,
            record_id=record_id,
            detail={"reason": reason, "revision": expected},
        )
        return _record_from(record)


def amend(
    engine: Engine,
    *,
    record_id: str,
    user: str,
    payload: dict[str, Any],
    reason: str,
    organisation: str,
    now: datetime,
    revision: int | None = None,
) -> PublishedRecord:
    """Publish the next revision of a note, corrected by a reviewer, with the reason in its "amended"
    history row. Locked like an update: a note that moved on since `revision` gets Conflict."""
    if not reason.strip():
        raise ValueError("amending a note needs a reason")
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        record = _current_record_row(session, record_id)
        if record.kind != "note":
            raise Conflict(
                f"Record {record_id} is an initiative; only a note is amended here, an initiative is "
                "changed by a proposed update."
            )
        expected = record.revision if revision is None else revision
        if record.state != "published" or record.revision != expected:
            raise _moved_on(record, expected, "nothing was amended")
        changed = _payload_changes(record.payload, payload)
        _change_record(
            session,
            record,
            expected,
            "nothing was amended",
            payload=dict(payload),
            revision=expected + 1,
            published_at=now,
            published_by=user,
            organisation=organisation,
            self_published=False,
        )
        _record_history(
            session,
            now,
            user,
            "amended",
            submission_id=None,
            record_id=record_id,
            detail={"reason": reason, "changed": changed, "revision": [expected, expected + 1]},
        )
        return _record_from(record)


def import_records(
    engine: Engine,
    *,
    user: str,
    records: list[tuple[str, dict[str, Any]]],
    organisation: str,
    now: datetime,
    original_ids: dict[str, str] | None = None,
) -> list[PublishedRecord]:
    """Store already-validated initiatives as published, each with an "imported" history row.

    All or nothing: one taken or repeated record id and none of the batch is stored. Ids starting
    `reg-` are refused: they belong to publications, and an imported one would take the id a pending
    submission is to be published under (the import command re-ids them first, and passes
    {new id: id in the file} as `original_ids` for the history to keep).
    """
    for record_id, _payload in records:
        _check_record_id(record_id)
        if record_id.startswith(PUBLICATION_ID_PREFIX):
            raise ValueError(
                f"record id {record_id!r} starts with {PUBLICATION_ID_PREFIX!r}, which only the "
                "register's own publications use; import it under another id"
            )
    _check_aware(now)
    with _transaction(engine, writes=True) as session:
        stored = []
        for record_id, payload in records:
            if session.get(RecordRow, record_id) is not None:
                raise Conflict(f"record {record_id} already exists; nothing was imported")
            row = RecordRow(
                record_id=record_id,
                kind="initiative",
                about_id=None,
                payload=dict(payload),
                state="published",
                published_at=now,
                published_by=user,
                organisation=organisation,
                revision=1,
                submission_id=None,
            )
            session.add(row)
            session.flush()
            original = (original_ids or {}).get(record_id)
            _record_history(
                session,
                now,
                user,
                "imported",
                submission_id=None,
                record_id=record_id,
                detail={} if original is None else {"original_id": original},
            )
            stored.append(_record_from(row))
        return stored


# --- reads ----------------------------------------------------------------------------------------


def get_submission(engine: Engine, submission_id: int) -> Submission:
    """One submission, whatever its status."""
    with _transaction(engine) as session:
        return _submission_from(session, _submission_row(session, submission_id))


def submissions_by(engine: Engine, user: str) -> list[Submission]:
    """A user's own submissions, newest first: what they see on "my submissions"."""
    query = (
        select(SubmissionRow)
        .where(SubmissionRow.submitted_by == user)
        .order_by(SubmissionRow.submitted_at.desc(), SubmissionRow.id.desc())
    )
    with _transaction(engine) as session:
        return _submissions_from(session, list(session.scalars(query)))


def pending(engine: Engine, limit: int | None = None) -> list[Submission]:
    """Submissions waiting for a reviewer, oldest first, so the queue is worked in order; the first
    `limit` of them when given."""
    query = (
        select(SubmissionRow)
        .where(SubmissionRow.status == "pending")
        .order_by(SubmissionRow.submitted_at, SubmissionRow.id)
        .limit(limit)
    )
    with _transaction(engine) as session:
        return _submissions_from(session, list(session.scalars(query)))


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


def recent_changes(engine: Engine, limit: int) -> list[tuple[HistoryEntry, PublishedRecord]]:
    """The latest `limit` changes to what is published (publications, amendments, withdrawals, imports), newest
    first, each with its record as it stands now (withdrawn ones included): what readers are told changed."""
    query = (
        select(HistoryRow, RecordRow)
        .join(RecordRow, RecordRow.record_id == HistoryRow.record_id)
        .where(HistoryRow.action.in_(PUBLISHING_ACTIONS))
        .order_by(HistoryRow.id.desc())
        .limit(limit)
    )
    with _transaction(engine) as session:
        return [(_history_from(entry), _record_from(record)) for entry, record in session.execute(query)]


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
        session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:user))"),
            {"namespace": SUBMISSION_LOCK_NAMESPACE, "user": user},
        )


def _count_since(session: Session, user: str, since: datetime) -> int:
    query = (
        select(func.count())
        .select_from(SubmissionRow)
        .where(SubmissionRow.submitted_by == user, SubmissionRow.submitted_at >= since)
    )
    return int(session.scalar(query) or 0)


def _submission_with_key(session: Session, idempotency_key: str, user: str) -> Submission | None:
    row = session.scalar(select(SubmissionRow).where(SubmissionRow.idempotency_key == idempotency_key))
    if row is None:
        return None
    if row.submitted_by != user:
        raise Conflict("this idempotency key belongs to another user's submission")
    return _submission_from(session, row)


def _claim_pending(
    session: Session,
    submission_id: int,
    status: SubmissionStatus,
    reviewer: str,
    now: datetime,
    review_comment: str | None = None,
) -> SubmissionRow:
    """Move a submission out of "pending"; Conflict if someone else already did."""
    changes: dict[str, Any] = {"status": status, "reviewed_by": reviewer, "reviewed_at": now}
    if review_comment is not None:
        changes["review_comment"] = review_comment
    # An UPDATE's result is a CursorResult, which has the rowcount; Session.execute is typed as returning Result.
    claimed = cast(
        "CursorResult[Any]",
        session.execute(
            update(SubmissionRow)
            .where(SubmissionRow.id == submission_id, SubmissionRow.status == "pending")
            .values(**changes)
            .execution_options(synchronize_session=False)
        ),
    )
    row = _submission_row(session, submission_id)
    if claimed.rowcount == 0:
        raise Conflict(f"submission {submission_id} is already {row.status}, not pending")
    return row


def _publication_id(session: Session, submission_id: int) -> str:
    """reg-NNNN from the submission's id: unique without a counter to race on, and stable. Imports may no
    longer take such ids, but a database may hold one imported before they were refused: then the first
    free reg-NNNN-2, reg-NNNN-3..., so that the submission can still be published."""
    first = f"{PUBLICATION_ID_PREFIX}{submission_id:04d}"
    candidate, suffix = first, 2
    while session.get(RecordRow, candidate) is not None:
        candidate, suffix = f"{first}-{suffix}", suffix + 1
    return candidate


def _create_record(
    session: Session, submission: SubmissionRow, reviewer: str, organisation: str, now: datetime, self_published: bool
) -> RecordRow:
    record_id = _publication_id(session, submission.id)
    record = RecordRow(
        record_id=record_id,
        kind="note" if submission.kind == "note" else "initiative",
        about_id=submission.about_id,
        payload=dict(submission.payload),
        state="published",
        published_at=now,
        published_by=reviewer,
        organisation=organisation,
        revision=1,
        submission_id=submission.id,
        self_published=self_published,
    )
    session.add(record)
    submission.record_id = record_id
    return record


def _apply_update(
    session: Session, submission: SubmissionRow, reviewer: str, organisation: str, now: datetime, self_published: bool
) -> tuple[RecordRow, dict[str, Any]]:
    """Replace the record the update was proposed against, or raise StaleRecord/Conflict if it moved on.

    The diff is taken from the payload read in this transaction; the conditional UPDATE succeeding
    proves that payload is the revision actually replaced (every payload change raises the revision).
    """
    record = _current_record_row(session, submission.record_id)
    base = record.revision if submission.base_revision is None else submission.base_revision
    if record.state != "published" or record.revision != base:
        raise _stale(record, base)
    changed = _payload_changes(record.payload, submission.payload)
    _change_record(
        session,
        record,
        base,
        None,
        payload=dict(submission.payload),
        revision=base + 1,
        published_at=now,
        published_by=reviewer,
        organisation=organisation,
        submission_id=submission.id,
        self_published=self_published,
    )
    return record, {"changed": changed, "revision": [base, base + 1]}


def _change_record(
    session: Session, record: RecordRow, expected_revision: int, refusal: str | None, **values: Any
) -> None:
    """UPDATE the record only while it is still published at `expected_revision`, then reload it.

    On PostgreSQL a concurrent writer's change is invisible to what this transaction read, but not to
    this UPDATE: it waits for the other to commit, then finds the row no longer matching, and changes
    nothing. That, not the read before it, is what keeps two writers from both succeeding.
    """
    changed = cast(
        "CursorResult[Any]",
        session.execute(  # a CursorResult, as above
            update(RecordRow)
            .where(
                RecordRow.record_id == record.record_id,
                RecordRow.revision == expected_revision,
                RecordRow.state == "published",
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    current = _current_record_row(session, record.record_id)
    if changed.rowcount == 0:
        raise _stale(current, expected_revision) if refusal is None else _moved_on(current, expected_revision, refusal)


def _stale(record: RecordRow, base_revision: int) -> Conflict:
    """Why an update proposed against `base_revision` cannot be published now."""
    if record.state != "published":
        return Conflict(
            f"Record {record.record_id} has been withdrawn since this proposal was made, so it cannot "
            "be updated. The proposal stays pending: return it to its contributor."
        )
    return StaleRecord(
        f"Record {record.record_id} changed since this proposal was made (it was revision "
        f"{base_revision}, it is now {record.revision}). The proposal stays pending: return it to "
        "its contributor to propose again against the current record."
    )


def _moved_on(record: RecordRow, expected_revision: int, refusal: str) -> Conflict:
    """Why a reviewer's withdrawal or amendment of the revision they read cannot go ahead."""
    if record.state != "published":
        return Conflict(f"Record {record.record_id} is already {record.state}; {refusal}.")
    return Conflict(
        f"Record {record.record_id} changed since you read it (it was revision {expected_revision}, "
        f"it is now {record.revision}), so {refusal}. Read it again first."
    )


def _check_resubmits(session: Session, earlier_id: int, user: str) -> None:
    """A proposal may follow only its own sender's returned submission, and only one may follow it."""
    earlier = session.get(SubmissionRow, earlier_id)
    if earlier is None or earlier.submitted_by != user or earlier.status != "returned":
        raise ValueError(f"#{earlier_id} is not a returned submission of {user}'s")
    already = session.scalar(select(SubmissionRow.id).where(SubmissionRow.resubmits == earlier_id))
    if already is not None:
        raise Conflict(f"#{earlier_id} was already sent again, as #{already}.")


def _checked_base_revision(record: RecordRow, base_revision: int | None) -> int:
    if base_revision is None:
        return record.revision
    if not 1 <= base_revision <= record.revision:
        raise ValueError(f"record {record.record_id} has no revision {base_revision} (it is at {record.revision})")
    return base_revision


def _payload_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The top-level fields whose value differs, as {field: [old, new]}; a missing field counts as None."""
    return {
        field: [old.get(field), new.get(field)]
        for field in sorted(old.keys() | new.keys())
        if old.get(field) != new.get(field)
    }


def _record_history(
    session: Session,
    now: datetime,
    actor: str,
    action: HistoryAction,
    *,
    submission_id: int | None,
    record_id: str | None,
    detail: dict[str, Any],
) -> None:
    session.add(
        HistoryRow(at=now, actor=actor, action=action, submission_id=submission_id, record_id=record_id, detail=detail)
    )
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


def _current_record_row(session: Session, record_id: str | None) -> RecordRow:
    """The record as the database has it now, not as this session last read it."""
    row = None
    if record_id is not None:
        row = session.scalars(
            select(RecordRow).where(RecordRow.record_id == record_id).execution_options(populate_existing=True)
        ).one_or_none()
    if row is None:
        raise NotFound(f"no record {record_id}")
    return row


def _published_record_row(session: Session, record_id: str | None) -> RecordRow:
    row = _record_row(session, record_id)
    if row.state != "published":
        raise Conflict(f"record {record_id} is {row.state}")
    return row


def _submission_from(session: Session, row: SubmissionRow) -> Submission:
    [submission] = _submissions_from(session, [row])
    return submission


def _submissions_from(session: Session, rows: list[SubmissionRow]) -> list[Submission]:
    """Submissions with what became of their records: the record's state and, when withdrawn, its latest
    withdrawal (two queries for the whole list, not two per submission)."""
    record_ids = {row.record_id for row in rows if row.record_id is not None}
    states: dict[str, RecordState] = {}
    withdrawals: dict[str, HistoryRow] = {}
    if record_ids:
        states = {
            record_id: state
            for record_id, state in session.execute(
                select(RecordRow.record_id, RecordRow.state).where(RecordRow.record_id.in_(record_ids))
            )
        }
        withdrawn = [record_id for record_id, state in states.items() if state == "withdrawn"]
        if withdrawn:
            for entry in session.scalars(
                select(HistoryRow)
                .where(HistoryRow.record_id.in_(withdrawn), HistoryRow.action == "withdrawn")
                .order_by(HistoryRow.id)
            ):
                assert entry.record_id is not None  # selected by record_id
                withdrawals[entry.record_id] = entry  # the latest one wins
    follows = _resubmission_links(session, rows)
    submissions = []
    for row in rows:
        withdrawal = withdrawals.get(row.record_id) if row.record_id is not None else None
        submissions.append(
            Submission(
                id=row.id,
                kind=row.kind,
                record_id=row.record_id,
                about_id=row.about_id,
                payload=dict(row.payload),
                submitted_by=row.submitted_by,
                submitted_at=row.submitted_at,
                status=row.status,
                review_comment=row.review_comment,
                reviewed_by=row.reviewed_by,
                reviewed_at=row.reviewed_at,
                idempotency_key=row.idempotency_key,
                base_revision=row.base_revision,
                record_state=states.get(row.record_id) if row.record_id is not None else None,
                withdrawn_at=withdrawal.at if withdrawal is not None else None,
                withdrawn_reason=str(withdrawal.detail.get("reason", "")) if withdrawal is not None else None,
                resubmits=row.resubmits,
                earlier_comment=follows.comments.get(row.resubmits, "") if row.resubmits is not None else "",
                resent_as=follows.resent_as.get(row.id),
            )
        )
    return submissions


@dataclass(frozen=True)
class _Links:
    comments: dict[int, str]  # a returned submission's comment, by its id
    resent_as: dict[int, int]  # a returned submission's id -> the submission that followed it


def _resubmission_links(session: Session, rows: list[SubmissionRow]) -> _Links:
    """Which of `rows` were sent again, and the comments of those they follow: two queries for the list."""
    ids = [row.id for row in rows]
    earlier = {row.resubmits for row in rows if row.resubmits is not None}
    comments: dict[int, str] = {}
    if earlier:
        comments = {
            i: comment
            for i, comment in session.execute(
                select(SubmissionRow.id, SubmissionRow.review_comment).where(SubmissionRow.id.in_(earlier))
            )
        }
    resent_as: dict[int, int] = {}
    if ids:
        for later, follows in session.execute(
            select(SubmissionRow.id, SubmissionRow.resubmits).where(SubmissionRow.resubmits.in_(ids))
        ):
            assert follows is not None  # selected by it
            resent_as[follows] = later
    return _Links(comments, resent_as)


def _record_from(row: RecordRow) -> PublishedRecord:
    return PublishedRecord(
        record_id=row.record_id,
        kind=row.kind,
        about_id=row.about_id,
        payload=dict(row.payload),
        state=row.state,
        published_at=row.published_at,
        published_by=row.published_by,
        organisation=row.organisation,
        revision=row.revision,
        submission_id=row.submission_id,
        self_published=bool(row.self_published),
    )


def _history_from(row: HistoryRow) -> HistoryEntry:
    return HistoryEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        submission_id=row.submission_id,
        record_id=row.record_id,
        detail=dict(row.detail),
    )
