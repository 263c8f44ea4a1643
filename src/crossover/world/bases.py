"""Base models for the wind tunnel: the ones shipped in the package, or any pretrained directory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from crossover.errors import CrossoverError
from crossover.provenance import file_sha256

SHIPPED_DIR = Path(__file__).resolve().parent / "base_models"


@dataclass(frozen=True)
class BaseModelRef:
    name: str
    path: Path
    sha256: str
    world_seed: int

    def identity(self) -> dict[str, str | int]:
        """What defines the base for caching: its weights and its world, not where it lies on disk."""
        return {"name": self.name, "sha256": self.sha256, "world_seed": self.world_seed}


def shipped_bases() -> list[str]:
    return sorted(p.name for p in SHIPPED_DIR.iterdir() if (p / "manifest.json").exists()) if SHIPPED_DIR.exists() else []


def resolve_base(spec: str) -> BaseModelRef:
    """``spec`` is the name of a shipped base (e.g. ``default``) or a path to a pretrained base directory."""
    path = SHIPPED_DIR / spec if spec in shipped_bases() else Path(spec).expanduser()
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        known = ", ".join(shipped_bases()) or "none shipped"
        raise CrossoverError(f"base {spec!r}: no wind-tunnel base found there (expected {manifest_path}); shipped "
                             f"bases: {known}; build one with `crossover world pretrain`")
    try:
        manifest = json.loads(manifest_path.read_text())
        world_seed = int(manifest["settings"]["world_seed"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CrossoverError(f"{manifest_path}: not a readable base manifest ({exc})") from None
    weights = path / "model.safetensors"
    if not weights.exists():
        raise CrossoverError(f"{path}: the base has no model.safetensors")
    return BaseModelRef(name=path.name, path=path, sha256=file_sha256(weights), world_seed=world_seed)
