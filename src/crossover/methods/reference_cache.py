"""Reference log-probs computed once per (starting model, tokenised pairs) and reused by every stage sharing them.

TRL's ``DPOTrainer(precompute_ref_log_probs=True)`` runs the reference over the whole dataset when each trainer is
built, and caches the result only in a datasets cache file keyed by the dataset's fingerprint, which for rows
built in memory is random and lives in a temporary directory: every arm pays the pass again. In a study, arms that
start from the same model on the same pairs (``dpo``, ``rdpo``, ``dpop``, ``icr``, a ``beta`` sweep, a second loss
type) need exactly the same numbers, so this mixin overrides TRL's precompute step to look them up first.

The cache file lives in the directory the stage names for its starting model (the study store keys it by that
model's training key) and is named by a hash of the tokenised rows and the batch size, so it is exactly what TRL
would compute: a pair's padded batch, and hence its float rounding, is the same whichever arm filled the cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import torch
from accelerate.utils import broadcast_object_list
from datasets import Dataset
from safetensors.torch import load_file, save_file

TOKEN_COLUMNS = ("prompt_ids", "chosen_ids", "rejected_ids")


def reference_file(directory: Path, dataset: Dataset, batch_size: int) -> Path:
    """Where the reference log-probs of ``dataset`` (tokenised pairs) computed in batches of ``batch_size`` live."""
    digest = hashlib.sha256(f"batch={batch_size}".encode())
    for column in TOKEN_COLUMNS:
        for ids in dataset[column]:
            digest.update(b"|" + ",".join(map(str, ids)).encode())
        digest.update(f"#{column}".encode())
    return Path(directory) / f"{digest.hexdigest()[:16]}.safetensors"


class ReferenceLogpsCache:
    """Mixin for ``DPOTrainer`` subclasses: ``reference_cache`` (a directory, or ``None`` to compute as TRL does)
    holds the starting model's reference log-probs for the training rows."""

    reference_cache: Path | None = None

    def __init__(self, *args: Any, reference_cache: Path | None = None, **kwargs: Any):
        self.reference_cache = reference_cache
        super().__init__(*args, **kwargs)

    def _precompute_ref_logps(self, dataset: Dataset, name: str, batch_size: int) -> Dataset:
        if self.reference_cache is None or name != "train":
            return super()._precompute_ref_logps(dataset, name, batch_size)
        path = reference_file(self.reference_cache, dataset, batch_size)
        found = [path.exists()]
        broadcast_object_list(found, from_process=0)  # every process of a launch takes the same branch
        if found[0]:
            saved = load_file(path)
            return dataset.add_column("ref_chosen_logps", saved["chosen"].tolist()).add_column(
                "ref_rejected_logps", saved["rejected"].tolist())
        dataset = super()._precompute_ref_logps(dataset, name, batch_size)
        if self.accelerator.is_main_process:
            _save(path, torch.tensor(dataset["ref_chosen_logps"]), torch.tensor(dataset["ref_rejected_logps"]))
        return dataset


def _save(path: Path, chosen: torch.Tensor, rejected: torch.Tensor) -> None:
    """Written through a temporary file and a rename: parallel workers may fill the same entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    save_file({"chosen": chosen.float().contiguous(), "rejected": rejected.float().contiguous()}, str(tmp))
    os.replace(tmp, path)
