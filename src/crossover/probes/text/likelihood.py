"""Log-likelihood of candidate replies, for multiple-choice probes scored without generation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from crossover.models.batch import chat_ids, pad_token_id, padded_batch


@dataclass(frozen=True)
class ChoiceScore:
    logprob: float
    """sum of log p(token) over the choice's tokens, given the prompt and the earlier choice tokens"""
    tokens: int

    @property
    def per_token(self) -> float:
        return self.logprob / max(self.tokens, 1)


@torch.inference_mode()
def choice_scores(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                  questions: list[tuple[list[dict[str, str]], tuple[str, ...]]], *,
                  batch_size: int = 16, progress: Callable[[int], None] | None = None) -> list[list[ChoiceScore]]:
    """For each (chat, choices), the log-likelihood of every choice as the assistant's reply.

    Sequences are the prompt's ids followed by the choice's ids (tokenised alone, without special tokens), right
    padded; logits at position t predict token t+1, so the choice's tokens are scored from the last prompt position.
    """
    model.eval()
    flat = [(q, c, chat_ids(tokenizer, chat), tokenizer(choice, add_special_tokens=False)["input_ids"])
            for q, (chat, choices) in enumerate(questions) for c, choice in enumerate(choices)]
    out: list[list[ChoiceScore]] = [[ChoiceScore(0.0, 0)] * len(choices) for _, choices in questions]
    pad_id = pad_token_id(tokenizer)
    device = next(model.parameters()).device
    for start in range(0, len(flat), batch_size):
        batch = flat[start : start + batch_size]
        ids, mask = padded_batch([p + c for _, _, p, c in batch], pad_id, "right", device)
        logprobs = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float(), -1)
        for row, (q, c, p, choice) in enumerate(batch):
            positions = torch.arange(len(p) - 1, len(p) + len(choice) - 1)
            picked = logprobs[row, positions, torch.tensor(choice)]  # (choice tokens,)
            out[q][c] = ChoiceScore(float(picked.sum()), len(choice))
        if progress is not None:  # counted in scored (question, choice) sequences
            progress(len(batch))
    return out
