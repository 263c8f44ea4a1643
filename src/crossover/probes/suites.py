"""A probe suite is what a run probes its model with: the wind tunnel's probes or the text probes.

Both give the same shapes (per-probe item records, metric rows), so the runner and the store need not know
which world they are in. ``identity`` is what enters the run id; ``describe`` is what ``study.json`` shows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from crossover.probes import DERIVED_PROBES, WORLD_PROBES
from crossover.probes.base import Records
from crossover.probes.run import MetricRow, ProbeSettings, run_world_probes
from crossover.probes.text.run import Scorers, TextProbeSettings, run_text_probes
from crossover.probes.text.scorers import resolve_scorer


SAMPLING = "common-gumbel-1"
"""How sampled replies are drawn (``crossover.probes.generation``); it enters the run id."""


class ProbeSuite(Protocol):
    def identity(self) -> dict[str, Any]: ...

    def describe(self) -> dict[str, Any]: ...

    def run(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
            seed: int = 0) -> tuple[dict[str, Records], list[MetricRow]]:
        """Records per probe and metric rows; ``seed`` seeds any sampling."""
        ...


@dataclass(frozen=True)
class WorldSuite:
    """The wind tunnel's probes on held-out items of the base's world."""

    settings: ProbeSettings
    world_seed: int

    def identity(self) -> dict[str, Any]:
        """Settings, sampling, probe versions, and the families whose items and graders the probes use (by source)."""
        from crossover.world.families import family_identities

        return {"settings": dataclasses.asdict(self.settings), "sampling": SAMPLING,
                "versions": {n: p.version for n, p in {**WORLD_PROBES, **DERIVED_PROBES}.items()},
                "families": family_identities()}

    def describe(self) -> dict[str, Any]:
        return {"suite": "world", **dataclasses.asdict(self.settings)}

    def run(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
            seed: int = 0) -> tuple[dict[str, Records], list[MetricRow]]:
        from crossover.world.knowledge import build_knowledge_base

        return run_world_probes(model, tokenizer, build_knowledge_base(self.world_seed), self.settings, seed=seed)


@dataclass(frozen=True)
class TextSuite:
    """The text probes, with any optional grader models (resolved, so their digests enter the run id)."""

    settings: TextProbeSettings
    scorers: Scorers = Scorers()
    progress: bool = False
    """Show a progress bar while probing (not part of the identity: it changes no number)."""

    @classmethod
    def resolve(cls, settings: TextProbeSettings) -> TextSuite:
        return cls(settings, Scorers(resolve_scorer("embedder", settings.embedder),
                                     resolve_scorer("reward model", settings.reward_model),
                                     resolve_scorer("judge", settings.judge)))

    def identity(self) -> dict[str, Any]:
        kept = {k: v for k, v in dataclasses.asdict(self.settings).items()
                if k not in ("embedder", "reward_model", "judge")}  # paths: their digests stand in for them
        scorers = {f.name: ref.sha256 for f in dataclasses.fields(self.scorers)
                   if (ref := getattr(self.scorers, f.name)) is not None}
        return {"suite": "text", "settings": kept, "scorers": scorers,
                "versions": {p.name: p.version for p in self.settings.probes()}}

    def describe(self) -> dict[str, Any]:
        return {"suite": "text", **dataclasses.asdict(self.settings), "probes": [p.name for p in self.settings.probes()]}

    def run(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
            seed: int = 0) -> tuple[dict[str, Records], list[MetricRow]]:
        """Text probes decode greedily, so ``seed`` changes nothing. A real model is probed on the GPU if there is
        one (an untrained base or a loaded checkpoint is still on the CPU)."""
        if torch.cuda.is_available() and next(model.parameters()).device.type == "cpu":
            model = model.to("cuda")
        return run_text_probes(model, tokenizer, self.settings, self.scorers, progress=self.progress)
