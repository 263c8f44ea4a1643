"""Resolve a study's model, data and probes, and check every budget against the data, before anything trains."""

from __future__ import annotations

from pathlib import Path

from crossover.config import StudyConfig, WindTunnelStudy
from crossover.data.user import UserData
from crossover.errors import InputError, Problem
from crossover.methods import METHODS
from crossover.models.checkpoints import load_tokenizer
from crossover.models.ref import resolve_model
from crossover.probes.suites import TextSuite
from crossover.study.spec import StudyInputs, world_inputs
from crossover.world.bases import BaseModelRef, resolve_base


def resolve_inputs(config: StudyConfig) -> list[StudyInputs]:
    """Per base: the wind tunnel (a shipped or built base, its world, its probes), or the user's model, files and
    the text probes. User files are read and validated completely here, and every budget is checked against them."""
    if isinstance(config, WindTunnelStudy):
        bases = [resolve_base(b) for b in config.bases]
        check_world(config, bases)
        return [world_inputs(config, base) for base in bases]
    data = UserData.read(config.data.sft, config.data.preference)
    check_budgets(config, data)
    options = config.model.options
    base = resolve_model(config.model.path, trust_remote_code=options.trust_remote_code)
    problems = data.template_problems(load_tokenizer(base.path, options.trust_remote_code, options.chat_template))
    if problems:
        raise InputError(problems)
    labels = data.labels()
    suite = TextSuite.resolve(config.probes)
    return [StudyInputs(base, data, suite, (labels,) if labels else (), options)]


def check_world(config: WindTunnelStudy, bases: list[BaseModelRef]) -> None:
    """A study's ``world_seed`` must be the world of every base: the world comes from the base, never ignored."""
    if config.world_seed is None:
        return
    wrong = [b for b in bases if b.world_seed != config.world_seed]
    source = Path(config.source)
    lines = source.read_text().splitlines() if source.is_file() else []
    line = next((i for i, text in enumerate(lines, 1) if text.split("=", 1)[0].strip() == "world_seed"), None)
    problems = [Problem(config.source, f"base {b.name!r} was pretrained on world {b.world_seed}, but the study asks for "
                        f"world_seed = {config.world_seed}; build a base for that world with `crossover world pretrain "
                        f"--world-seed {config.world_seed} --out DIR` and set base = \"DIR\" (or drop world_seed)",
                        line=line, field="study.world_seed") for b in wrong]
    if problems:
        raise InputError(problems)


def check_budgets(config: StudyConfig, data: UserData) -> None:
    """Every stage of every arm must fit the user's data; all misfits are reported at once, one per stage."""
    arms_of: dict[tuple[str, int, str], list[str]] = {}
    for arm in config.arms:
        for stage in arm.stages:
            arms_of.setdefault((METHODS[stage.method].data, stage.budget, stage.label), []).append(arm.label)
    problems = [Problem(config.source, f"{p.message} (in {', '.join(arms)})", field="study.arms")
                for (kind, budget, label), arms in arms_of.items()
                for p in data.budget_problems(kind, budget, label)]
    if problems:
        raise InputError(problems)
