"""Loading and saving models and tokenizers: safetensors only, remote code only when asked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import torch
from safetensors import SafetensorError
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from crossover.errors import CrossoverError


def load_model(path: Path, trust_remote_code: bool = False) -> PreTrainedModel:
    if not has_full_weights(path):
        raise CrossoverError(f"{path}: no safetensors weights found (model.safetensors); pickled weights are "
                             "not loaded")
    try:
        return AutoModelForCausalLM.from_pretrained(path, use_safetensors=True, trust_remote_code=trust_remote_code)
    except (OSError, ValueError, SafetensorError) as exc:
        raise CrossoverError(f"{path}: cannot load the model checkpoint ({exc})") from None


def load_tokenizer(path: Path, trust_remote_code: bool = False,
                   chat_template: str | None = None) -> PreTrainedTokenizerBase:
    """The model's tokenizer with its own chat template (or ``chat_template`` in its place); one is required,
    since every prompt crossover trains on or probes with is a conversation."""
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as exc:
        raise CrossoverError(f"{path}: cannot load the tokenizer ({exc})") from exc
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    if not tokenizer.chat_template:
        raise CrossoverError(f"{path}: the tokenizer has no chat template; give one with --chat-template FILE "
                             "(study key [model] chat_template)")
    return tokenizer


def is_complete(checkpoint: Path) -> bool:
    """Whether a stage checkpoint was fully written: full weights, or a LoRA adapter to merge into its parent."""
    return has_full_weights(checkpoint) or (checkpoint / "adapter_model.safetensors").exists()


def has_full_weights(checkpoint: Path) -> bool:
    return (checkpoint / "model.safetensors").exists() or any(checkpoint.glob("model-*.safetensors"))


def save_atomically(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, target: Path,
                    extra: dict[str, str] | None = None, state_dict: dict[str, torch.Tensor] | None = None) -> Path:
    """Write model, tokenizer and extra text files to a temporary sibling, then rename it into place.

    A reader therefore sees either no ``target`` or a complete one, even if the process is killed mid-write.
    ``state_dict``: the weights to write in place of the model's own (gathered from shards by
    ``accelerator.get_state_dict`` where the model holds only this process's shard).
    """
    tmp = target.with_name(f".tmp-{target.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp, safe_serialization=True, state_dict=state_dict)
    tokenizer.save_pretrained(tmp)
    for name, text in (extra or {}).items():
        (tmp / name).write_text(text)
    if target.exists() and is_complete(target):  # written meanwhile by another worker: keep the first
        shutil.rmtree(tmp)
        return target
    shutil.rmtree(target, ignore_errors=True)  # an incomplete checkpoint (weights lost) is replaced
    os.rename(tmp, target)
    return target
