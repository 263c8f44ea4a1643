"""Run specs: one fully resolved run of a study, identified by a hash of everything that defines it.

Two runs with the same resolved spec are the same run, whichever study asked for them. The spec of an SFT-only
arm does not name an annotator (its result cannot depend on one), and a stage-less ``base`` arm has seed 0, so
such runs are shared across the grid rather than repeated.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from crossover.config import StudyConfig
from crossover.methods import METHODS, MethodSettings
from crossover.probes import DERIVED_PROBES, WORLD_PROBES
from crossover.probes.run import ProbeSettings
from crossover.train.arms import Arm
from crossover.train.dynamics import DynamicsSettings
from crossover.world.annotator import Annotator
from crossover.world.bases import BaseModelRef
from crossover.world.families import FAMILIES

SPEC_SCHEMA = 1


def content_hash(payload: Any, length: int = 12) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def world_identity(base: BaseModelRef) -> dict[str, Any]:
    return {"seed": base.world_seed, "families": {name: f.version for name, f in FAMILIES.items()}}


@dataclass(frozen=True)
class RunSpec:
    arm: Arm
    seed: int
    base: BaseModelRef
    annotator: Annotator | None
    settings: tuple[MethodSettings, ...]
    probes: ProbeSettings
    dynamics: DynamicsSettings = DynamicsSettings()
    """What training logs besides its losses; part of the run, not of the trained model."""

    def _stages(self, k: int) -> list[dict[str, Any]]:
        return [{"method": st.method, "budget": st.budget, "settings": dataclasses.asdict(s)}
                for st, s in zip(self.arm.stages[:k], self.settings[:k])]

    def uses_annotator(self, k: int | None = None) -> bool:
        return any(METHODS[s.method].data != "demonstrations" for s in self.arm.stages[:k])

    def training_spec(self, k: int) -> dict[str, Any]:
        """What defines the model after the first ``k`` stages (probe settings excluded)."""
        annotator = self.annotator.settings() if self.annotator and self.uses_annotator(k) else None
        return {"schema": SPEC_SCHEMA, "base": self.base.identity(), "world": world_identity(self.base),
                "seed": self.seed, "annotator": annotator, "stages": self._stages(k)}

    def training_key(self, k: int) -> str:
        return content_hash(self.training_spec(k))

    def resolved(self) -> dict[str, Any]:
        probes = {"settings": dataclasses.asdict(self.probes),
                  "versions": {n: p.version for n, p in {**WORLD_PROBES, **DERIVED_PROBES}.items()}}
        return {**self.training_spec(len(self.arm.stages)), "arm": self.arm.label, "probes": probes,
                "dynamics": dataclasses.asdict(self.dynamics)}

    @property
    def run_id(self) -> str:
        return content_hash(self.resolved())

    @property
    def annotator_name(self) -> str:
        return self.annotator.name if self.annotator and self.uses_annotator() else ""


def expand(config: StudyConfig, bases: list[BaseModelRef]) -> list[RunSpec]:
    """All distinct runs of a study, parents (fewer stages) first."""
    runs: dict[str, RunSpec] = {}
    for base in bases:
        for arm in config.arms:
            settings = tuple(config.method_settings(stage) for stage in arm.stages)
            seeds = config.seeds if arm.stages else (0,)
            needs_annotator = any(METHODS[s.method].data != "demonstrations" for s in arm.stages)
            annotators = config.annotators if needs_annotator else (None,)
            for seed in seeds:
                for annotator in annotators:
                    spec = RunSpec(arm, seed, base, annotator, settings, config.probes, config.dynamics)
                    runs.setdefault(spec.run_id, spec)
    return sorted(runs.values(), key=lambda s: (len(s.arm.stages), s.base.name, s.arm.label, s.annotator_name,
                                                s.seed))
