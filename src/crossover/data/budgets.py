"""Nested data budgets: budget n is the first n records of one seeded stream."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def take(stream: Iterable[T], n: int) -> list[T]:
    """The first ``n`` records of ``stream``; a smaller budget is always a prefix of a larger one."""
    if n < 0:
        raise ValueError(f"a data budget cannot be negative (got {n})")
    return list(itertools.islice(stream, n))
