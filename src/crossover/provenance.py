"""Provenance carried by every result file: package versions, git commit (and whether the code differed from it),
machine."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import subprocess
from functools import cache
from pathlib import Path

TRACKED_PACKAGES = ("crossover", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "tokenizers")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


@cache
def git_commit() -> str | None:
    """The commit of the crossover checkout this code runs from, if it is one."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@cache
def git_dirty() -> bool | None:
    """Whether the package's files differ from ``git_commit``; None outside a git checkout (``tree_dirty``)."""
    return tree_dirty(Path(__file__).resolve().parent)


def tree_dirty(folder: Path) -> bool | None:
    """Whether any file under ``folder`` differs from the checkout's commit: modified, staged, deleted, or new and
    not ignored; None where ``folder`` is not in a git checkout. Only the package's own directory is asked about: a
    changed README or an untracked output directory does not change what the code computes, a changed module does."""
    try:
        out = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=all", "--", "."],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def machine() -> dict[str, str | int | None]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def provenance() -> dict:
    return {"packages": package_versions(), "git_commit": git_commit(), "git_dirty": git_dirty(), "machine": machine()}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
