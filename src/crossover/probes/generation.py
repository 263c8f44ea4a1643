"""Batched greedy generation with a KV cache, shared by every generative probe."""

from __future__ import annotations

from collections.abc import Callable

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase


@torch.inference_mode()
def generate(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, chats: list[list[dict[str, str]]],
             *, max_new_tokens: int = 48, batch_size: int = 64, temperature: float = 0.0,
             progress: Callable[[int], None] | None = None) -> list[str]:
    """Replies to ``chats`` (each a conversation ending with a user turn), in input order.

    ``temperature`` 0 decodes greedily; above 0 it samples from the full distribution (no top-k or top-p
    truncation), seeded by the caller's ``torch.manual_seed``.

    Prompts are sorted by length so each left-padded batch wastes little compute; ``generate`` reuses its KV cache
    across decoding steps. ``progress`` is called with the batch size after each batch (a progress bar's update).
    """
    model.eval()
    encoded = [tokenizer.apply_chat_template(c, add_generation_prompt=True, tokenize=True) for c in chats]
    encoded = [e["input_ids"] if isinstance(e, dict) or hasattr(e, "keys") else e for e in encoded]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    replies: list[str] = [""] * len(chats)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    device = next(model.parameters()).device
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = max(len(encoded[i]) for i in batch)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            ids[row, width - len(encoded[i]) :] = torch.tensor(encoded[i])
            mask[row, width - len(encoded[i]) :] = 1
        sampling = dict(do_sample=True, temperature=temperature, top_k=0, top_p=1.0) if temperature > 0 else dict(
            do_sample=False)
        out = model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), max_new_tokens=max_new_tokens,
                             pad_token_id=pad_id, eos_token_id=tokenizer.eos_token_id, use_cache=True, **sampling)
        for row, i in enumerate(batch):
            replies[i] = tokenizer.decode(out[row, width:], skip_special_tokens=True).strip()
        if progress is not None:
            progress(len(batch))
    return replies
