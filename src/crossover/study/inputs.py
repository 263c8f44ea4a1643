"""Resolve a study's model, data and probes, and check every budget against the data, before anything trains."""

from __future__ import annotations

from crossover.config import StudyConfig, WindTunnelStudy
from crossover.data.user import UserData
from crossover.errors import InputError, Problem
from crossover.methods import METHODS
from crossover.models.checkpoints import load_tokenizer
from crossover.models.ref import resolve_model
from crossover.probes.suites import TextSuite
from crossover.study.spec import StudyInputs, world_inputs
from crossover.world.bases import resolve_base


def resolve_inputs(config: StudyConfig) -> list[StudyInputs]:
    """Per base: the wind tunnel (a shipped or built base, its world, its probes), or the user's model, files and
    the text probes. User files are read and validated completely here, and every budget is checked against them."""
    if isinstance(config, WindTunnelStudy):
        return [world_inputs(config, resolve_base(b)) for b in config.bases]
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
