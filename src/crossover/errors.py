"""Errors a user can fix. The CLI prints them without a traceback and exits with status 2."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CrossoverError(Exception):
    """Base class for errors caused by input or environment, not by a bug in crossover."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line, field) and what."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        what = f"field '{self.field}': " if self.field else ""
        return f"{where}: {what}{self.message}"


class InputError(CrossoverError):
    """One or more problems with an input file, all reported at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        header = f"{len(lines)} problem(s) found; nothing was trained:" if len(lines) > 1 else None
        super().__init__("\n".join([header, *("  " + ln for ln in lines)]) if header else lines[0])

    @classmethod
    def one(cls, path: str | Path, message: str, *, line: int | None = None, field: str | None = None) -> InputError:
        return cls([Problem(str(path), message, line, field)])


class TrainingDiverged(CrossoverError):
    """A loss became NaN or infinite; the run is stopped and not recorded as finished."""
