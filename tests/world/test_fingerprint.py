"""Families are pinned by a digest of their source: editing a template or a grader changes the run id."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from crossover.data.sources import WorldData
from crossover.probes.run import ProbeSettings
from crossover.probes.suites import WorldSuite
from crossover.world.families import FAMILIES, family_identities, fingerprint


def _edited_style(tmp_path: Path, monkeypatch, old: str, new: str, tag: str):
    """The style family loaded from a copy of its module with one template edited (registered for the test)."""
    source = Path(sys.modules[type(FAMILIES["style"]).__module__].__file__).read_text()
    assert old in source
    path = tmp_path / f"style_{tag}.py"
    path.write_text(source.replace(old, new))
    name = f"crossover.world.families.style_{tag}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module.Style()


def test_editing_a_template_changes_the_fingerprint(tmp_path, monkeypatch):
    style = FAMILIES["style"]
    edited = _edited_style(tmp_path, monkeypatch, "have a nice day .", "have a lovely day .", "edited")
    same = _edited_style(tmp_path, monkeypatch, "have a nice day .", "have a nice day .", "same")
    assert edited.version == style.version
    assert fingerprint(edited) != fingerprint(style)
    assert fingerprint(same) != fingerprint(edited)


def test_fingerprint_covers_shared_dressing_and_helpers():
    """Pushback grades with factual's helpers and base's dressing: both are in its digest."""
    import crossover.world.families as families

    used = {m.__name__ for m in families._world_modules(sys.modules[type(FAMILIES["pushback"]).__module__])}
    assert {"crossover.world.families.base", "crossover.world.families.factual"} <= used


def test_family_digests_enter_data_and_probe_identities(monkeypatch):
    data, suite = WorldData(0), WorldSuite(ProbeSettings(), 0)
    before = (data.identity(set()), suite.identity())
    changed = {**family_identities(), "style": "v2:0000000000000000"}
    monkeypatch.setattr("crossover.data.sources.family_identities", lambda: changed)
    monkeypatch.setattr("crossover.world.families.family_identities", lambda: changed)
    assert data.identity(set()) != before[0]
    assert suite.identity() != before[1]
