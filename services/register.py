"""The register's workflow: who may do what, checked, then stored.

Every step validates with the domain's rules (the same as the curated CSV files) before anything is
stored, and every write is acknowledged only once `storage` has committed it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine

from domain.register import (
    FieldProblem,
    Reference,
    SubmissionInvalid,
    User,
    diff_payloads,
    payload_of,
    validate_initiative,
    validate_note,
)
from storage import register_store
from storage.errors import LimitReached, NotFound
from storage.register_store import HistoryEntry, PublishedRecord, Submission

# The id a new initiative is checked under before the register gives it its own on publication.
DRAFT_ID = "new"


class Forbidden(PermissionError):
    """The user may not do this; the message says why."""


class RateLimited(RuntimeError):
    """Too many submissions from one user in the last hour."""


# PostgreSQL's text cannot hold a NUL character: refused here with a sentence rather than failing in the
# driver. The payload's own fields are checked by the domain's validation.
NUL = "\x00"


def _refuse_nul(field: str, value: object, what: str) -> None:
    """SubmissionInvalid for a text argument that is not text, or holds a NUL character."""
    if value is None:
        return
    if not isinstance(value, str):
        raise SubmissionInvalid([FieldProblem(field, f"{what} must be text")])
    if NUL in value:
        raise SubmissionInvalid(
            [
                FieldProblem(
                    field, f"{what} contains a NUL character, which the register cannot store; remove it and try again"
                )
            ]
        )


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ReviewItem:
    """A pending submission as a reviewer reads it: what it proposes against what is published now."""

    submission: Submission
    current: Mapping[str, Any] | None
    changes: Mapping[str, tuple[Any, Any]]


def cleaned_payload(kind: str, payload: Mapping[str, Any], reference: Reference) -> dict[str, Any]:
    """The payload as the domain reads it (force names resolved to ids, numbers as numbers), or
    SubmissionInvalid. Storing the cleaned form means a record reads back exactly as it was checked."""
    if kind == "note":
        return dict(validate_note(payload, reference))
    initiative, outcomes = validate_initiative(payload, DRAFT_ID, reference)
    return payload_of(initiative, outcomes)


@dataclass(frozen=True)
class RegisterService:
    engine: Engine
    organisation: str
    submissions_per_hour: int
    clock: Callable[[], datetime] = utc_now
    # PPH_REVIEW_OWN: may a reviewer publish their own proposal? Off, another reviewer must (four eyes).
    review_own: bool = False

    def propose(
        self,
        user: User,
        kind: str,
        payload: Mapping[str, Any],
        reference: Reference,
        *,
        record_id: str | None = None,
        idempotency_key: str | None = None,
        base_revision: int | None = None,
        resubmits: int | None = None,
    ) -> Submission:
        """A new initiative, an update to a register record, or a note on a paper record, queued for review.

        An update is made against `base_revision` of its record (None: the revision published now); if
        another update is published first, this one can no longer be published (StaleRecord). `resubmits`: the
        user's own returned submission this one is sent again after (Conflict if one already followed it).
        """
        if kind not in ("new initiative", "update", "note"):
            raise SubmissionInvalid([FieldProblem("-", f"unknown kind of submission {kind!r}")])
        _refuse_nul("idempotency_key", idempotency_key, "The form's key")
        _refuse_nul("record_id", record_id, "The record id")
        cleaned = cleaned_payload(kind, payload, reference)
        if kind == "update":
            record = self._record(record_id)
            if record.kind != "initiative" or record.state != "published":
                raise SubmissionInvalid(
                    [FieldProblem("record_id", "only a published register initiative can be updated")]
                )
            if base_revision is not None and not 1 <= base_revision <= record.revision:
                raise SubmissionInvalid(
                    [FieldProblem("base_revision", f"record {record_id} has no revision {base_revision}")]
                )
        if resubmits is not None:
            self._check_resubmits(user, resubmits)
        now = self.clock()
        try:
            # The limit is checked in the same transaction as the insert, after the idempotency key: a resent
            # request that was stored is answered with its submission, not refused as one too many.
            return register_store.submit(
                self.engine,
                user=user.name,
                kind=kind,
                payload=cleaned,
                now=now,
                record_id=record_id if kind == "update" else None,
                about_id=cleaned.get("about_id") if kind == "note" else None,
                idempotency_key=idempotency_key,
                base_revision=base_revision if kind == "update" else None,
                limit=register_store.SubmissionLimit(self.submissions_per_hour, now - timedelta(hours=1)),
                resubmits=resubmits,
            )
        except LimitReached:
            raise RateLimited(
                f"You have sent {self.submissions_per_hour} submissions in the last hour, the most "
                "this register takes; your draft is kept, please send it later."
            ) from None

    def my_submissions(self, user: User) -> list[Submission]:
        return register_store.submissions_by(self.engine, user.name)

    def queue(self, user: User, limit: int | None = None) -> list[ReviewItem]:
        """The oldest waiting submissions (the first `limit`), each with its diff against the current record."""
        self._require_reviewer(user)
        items = []
        for submission in register_store.pending(self.engine, limit):
            current = self._record(submission.record_id).payload if submission.kind == "update" else None
            items.append(ReviewItem(submission, current, diff_payloads(current or {}, submission.payload)))
        return items

    def publish(self, user: User, submission_id: int, reference: Reference) -> PublishedRecord:
        """Publish a pending submission. Raises StaleRecord (a Conflict) when the record an update was made
        against has moved on, Conflict when it was withdrawn or the submission was already decided, and
        Forbidden for a reviewer's own proposal unless review_own is on."""
        self._require_reviewer(user)
        submission = register_store.get_submission(self.engine, submission_id)
        if submission.submitted_by == user.name and not self.review_own:
            raise Forbidden("You proposed this yourself, so another reviewer must publish it.")
        # Checked again: the reference data may have changed since it was submitted.
        cleaned_payload(submission.kind, submission.payload, reference)
        return register_store.publish(
            self.engine,
            submission_id=submission_id,
            reviewer=user.name,
            organisation=self.organisation,
            now=self.clock(),
        )

    def return_to_contributor(self, user: User, submission_id: int, comment: str) -> Submission:
        self._require_reviewer(user)
        _refuse_nul("comment", comment, "The comment")
        if not comment.strip():
            raise SubmissionInvalid([FieldProblem("comment", "say what the contributor should change")])
        return register_store.return_submission(
            self.engine,
            submission_id=submission_id,
            reviewer=user.name,
            comment=comment.strip()[:2000],
            now=self.clock(),
        )

    def waiting(self, user: User) -> int:
        self._require_reviewer(user)
        return register_store.pending_count(self.engine)

    def withdraw(self, user: User, record_id: str, reason: str, *, revision: int | None = None) -> PublishedRecord:
        """Withdraw a published initiative or note. With `revision` (the one the reviewer read), a record
        that changed since gets Conflict instead of withdrawing what the reviewer has not seen."""
        self._require_reviewer(user)
        _refuse_nul("record_id", record_id, "The record id")
        _refuse_nul("reason", reason, "The reason")
        if not reason.strip():
            raise SubmissionInvalid([FieldProblem("reason", "say why the record is withdrawn")])
        return register_store.withdraw(
            self.engine,
            record_id=record_id,
            user=user.name,
            reason=reason.strip()[:2000],
            now=self.clock(),
            revision=revision,
        )

    def amend_note(
        self,
        user: User,
        record_id: str,
        payload: Mapping[str, Any],
        reason: str,
        reference: Reference,
        *,
        revision: int | None = None,
    ) -> PublishedRecord:
        """Publish a reviewer's correction of a published note as its next revision, with the reason in the
        history ("amended"). Checked like a proposed note; Conflict if the note changed since `revision`."""
        self._require_reviewer(user)
        _refuse_nul("record_id", record_id, "The record id")
        _refuse_nul("reason", reason, "The reason")
        if not reason.strip():
            raise SubmissionInvalid([FieldProblem("reason", "say why the note is amended")])
        record = self._record(record_id)
        if record.kind != "note":
            raise SubmissionInvalid(
                [
                    FieldProblem(
                        "record_id", f"{record_id} is not a note; an initiative is changed by proposing an update"
                    )
                ]
            )
        cleaned = cleaned_payload("note", payload, reference)
        return register_store.amend(
            self.engine,
            record_id=record_id,
            user=user.name,
            payload=cleaned,
            reason=reason.strip()[:2000],
            organisation=self.organisation,
            now=self.clock(),
            revision=revision,
        )

    def record(self, record_id: str) -> PublishedRecord:
        """The register record with this id, published or withdrawn, as stored; SubmissionInvalid with a
        sentence when there is none (the id may come from a browser)."""
        _refuse_nul("record_id", record_id, "The record id")
        return self._record(record_id)

    def published(self) -> list[PublishedRecord]:
        return register_store.published_records(self.engine)

    def history(self, record_id: str | None = None) -> list[HistoryEntry]:
        return register_store.history(self.engine, record_id=record_id)

    def _check_resubmits(self, user: User, submission_id: int) -> None:
        try:
            earlier = register_store.get_submission(self.engine, submission_id)
        except NotFound:
            earlier = None
        if earlier is None or earlier.submitted_by != user.name or earlier.status != "returned":
            raise SubmissionInvalid([FieldProblem("-", f"#{submission_id} is not a returned proposal of yours")])

    def _record(self, record_id: str | None) -> PublishedRecord:
        if not record_id:
            raise SubmissionInvalid([FieldProblem("record_id", "choose the register record to update")])
        try:
            return register_store.get_record(self.engine, record_id)
        except NotFound:
            raise SubmissionInvalid([FieldProblem("record_id", f"no register record has id {record_id!r}")]) from None

    @staticmethod
    def _require_reviewer(user: User) -> None:
        if not user.is_reviewer:
            raise Forbidden(f"{user.name} is not one of this register's reviewers (PPH_REVIEWERS)")
