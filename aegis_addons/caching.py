"""A memo for pure functions of one string that must not let clients pin memory."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def short_key_cache(max_chars: int, maxsize: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """`functools.lru_cache` that remembers only keys of at most `max_chars` characters.

    For parsing on the hot path (paths, upstream origins, client addresses): the few real keys repeat
    and are short, while a client could send huge distinct ones, which are computed every time and
    never kept. `cache_info` and `cache_clear` are those of the underlying lru_cache.
    """
    def decorate(function: Callable[[str], T]) -> Callable[[str], T]:
        cached = functools.lru_cache(maxsize=maxsize)(function)

        @functools.wraps(function)
        def call(key: str) -> T:
            return cached(key) if len(key) <= max_chars else function(key)

        call.cache_info = cached.cache_info    # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call
    return decorate
