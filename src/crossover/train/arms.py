"""Arm expressions: ``base``, ``sft(200)``, ``dpo(200, beta=0.05)``, ``sft(200)>dpo(100)``, ``sft(200)>grpo(64)``.

An arm is a sequence of stages run from one base model; each stage names a registered method, its data budget
and optional settings that override the study's defaults for that method. The budget comes first and counts the
method's data kind: demonstrations (sft), pairs (dpo, simpo, orpo, rdpo, dpop, icr), unpaired replies (kto) or
prompts (grpo). It may be written bare or named by that kind: ``grpo(64)`` and ``grpo(prompts=64)`` are the same
stage (labels always use the bare form).

A stage that learns from pairs or unpaired labels may also name its pair source (``crossover.data.pair_sources``):
``dpo(250, pairs=onpolicy, k=4, rounds=2)``, ``kto(500, pairs=mixed, share=0.5)``. Labels show a source only
where it differs from the default (fixed candidates, one round), so ``dpo(250, pairs=candidates)`` is ``dpo(250)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crossover.data.pair_sources import KEYS as PAIR_KEYS
from crossover.data.pair_sources import PairSource
from crossover.methods import METHODS
from crossover.settings import SettingsError

_STAGE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*\((.*)\)\s*$", re.S)
_NUMBER = re.compile(r"^[0-9][0-9_]*(\.[0-9]*)?([eE][-+]?[0-9]+)?$")


class ArmSyntaxError(ValueError):
    """An arm expression that cannot be parsed or names something unknown."""


@dataclass(frozen=True)
class Stage:
    method: str
    budget: int
    overrides: tuple[tuple[str, Any], ...] = ()
    pairs: PairSource = PairSource()
    """Where the stage's pairs (or unpaired labels) come from; the default is the fixed candidate generator."""

    @property
    def label(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in (*self.overrides, *self.pairs.label_parts()))
        return f"{self.method}({self.budget}{extra})"


@dataclass(frozen=True)
class Arm:
    stages: tuple[Stage, ...]

    @property
    def label(self) -> str:
        return ">".join(s.label for s in self.stages) or "base"

    def prefix(self, k: int) -> Arm:
        return Arm(self.stages[:k])


def _value(text: str) -> Any:
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _NUMBER.match(text):
        number = float(text.replace("_", ""))
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if re.fullmatch(r"[A-Za-z0-9_+.\-]+", text):
        return text
    raise ArmSyntaxError(f"cannot read the value {text!r}")


def parse_stage(text: str) -> Stage:
    match = _STAGE.match(text)
    if not match:
        raise ArmSyntaxError(f"{text.strip()!r} is not a stage; write e.g. sft(200) or dpo(100, beta=0.1)")
    method, inner = match.group(1), match.group(2)
    if method not in METHODS:
        raise ArmSyntaxError(f"unknown method {method!r}; known methods: {', '.join(METHODS)}")
    parts = [p for p in inner.split(",")] if inner.strip() else []
    kind = METHODS[method].data
    if parts and parts[0].split("=", 1)[0].strip() == kind:
        parts[0] = parts[0].split("=", 1)[1]  # the budget may be named by what it counts: grpo(prompts=64)
    if not parts or "=" in parts[0]:
        raise ArmSyntaxError(f"{method}(...) needs a data budget first, e.g. {method}(200) or {method}({kind}=200)")
    budget = _value(parts[0])
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ArmSyntaxError(f"the budget of {method} must be a whole number of {kind} >= 1, got {parts[0].strip()!r}")
    settings = METHODS[method].settings
    types = settings.field_types()
    overrides, source = [], {}
    for part in parts[1:]:
        if "=" not in part:
            raise ArmSyntaxError(f"{method}: expected key=value after the budget, got {part.strip()!r}")
        key, raw = (s.strip() for s in part.split("=", 1))
        if key in PAIR_KEYS and key not in types:
            if key in source:
                raise ArmSyntaxError(f"{method}: {key} is given twice")
            source[key] = _value(raw)
            continue
        if key not in types:
            raise ArmSyntaxError(f"{method} has no setting {key!r}; its settings: {', '.join(types)}")
        try:
            overrides.append((key, coerce(key, _value(raw), types[key], method)))
        except TypeError as exc:
            raise ArmSyntaxError(str(exc)) from None
    try:
        settings(**dict(overrides))
    except SettingsError as exc:
        problems = (f"setting {f!r} {m}" if f else m for f, m in exc.problems)
        raise ArmSyntaxError(f"{method}: " + "; ".join(problems)) from None
    return Stage(method, budget, tuple(overrides), _pair_source(method, budget, source))


def _pair_source(method: str, budget: int, keys: dict[str, Any]) -> PairSource:
    """The stage's pair source from its ``pairs=``, ``k=``, ``pick=``, ``share=``, ``rounds=`` keys."""
    if not keys:
        return PairSource()
    kind = METHODS[method].data
    if kind not in ("pairs", "unpaired"):
        raise ArmSyntaxError(f"{method}: {', '.join(keys)} name(s) a pair source, but {method} learns from {kind}; "
                             "pair sources apply to methods that learn from pairs or unpaired labels (dpo, kto, ...)")
    try:
        source = PairSource.from_settings(keys)
        source.round_budgets(budget)
    except (TypeError, ValueError) as exc:
        raise ArmSyntaxError(f"{method}: {exc}") from None
    return source


def coerce(key: str, value: Any, expected: type, owner: str) -> Any:
    """Check a setting's type, widening int to float where a float is expected."""
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise TypeError(f"{owner}: setting {key!r} must be {expected.__name__}, got {value!r}")
    return value


def parse_arm(text: str) -> Arm:
    if not isinstance(text, str) or not text.strip():
        raise ArmSyntaxError("an arm must be a non-empty string such as 'sft(200)>dpo(100)'")
    if text.strip() == "base":
        return Arm(())
    return Arm(tuple(parse_stage(part) for part in _split_stages(text)))


def _split_stages(text: str) -> list[str]:
    """Split on '>' outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            raise ArmSyntaxError(f"unbalanced parentheses in {text!r}")
        if ch == ">" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if depth:
        raise ArmSyntaxError(f"unbalanced parentheses in {text!r}")
    return [*parts, current]
