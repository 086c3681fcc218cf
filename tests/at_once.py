"""Run actions at the same moment, each in a thread of its own, as several workers or instances would,
and give each its own database engine."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine

from storage.database import connect

T = TypeVar("T")


def at_once(actions: Sequence[Callable[[], T]], timeout: float = 30.0) -> list[T | Exception]:
    """What each action returned or raised, in the order given; all start together behind a barrier."""
    start = threading.Barrier(len(actions))
    outcomes: list[T | Exception | None] = [None] * len(actions)

    def run(index: int, action: Callable[[], T]) -> None:
        start.wait()
        try:
            outcomes[index] = action()
        except Exception as error:  # broad on purpose: an outcome for the caller to assert on
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"an action ran longer than {timeout} s")
    return outcomes  # type: ignore[return-value]  # every slot was filled: each thread ended


@contextmanager
def own_engines(database_url: str, count: int) -> Iterator[list[Engine]]:
    """`count` engines on one database, each with connections of its own, as separate workers have."""
    engines = [connect(database_url) for _ in range(count)]
    try:
        yield engines
    finally:
        for engine in engines:
            engine.dispose()
