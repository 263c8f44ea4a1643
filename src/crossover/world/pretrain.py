"""Pretraining the wind tunnel's base model: a tiny Llama that knows the world's facts and has a mixed prior.

The corpus interleaves fact sentences about every known person with dialogues from every task family whose
replies are the demonstrator's with probability ``quality`` and otherwise a random candidate (right or wrong,
padded, caving, refusing, ...). The base therefore knows the facts but holds a prior over good *and* bad
behaviours, which post-training then selects among. The number of steps is the "prior strength" knob.

Training uses TRL's ``SFTTrainer`` in plain language-modelling mode (a ``text`` column).
"""

from __future__ import annotations

import json
import random
import shlex
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from crossover.provenance import file_sha256, package_versions
from crossover.world.families import FAMILIES
from crossover.world.demonstrator import item_stream
from crossover.world.families.factual import answer
from crossover.world.knowledge import ATTRIBUTES, KnowledgeBase, build_knowledge_base
from crossover.world.language import build_tokenizer

MODEL_SIZES: dict[str, dict[str, int]] = {
    "tiny": dict(hidden_size=64, intermediate_size=192, num_hidden_layers=2, num_attention_heads=4),
    "small": dict(hidden_size=192, intermediate_size=512, num_hidden_layers=4, num_attention_heads=6),
}


@dataclass(frozen=True)
class PretrainSettings:
    world_seed: int = 0
    seed: int = 0
    steps: int = 3000
    batch_size: int = 64
    learning_rate: float = 2e-3
    size: str = "small"
    quality: float = 0.5
    """Share of corpus dialogues answered by the demonstrator; the rest get a random candidate."""
    fact_share: float = 0.35
    """Share of corpus lines that are plain fact sentences."""


def model_config(vocab_size: int, size: str, tokenizer) -> LlamaConfig:
    dims = MODEL_SIZES[size]
    return LlamaConfig(
        vocab_size=vocab_size,
        max_position_embeddings=256,
        num_key_value_heads=dims["num_attention_heads"],
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **dims,
    )


def corpus(kb: KnowledgeBase, settings: PretrainSettings, n_lines: int, tokenizer) -> list[str]:
    """``n_lines`` pretraining texts: fact sentences and rendered dialogues of mixed quality."""
    rng = random.Random(f"corpus:{kb.seed}:{settings.seed}")
    people = kb.known()
    items = item_stream(kb, rng, splits=("train", "heldout"))
    lines = []
    for _ in range(n_lines):
        if rng.random() < settings.fact_share:
            person, attr = rng.choice(people), rng.choice(list(ATTRIBUTES))
            lines.append(answer(attr, person.name, person.fact(attr)))
            continue
        item = next(items)
        fam = FAMILIES[item.family]
        if rng.random() < settings.quality:
            reply = fam.demonstrate(item, rng)
        else:
            reply = rng.choice(fam.candidates(item, rng))
        chat = [m.as_dict() for m in item.messages] + [{"role": "assistant", "content": reply}]
        lines.append(tokenizer.apply_chat_template(chat, tokenize=False))
    return lines


def pretrain_base(out_dir: Path, settings: PretrainSettings, command: str | None = None) -> Path:
    """Pretrain a base model and write it, its tokenizer and a manifest to ``out_dir``."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    torch.manual_seed(settings.seed)
    tokenizer = build_tokenizer()
    kb = build_knowledge_base(settings.world_seed)
    model = LlamaForCausalLM(model_config(len(tokenizer), settings.size, tokenizer))
    texts = corpus(kb, settings, settings.steps * settings.batch_size, tokenizer)
    args = SFTConfig(
        output_dir=str(out_dir / ".trainer"),
        max_steps=settings.steps,
        per_device_train_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=min(100, settings.steps // 10),
        weight_decay=0.01,
        logging_steps=50,
        save_strategy="no",
        report_to=[],
        bf16=False,
        use_cpu=not torch.cuda.is_available(),
        gradient_checkpointing=False,
        max_length=128,
        seed=settings.seed,
        dataset_text_field="text",
    )
    started = time.time()
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_dict({"text": texts}),
                         processing_class=tokenizer)
    trainer.train()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    manifest = {
        "schema": 1,
        "command": command or " ".join(shlex.quote(a) for a in sys.argv),
        "settings": asdict(settings),
        "parameters": sum(p.numel() for p in model.parameters()),
        "final_loss": losses[-1] if losses else None,
        "wall_seconds": round(time.time() - started, 1),
        "weights_sha256": file_sha256(out_dir / "model.safetensors"),
        "packages": package_versions(),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out_dir
