"""A small, bounded memo for results that are pure functions of a snapshot version and a view state.

Snapshots never change once made, so a result keyed on the snapshot's version stays right for as
long as it is kept. The bound keeps memory fixed whatever query strings visitors send.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class BoundedMemo(Generic[T]):
    """The `size` most recently used results, each built once by `build()` on a miss."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError("a memo needs room for at least one result")
        self._size = size
        self._results: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        # Built outside the lock: two threads missing the same key both build it, and either result is right.
        result = build()
        with self._lock:
            self._results[key] = result
            self._results.move_to_end(key)
            while len(self._results) > self._size:
                self._results.popitem(last=False)
        return result

    def __len__(self) -> int:
        return len(self._results)
