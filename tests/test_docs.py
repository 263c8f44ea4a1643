"""The documentation names every probe, metric, family and annotator preset the code has."""

from pathlib import Path

from crossover.probes import DERIVED_PROBES, WORLD_PROBES
from crossover.world.annotator import PRESETS
from crossover.world.families import FAMILIES

DOC = (Path(__file__).parents[1] / "docs" / "wind-tunnel.md").read_text()


def test_every_metric_is_documented():
    missing = [f"{p.name}.{m.name}" for p in [*WORLD_PROBES.values(), *DERIVED_PROBES.values()] for m in p.metrics
               if f"`{m.name}" not in DOC or f"`{p.name}`" not in DOC]
    assert not missing


def test_every_family_and_preset_is_documented():
    assert all(f"`{name}`" in DOC for name in FAMILIES)
    assert all(f"`{name}`" in DOC for name in PRESETS)
