"""Token sequences as one padded batch for a causal LM, shared by every batched forward pass and ``generate`` call.

Left padding for generation: every prompt then ends in the last column, where ``generate`` appends the next token.
Right padding for scoring: position t of a row is token t of its sequence, so a sequence's positions are the same
with or without the padding. The attention mask hides the pad token either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import torch
from transformers import PreTrainedTokenizerBase


class PaddedBatch(NamedTuple):
    ids: torch.Tensor
    """(batch, width) token ids, long; ``width`` is the longest sequence's length."""
    mask: torch.Tensor
    """(batch, width) attention mask, long: 1 on a sequence's tokens, 0 on padding."""


def pad_token_id(tokenizer: PreTrainedTokenizerBase) -> int:
    """The tokenizer's pad token, or its end-of-sequence token where it has none (masked out either way)."""
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id


def padded_batch(sequences: Sequence[Sequence[int]], pad_id: int, side: Literal["left", "right"],
                 device: torch.device | str | None = None) -> PaddedBatch:
    """``sequences`` as one (batch, width) tensor of ids and its attention mask, padded on ``side``."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        span = slice(width - len(seq), width) if side == "left" else slice(0, len(seq))
        ids[row, span] = torch.tensor(list(seq), dtype=torch.long)
        mask[row, span] = 1
    return PaddedBatch(ids.to(device), mask.to(device)) if device is not None else PaddedBatch(ids, mask)


def chat_ids(tokenizer: PreTrainedTokenizerBase, chat: Sequence[dict[str, str]]) -> list[int]:
    """Token ids of ``chat`` formatted by the model's chat template, ending with the assistant's turn opening."""
    encoded = tokenizer.apply_chat_template(list(chat), add_generation_prompt=True, tokenize=True)
    return list(encoded["input_ids"] if hasattr(encoded, "keys") else encoded)
