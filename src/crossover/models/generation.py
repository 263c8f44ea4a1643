"""Batched generation with a KV cache, shared by every generative probe and by on-policy pair sampling in training.

Sampled replies can be drawn with **common random numbers**: each prompt carries a key, and the token at decoding
step t is ``argmax_v (logit_v / T + G[key, t, v])`` with Gumbel noise ``G`` that is a fixed function of the key,
the step and the token (the Gumbel-max trick, Gumbel 1954; Maddison, Tarlow & Minka 2014). Each reply is still an
exact sample from the model at temperature T, but two models asked the same prompt under the same key read the
same noise, so where their next-token distributions agree they write the same token (a Gumbel-max coupling of the
two distributions, cf. Oberst & Sontag 2019). Arms compared on the same key differ only where the models differ,
not where the dice differ: the decoding noise in a paired difference largely cancels, at no extra compute. With
``torch.manual_seed`` alone the draws also depend on the batch layout and on how long every other reply in the
batch runs, so two arms decode the same prompt on unrelated draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import torch
from transformers import LogitsProcessor, LogitsProcessorList, PreTrainedModel, PreTrainedTokenizerBase

from crossover.models.batch import chat_ids, pad_token_id, padded_batch

_MODULUS = 2**31 - 1
"""A prime below 2^31: every product in the hash below stays inside int64."""
_ROUNDS = ((48271, 11), (69621, 7), (16807, 13), (48271, 5))


def noise_key(*parts: object) -> int:
    """An integer key for the common random numbers of one reply (e.g. seed, probe, item index)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "little") % _MODULUS


def gumbel_noise(keys: torch.Tensor, step: int, vocab: int) -> torch.Tensor:
    """Standard Gumbel noise of shape (len(keys), vocab), a fixed function of (key, step, token).

    A counter-based generator: the counter (key, step, token) is mixed by multiplicative-congruential rounds modulo
    2^31 - 1 with xor-shifts in between (products < 2^62, so int64 never overflows), then mapped to u in (0, 1)
    and to -log(-log u).
    """
    tokens = torch.arange(vocab, dtype=torch.int64)
    x = (keys.to(torch.int64)[:, None] + step * 7919 + tokens[None, :] * 104729 + 1) % _MODULUS
    for multiplier, shift in _ROUNDS:
        x = (x * multiplier + 12345) % _MODULUS
        x = x ^ (x >> shift)
    u = (x.to(torch.float64) + 0.5) / 2.0**31
    return -torch.log(-torch.log(u))


class _CommonGumbel(LogitsProcessor):
    """Turns greedy decoding into Gumbel-max sampling with per-row noise keys (see the module docstring)."""

    def __init__(self, keys: torch.Tensor, prompt_width: int, temperature: float):
        self.keys, self.prompt_width, self.temperature = keys, prompt_width, temperature

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        step = input_ids.shape[1] - self.prompt_width
        noise = gumbel_noise(self.keys, step, scores.shape[-1]).to(scores.device)
        return (scores.double() / self.temperature + noise).to(scores.dtype)


@torch.inference_mode()
def generate(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, chats: list[list[dict[str, str]]],
             *, max_new_tokens: int = 48, batch_size: int = 64, temperature: float = 0.0,
             keys: list[int] | None = None, progress: Callable[[int], None] | None = None) -> list[str]:
    """Replies to ``chats`` (each a conversation ending with a user turn), in input order.

    ``temperature`` 0 decodes greedily; above 0 it samples from the full distribution (no top-k or top-p
    truncation): with common random numbers keyed by ``keys`` (one per chat, see ``noise_key``) where given, else
    seeded by the caller's ``torch.manual_seed``.

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
        if temperature > 0 and keys is not None:
            rows = torch.tensor([keys[i] for i in batch], dtype=torch.int64)
            sampling = dict(do_sample=False, logits_processor=LogitsProcessorList([_CommonGumbel(rows, width,
                                                                                                 temperature)]))
        elif temperature > 0:
            sampling = dict(do_sample=True, temperature=temperature, top_k=0, top_p=1.0)
        else:
            sampling = dict(do_sample=False)
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens,
                             pad_token_id=pad_id, eos_token_id=tokenizer.eos_token_id, use_cache=True, **sampling)
        for row, i in enumerate(batch):
            replies[i] = tokenizer.decode(out[row, width:], skip_special_tokens=True).strip()
        if progress is not None:
            progress(len(batch))
    return replies
