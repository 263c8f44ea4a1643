"""``crossover plan DIR``: the seeds and items a study needs, from a finished pilot (``crossover.analysis.power``
documents the variance model and the power computation)."""

from __future__ import annotations

from pathlib import Path

from crossover.analysis.context import Context
from crossover.analysis.load import load_study_data
from crossover.analysis.power import Plan, PlanRow, plan_rows
from crossover.analysis.summary import primary_endpoints, resolve_cost
from crossover.errors import CrossoverError
from crossover.pricing import CrossoverPoint


def plan_study(root: Path, changes: dict[str, float] | None = None) -> Plan:
    """``crossover plan DIR``: for each primary metric, the seeds and items a study needs to detect a change
    (``changes``: "probe.metric" -> change; default each metric's equivalence margin) at 80% power."""
    data = load_study_data(Path(root))
    wanted = {}
    for key, value in (changes or {}).items():
        probe, _, metric = key.partition(".")
        if not metric or not value > 0:
            raise CrossoverError(f"--change {key}={value}: expected probe.metric=CHANGE with CHANGE > 0")
        wanted[(probe, metric)] = float(value)
    primary = primary_endpoints(data.study)
    primary += [pm for pm in wanted if pm not in primary]
    point = data.study.get("crossover")
    rows: list[PlanRow] = []
    ctx = None
    for base in data.bases:
        ctx = Context(data.for_base(base), resolve_cost(data.study))
        if point:
            rows += plan_rows(ctx, CrossoverPoint(**point), primary, wanted,
                              int((data.study.get("probes") or {}).get("items") or 0))
    return Plan(str(data.study.get("name")), ctx.settings.confidence if ctx else 0.95, rows)
