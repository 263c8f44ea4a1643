"""Generate real replies on the text probes for the hand-labelled validation set (no labels are written here).

Each reply is appended to OUT as soon as its probe finishes, one JSON object per line, with its provenance:
model name, source and sha256, checkpoint, sampling settings, probe version, item id, date. Labels are added
afterwards by a person who reads each reply (see src/crossover/probes/text/validation/).

    python scripts/validation_replies.py smollm2 --out replies.jsonl --items 40
"""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path

import torch

from crossover.models.ref import resolve_model
from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.run import TextProbeSettings, _probe_records
from crossover.provenance import git_commit
from crossover.models.checkpoints import load_model, load_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--out", required=True)
    parser.add_argument("--items", type=int, default=40, help="items per probe (round robin over kinds)")
    parser.add_argument("--probes", default="premise,refusal,hallucination,emotion,roleplay,sycophancy,selfreport,"
                                            "intervention")
    parser.add_argument("--max-new-tokens", type=int, default=0, help="0: each probe's own setting")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--checkpoint", default="base", help="what the model is, for provenance (e.g. sft(64))")
    args = parser.parse_args()
    torch.manual_seed(0)
    ref = resolve_model(args.model)
    model, tokenizer = load_model(ref.path).eval(), load_tokenizer(ref.path)
    out = Path(args.out)
    for name in args.probes.split(","):
        probe = TEXT_PROBES[name]
        settings = TextProbeSettings(only=(name,), items=args.items, max_new_tokens=args.max_new_tokens,
                                     batch_size=args.batch_size)
        start = time.time()
        records = _probe_records(probe, model, tokenizer, settings)
        limit = min(probe.max_new_tokens, args.max_new_tokens or probe.max_new_tokens)
        provenance = {"model": ref.name, "model_source": ref.source, "model_sha256": ref.sha256,
                      "checkpoint": args.checkpoint, "sampling": {"decoding": "greedy", "max_new_tokens": limit},
                      "date": datetime.date.today().isoformat(), "crossover_commit": git_commit()}
        with out.open("a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps({"probe": name, "probe_version": probe.version, "item_id": record["item_id"],
                                         "kind": record["kind"], "prompt": record["prompt"],
                                         "responses": record["responses"], "old_label": record["label"],
                                         "provenance": provenance}) + "\n")
        print(f"{name}: {len(records)} replies in {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
