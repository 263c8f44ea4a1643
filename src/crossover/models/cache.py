"""Where converted models live, and a cache of file digests so a large model is hashed once, not per study."""

from __future__ import annotations

import json
import os
from pathlib import Path

from crossover.provenance import file_sha256


def cache_root() -> Path:
    """``$CROSSOVER_CACHE``, else ``~/.cache/crossover``."""
    return Path(os.environ.get("CROSSOVER_CACHE") or Path.home() / ".cache" / "crossover").expanduser()


def cached_sha256(path: Path) -> str:
    """The file's sha256, remembered by (real path, size, modification time) in the cache directory."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    index = cache_root() / "sha256.json"
    try:
        known = json.loads(index.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        return known[key]
    digest = file_sha256(path)
    known[key] = digest
    try:
        index.parent.mkdir(parents=True, exist_ok=True)
        tmp = index.with_name(f".sha256.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known, indent=0))
        os.replace(tmp, index)
    except OSError:
        pass  # a read-only cache only costs re-hashing
    return digest
