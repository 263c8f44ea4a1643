"""Run specs: one fully resolved run of a study, identified by a hash of everything that defines it.

Two runs with the same resolved spec are the same run, whichever study asked for them. The spec of an SFT-only
arm does not name an annotator (its result cannot depend on one), and a stage-less ``base`` arm has seed 0, so
such runs are shared across the grid rather than repeated.

A run's model, data and probes come from ``StudyInputs``: in the wind tunnel a shipped base, the world's
streams and the world probes; on real data a Hugging Face model, the user's JSONL files (by content hash) and
the text probes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from crossover.config import StudyConfig, WindTunnelStudy
from crossover.data.sources import WorldData
from crossover.data.user import FileLabels, UserData
from crossover.methods import METHODS, MethodSettings
from crossover.models.options import ModelOptions
from crossover.probes.suites import ProbeSuite, WorldSuite
from crossover.train.arms import Arm
from crossover.train.dynamics import DynamicsSettings
from crossover.world.annotator import Annotator
from crossover.world.bases import BaseModelRef

SPEC_SCHEMA = 1


class ModelRef(Protocol):
    """A base model on disk: a wind-tunnel base (``BaseModelRef``) or any Hugging Face model (``HFModelRef``)."""

    name: str
    path: Path

    def identity(self) -> dict[str, Any]: ...


Labeller = Annotator | FileLabels
"""Who labelled the preference data: a wind-tunnel annotator, or the user's preference file."""


def content_hash(payload: Any, length: int = 12) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def world_identity(base: BaseModelRef) -> dict[str, Any]:
    return WorldData(base.world_seed).identity(set())["world"]


@dataclass(frozen=True)
class StudyInputs:
    """What every run from one base shares: the base model, its data, its probe suite, labellers, model options."""

    base: ModelRef
    data: WorldData | UserData
    probes: ProbeSuite
    labellers: tuple[Labeller, ...]
    options: ModelOptions = ModelOptions()


@dataclass(frozen=True)
class RunSpec:
    arm: Arm
    seed: int
    base: ModelRef
    annotator: Labeller | None
    settings: tuple[MethodSettings, ...]
    probes: ProbeSuite
    data: WorldData | UserData
    options: ModelOptions = ModelOptions()
    dynamics: DynamicsSettings = DynamicsSettings()
    """What training logs besides its losses; part of the run, not of the trained model."""
    report_to: tuple[str, ...] = ()
    """Trackers the training curves also go to (``crossover.train.tracking``); not part of the run id."""

    def _stages(self, k: int) -> list[dict[str, Any]]:
        # A stage's pair source enters only when it is not the default, so runs from before sources keep their ids.
        return [{"method": st.method, "budget": st.budget, "settings": dataclasses.asdict(s),
                 **({"pairs": st.pairs.identity()} if not st.pairs.is_default else {})}
                for st, s in zip(self.arm.stages[:k], self.settings[:k])]

    def uses_annotator(self, k: int | None = None) -> bool:
        return any(METHODS[s.method].data != "demonstrations" for s in self.arm.stages[:k])

    def training_spec(self, k: int) -> dict[str, Any]:
        """What defines the model after the first ``k`` stages (probe settings excluded)."""
        annotator = self.annotator.settings() if self.annotator and self.uses_annotator(k) else None
        kinds = {METHODS[s.method].data for s in self.arm.stages[:k]}
        return {"schema": SPEC_SCHEMA, "base": self.base.identity(), **self.data.identity(kinds),
                "seed": self.seed, "annotator": annotator, "stages": self._stages(k), **self.options.identity()}

    def training_key(self, k: int) -> str:
        return content_hash(self.training_spec(k))

    def resolved(self) -> dict[str, Any]:
        return {**self.training_spec(len(self.arm.stages)), "arm": self.arm.label, "probes": self.probes.identity(),
                "dynamics": dataclasses.asdict(self.dynamics)}

    @property
    def run_id(self) -> str:
        return content_hash(self.resolved())

    @property
    def annotator_name(self) -> str:
        return self.annotator.name if self.annotator and self.uses_annotator() else ""


def world_inputs(config: WindTunnelStudy, base: BaseModelRef) -> StudyInputs:
    """A wind-tunnel base with its world's data and probes, labelled by the study's annotators."""
    return StudyInputs(base, WorldData(base.world_seed), WorldSuite(config.probes, base.world_seed), config.annotators)


def expand(config: StudyConfig, inputs: Sequence[StudyInputs | BaseModelRef]) -> list[RunSpec]:
    """All distinct runs of a study (for every base), parents (fewer stages) first. A bare wind-tunnel base
    stands for its world (``world_inputs``)."""
    runs: dict[str, RunSpec] = {}
    for shared in (i if isinstance(i, StudyInputs) else world_inputs(config, i) for i in inputs):  # type: ignore[arg-type]
        for arm in config.arms:
            settings = tuple(config.method_settings(stage) for stage in arm.stages)
            seeds = config.seeds if arm.stages else (0,)
            needs_labels = any(METHODS[s.method].data != "demonstrations" for s in arm.stages)
            labellers = shared.labellers if needs_labels else (None,)
            for seed in seeds:
                for labeller in labellers:
                    spec = RunSpec(arm, seed, shared.base, labeller, settings, shared.probes, shared.data,
                                   shared.options, config.dynamics, config.report_to)
                    runs.setdefault(spec.run_id, spec)
    return sorted(runs.values(), key=lambda s: (len(s.arm.stages), s.base.name, s.arm.label, s.annotator_name,
                                                s.seed))
