"""Batched greedy generation with a KV cache, shared by every generative probe."""

from __future__ import annotations

from collections.abc import Callable

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from crossover.models.batch import chat_ids, pad_token_id, padded_batch


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
    encoded = [chat_ids(tokenizer, c) for c in chats]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    replies: list[str] = [""] * len(chats)
    pad_id = pad_token_id(tokenizer)
    device = next(model.parameters()).device
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        ids, mask = padded_batch([encoded[i] for i in batch], pad_id, "left", device)
        width = ids.shape[1]
        sampling = dict(do_sample=True, temperature=temperature, top_k=0, top_p=1.0) if temperature > 0 else dict(
            do_sample=False)
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens,
                             pad_token_id=pad_id, eos_token_id=tokenizer.eos_token_id, use_cache=True, **sampling)
        for row, i in enumerate(batch):
            replies[i] = tokenizer.decode(out[row, width:], skip_special_tokens=True).strip()
        if progress is not None:
            progress(len(batch))
    return replies
