"""Batched generation with a KV cache, shared by every generative probe and by on-policy pair sampling."""

from __future__ import annotations

import torch
from transformers import LogitsProcessor, LogitsProcessorList, PreTrainedModel, PreTrainedTokenizerBase


class SeededGumbelSampling(LogitsProcessor):
    """Sampling at ``temperature`` where each row draws from its own seeded generator (Gumbel-max trick).

    argmax_v (logits_v / T + g_v) with g_v = -log(-log u_v), u_v ~ U(0, 1) i.i.d., is an exact draw from
    softmax(logits / T) (Gumbel 1954; Maddison et al. 2014, "A* sampling"). Run under greedy decoding, a row's reply
    depends on its own seed and prompt only, not on which other rows share its batch: that keeps on-policy pair
    budgets nested (budget m a prefix of budget 2m) however the prompts are batched.
    """

    def __init__(self, seeds: list[int], temperature: float):
        self.generators = [torch.Generator().manual_seed(s) for s in seeds]
        self.temperature = temperature

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        """``scores``: (rows, vocab) next-token logits; returns them tempered and Gumbel-perturbed."""
        uniform = torch.stack([torch.rand(scores.shape[-1], generator=g) for g in self.generators])
        gumbel = -torch.log(-torch.log(uniform.clamp(1e-10, 1.0 - 1e-7)))
        return scores.float() / self.temperature + gumbel.to(scores.device)


@torch.inference_mode()
def generate(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, chats: list[list[dict[str, str]]],
             *, max_new_tokens: int = 48, batch_size: int = 64, temperature: float = 0.0,
             seeds: list[int] | None = None) -> list[str]:
    """Replies to ``chats`` (each a conversation ending with a user turn), in input order.

    ``temperature`` 0 decodes greedily; above 0 it samples from the full distribution (no top-k or top-p
    truncation), seeded by the caller's ``torch.manual_seed``, or, when ``seeds`` gives one seed per chat, each
    reply by its own seed (``SeededGumbelSampling``), whatever the batching.

    Prompts are sorted by length so each left-padded batch wastes little compute; ``generate`` reuses its KV cache
    across decoding steps.
    """
    if seeds is not None and (len(seeds) != len(chats) or temperature <= 0):
        raise ValueError("seeds need one seed per chat and a temperature above 0")
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
        if seeds is not None:
            processors = LogitsProcessorList([SeededGumbelSampling([seeds[i] for i in batch], temperature)])
            sampling = dict(do_sample=False, logits_processor=processors)
        elif temperature > 0:
            sampling = dict(do_sample=True, temperature=temperature, top_k=0, top_p=1.0)
        else:
            sampling = dict(do_sample=False)
        out = model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), max_new_tokens=max_new_tokens,
                             pad_token_id=pad_id, eos_token_id=tokenizer.eos_token_id, use_cache=True, **sampling)
        for row, i in enumerate(batch):
            replies[i] = tokenizer.decode(out[row, width:], skip_special_tokens=True).strip()
    return replies
