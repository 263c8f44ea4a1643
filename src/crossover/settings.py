"""What a settings dataclass may hold, declared on its fields, and the check that enforces it on construction.

Every frozen settings dataclass (method hyperparameters, probe and dynamics settings, prices, annotators, the
study's own tables) derives from ``Settings``. A numeric field declares its range in its annotation,
``beta: Annotated[float, above(0)] = 0.1``, a choice is a ``Literal``, and ``Settings.__post_init__`` checks every
field against its annotation, then calls ``problems`` for rules that tie fields together. An object that exists is
therefore usable, whether it came from a study file (``crossover.config`` reads one by these same annotations),
an arm's overrides or Python code.

This module is a leaf: the settings classes of every layer import it, and it imports nothing of crossover's but
``errors``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from crossover.errors import CrossoverError


@dataclass(frozen=True)
class Bounds:
    """The allowed range of a numeric setting; every bounded setting must also be finite."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    """Whether ``low`` itself is excluded."""
    high_open: bool = False

    def problem(self, value: float) -> str | None:
        """What is wrong with ``value`` (None when it is allowed)."""
        if not math.isfinite(value):
            return f"must be a finite number, got {value}"
        too_low = value <= self.low if self.low_open else value < self.low
        too_high = value >= self.high if self.high_open else value > self.high
        return f"{self.describe()}, got {value}" if too_low or too_high else None

    def describe(self) -> str:
        if self.high == math.inf:
            if self.low == -math.inf:
                return "must be a finite number"
            if self.low == 0 and not self.low_open:
                return "must not be negative"
            return f"must be {'greater than' if self.low_open else 'at least'} {self.low:g}"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        if self.low_open or self.high_open:
            return f"must lie in {left}{self.low:g}, {self.high:g}{right}"
        return f"must lie between {self.low:g} and {self.high:g}"


def at_least(low: float) -> Bounds:
    return Bounds(low)


def above(low: float) -> Bounds:
    return Bounds(low, low_open=True)


def between(low: float, high: float, *, high_open: bool = False) -> Bounds:
    return Bounds(low, high, high_open=high_open)


FINITE = Bounds()
"""Any finite number (a bias or a weight that may be negative)."""

Count = Annotated[int, at_least(1)]
"""A whole number >= 1 (items, a batch size, a token limit)."""
NonNegativeInt = Annotated[int, at_least(0)]
Positive = Annotated[float, above(0)]
NonNegative = Annotated[float, at_least(0)]
Fraction = Annotated[float, between(0, 1, high_open=True)]
"""A share in [0, 1)."""


@dataclass(frozen=True)
class PathSetting:
    """A path written in a study file: read relative to the file's folder. ``names`` (a registry name such as
    ``minilm``) are kept as written; with ``if_exists`` a value is only taken as a path when that path exists (a
    Hub id is not a path). An empty string stays empty (a setting that is off)."""

    names: tuple[str, ...] = ()
    if_exists: bool = False


@dataclass(frozen=True)
class Key:
    """The name a field has in a TOML table, where it differs from the field's (``Annotated[..., Key("x")]``)."""

    name: str


@dataclass(frozen=True)
class Items:
    """Rules for a list setting as a whole: at least ``min`` entries, and (``distinct``) none listed twice."""

    min: int = 0
    distinct: bool = False

    def problems(self, values: tuple) -> list[str]:
        if len(values) < self.min:
            return ["must not be empty" if self.min == 1 else f"needs at least {self.min} entries"]
        if not self.distinct:
            return []
        labels = [str(getattr(v, "label", None) or getattr(v, "name", v)) for v in values]  # an arm, an annotator
        return [f"lists {label!r} twice" for label in dict.fromkeys(lb for lb in labels if labels.count(lb) > 1)]


class SettingsError(CrossoverError, ValueError):
    """Settings that cannot be used: ``problems`` lists (field or None, message), all at once."""

    def __init__(self, owner: str, problems: list[tuple[str | None, str]]):
        self.owner, self.problems = owner, list(problems)
        super().__init__(f"{owner}: " + "; ".join(f"{f}: {m}" if f else m for f, m in self.problems))


@functools.cache
def hints(cls: type) -> dict[str, Any]:
    """A settings class's field annotations, resolved, with their ``Annotated`` extras."""
    return typing.get_type_hints(cls, include_extras=True)


def strip(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """The type inside ``Annotated[...]`` and the extras attached to it."""
    if typing.get_origin(hint) is Annotated:
        inner, *extras = typing.get_args(hint)
        return inner, tuple(extras)
    return hint, ()


def toml_key(cls: type, name: str) -> str:
    """The TOML key of field ``name`` (its ``Key`` if it has one)."""
    return next((e.name for e in strip(hints(cls)[name])[1] if isinstance(e, Key)), name)


def value_problems(hint: Any, value: Any) -> list[tuple[str, str]]:
    """What breaks the ranges, choices and list rules that ``hint`` declares, for ``value`` and the values inside
    it: (where inside the value, e.g. ``[2]`` or ``.style``, or ``""``; the sentence)."""
    inner, extras = strip(hint)
    out = [("", p) for b in extras if isinstance(b, Bounds) and isinstance(value, (int, float))
           and not isinstance(value, bool) and (p := b.problem(value))]
    out += [("", p) for rule in extras if isinstance(rule, Items) and isinstance(value, tuple)
            for p in rule.problems(value)]
    origin, args = typing.get_origin(inner), typing.get_args(inner)
    if inner in (bool, int, float, str) and not _is(value, inner):
        return [("", f"must be {inner.__name__}, got {value!r}")]
    if origin is Literal and value not in args:
        out.append(("", f"must be one of {', '.join(map(str, args))}; got {value!r}"))
    elif origin is tuple and isinstance(value, tuple):
        out += [(f"[{i}]{at}", p) for i, v in enumerate(value) for at, p in value_problems(args[0], v)]
    elif origin is dict and isinstance(value, dict):
        out += [(f".{k}{at}", p) for k, v in value.items() for at, p in value_problems(args[1], v)]
    elif origin in (typing.Union, types.UnionType) and value is not None:
        out += value_problems(next(a for a in args if a is not type(None)), value)
    return out


def _is(value: Any, kind: type) -> bool:
    """Whether ``value`` is a ``kind`` (a bool is no number; an int will do for a float)."""
    if kind in (int, float) and isinstance(value, bool):
        return False
    return isinstance(value, (int, float) if kind is float else kind)


class Settings:
    """Base of the frozen settings dataclasses: construction checks every field against its annotation.

    Cross-field rules go in ``problems`` (called once every field is in range), not in a ``__post_init__`` of the
    subclass; ``dataclasses.replace`` checks the new object the same way."""

    def __post_init__(self) -> None:
        found: list[tuple[str | None, str]] = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            found += [(f.name + at, p) for at, p in value_problems(hints(type(self))[f.name], getattr(self, f.name))]
        if not found:  # the rules tying fields together may assume each field is in range
            found += [(None, p) if isinstance(p, str) else p for p in self.problems()]
        if found:
            raise SettingsError(type(self).__name__, found)

    def problems(self) -> list[str | tuple[str, str]]:
        """Rules that tie fields together: a sentence each, or (field, sentence). Empty when usable."""
        return []
