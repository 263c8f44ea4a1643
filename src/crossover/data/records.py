"""Canonical training records. Every loader (wind tunnel or user JSONL) returns these shapes.

Messages are plain ``{"role", "content"}`` dicts, as TRL's conversational formats use them, so a record turns
into a TRL row without translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Chat = tuple[dict[str, str], ...]

DataKind = Literal["demonstrations", "pairs", "unpaired", "prompts"]
"""What a stage's budget counts: SFT examples, preference pairs, labelled single replies, or bare prompts. Each
kind has one record shape below (``SFTExample``, ``PreferencePair``, ``UnpairedExample``, ``PromptRecord``)."""


@dataclass(frozen=True)
class SFTExample:
    """A prompt (conversation ending with a user turn) and the demonstrated assistant reply."""

    prompt: Chat
    completion: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_trl(self) -> dict[str, Any]:
        return {"prompt": list(self.prompt), "completion": [{"role": "assistant", "content": self.completion}]}


@dataclass(frozen=True)
class PreferencePair:
    """Two replies to one prompt, ``chosen`` preferred over ``rejected`` by some annotator."""

    prompt: Chat
    chosen: str
    rejected: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    counterfactual: Chat | None = None
    """The same conversation with a partner's intervention removed, where the prompt carries one (for ``icr``)."""

    def to_trl(self) -> dict[str, Any]:
        return {
            "prompt": list(self.prompt),
            "chosen": [{"role": "assistant", "content": self.chosen}],
            "rejected": [{"role": "assistant", "content": self.rejected}],
            # Every row has the column (None where there is no intervention): datasets takes columns from row one.
            "counterfactual_prompt": list(self.counterfactual) if self.counterfactual else None,
        }


@dataclass(frozen=True)
class UnpairedExample:
    """One reply with a thumbs-up or thumbs-down (KTO's format)."""

    prompt: Chat
    completion: str
    label: bool
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_trl(self) -> dict[str, Any]:
        return {
            "prompt": list(self.prompt),
            "completion": [{"role": "assistant", "content": self.completion}],
            "label": self.label,
        }


@dataclass(frozen=True)
class PromptRecord:
    """A prompt for an online method to answer, with the columns its scorer needs to grade the answers."""

    prompt: Chat
    columns: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_trl(self) -> dict[str, Any]:
        return {"prompt": list(self.prompt), **self.columns}


class ResponseScorer(Protocol):
    """Scores replies an online method sampled, from the extra columns its ``prompts`` rows carry.

    ``signals`` names what it returns, e.g. ``("gold", "proxy")``: the world's true utility and the annotator's
    biased view of it. Called with the reply texts and, as keyword arguments, the row columns named in ``columns``.
    """

    signals: tuple[str, ...]
    columns: tuple[str, ...]

    def __call__(self, completions: list[str], **columns: list[Any]) -> dict[str, list[float]]: ...
