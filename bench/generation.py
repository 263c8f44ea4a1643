"""Probe generation throughput against a naive one-prompt-at-a-time ``model.generate`` loop.

Both answer the same probe prompts (the quick study's probe plan) with the same settings as the probes (sampling at
temperature 1, up to 48 new tokens, KV cache on). Ours is ``crossover.probes.generation.generate``: prompts sorted
by length, left-padded batches of 128. Throughput is prompts answered per second.

    PYTHONPATH=src python -m bench.generation [--prompts 128]
"""

from __future__ import annotations

import argparse

import torch

from bench.common import base_and_source, machine_line, row, timed
from crossover.models.checkpoints import load_model
from crossover.probes.generation import generate
from crossover.probes.run import ProbeSettings, _plan
from crossover.world.bases import resolve_base
from crossover.world.knowledge import build_knowledge_base


def probe_chats(n: int) -> list:
    kb = build_knowledge_base(resolve_base("default").world_seed)
    plan = _plan(kb, ProbeSettings())
    return [[m.as_dict() for m in p.item.messages] for p in plan][:n]


@torch.inference_mode()
def naive(model, tokenizer, chats: list, max_new_tokens: int = 48) -> None:
    for chat in chats:
        ids = tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=True, return_tensors="pt",
                                            return_dict=True)
        model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=True, temperature=1.0, top_k=0, top_p=1.0,
                       pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, use_cache=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=128)
    args = parser.parse_args()
    path, tokenizer, _ = base_and_source()
    model = load_model(path).eval()
    chats = probe_chats(args.prompts)
    torch.manual_seed(0)
    print(machine_line())
    ours = timed(lambda: generate(model, tokenizer, chats, max_new_tokens=48, batch_size=128, temperature=1.0),
                 repeats=2)
    plain = timed(lambda: naive(model, tokenizer, chats))
    n = len(chats)
    print("| probe generation | ours / naive loop |\n| --- | --- |")
    print(row(f"{n} probe prompts: ours {n / ours:.1f} prompts/s, naive loop {n / plain:.1f} prompts/s",
              f"{plain / ours:.1f}x"))


if __name__ == "__main__":
    main()
