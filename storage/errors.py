"""Storage layer: the exceptions the register's storage raises, shared by its modules."""

from __future__ import annotations


class NotFound(LookupError):
    """The submission or record asked for does not exist."""


class Conflict(RuntimeError):
    """The request contradicts what is stored: already reviewed, a key reused, an id taken."""


class StaleRecord(Conflict):
    """An update was proposed against a revision of its record that is no longer the published one."""


class LimitReached(RuntimeError):
    """The user has sent as many submissions as the register takes in the period; nothing was stored."""


class RegisterUnavailable(RuntimeError):
    """The database cannot be reached or is locked: the caller should say so, not crash."""
