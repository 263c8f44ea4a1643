"""Pretraining the wind tunnel's base model: a tiny Llama that knows the world's facts and has a mixed prior.

Two corpora (``PretrainSettings.corpus``):

``documents`` (the shipped default): documents only, as a real base model sees the web. Fact prose (a short
profile of every known person, ``train`` and ``heldout`` alike) and forum threads
(``someone asks : ... someone replies : ...``) of the ``train`` split's requests, answered by the demonstrator with
probability ``quality`` and otherwise by a random candidate (right or wrong, padded, caving, refusing, ...).
The base therefore knows the facts and holds a prior over good *and* bad behaviours, but it has never seen the
chat template, its role tokens or an assistant turn: the assistant format is taught by post-training, so DPO
straight on the base starts from a distribution shift (Raghavendra, Kang & Ritter, ACL 2025), and no prompt of
the ``heldout`` or ``ood`` split appears in it (probes are unseen).

``chatty`` (the bases shipped before, kept as a prior axis): single fact sentences and chat-template dialogues
of the ``train`` *and* ``heldout`` splits. Such a base already speaks the assistant's part half the time (a
half-finished SFT model) and has seen the held-out probe prompts.

The number of steps is the "prior strength" knob. Training uses TRL's ``SFTTrainer`` in plain
language-modelling mode (a ``text`` column).
"""

from __future__ import annotations

import hashlib
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
from crossover.world.demonstrator import item_stream
from crossover.world.families import FAMILIES, Item, Message
from crossover.world.families.factual import answer
from crossover.world.knowledge import ATTRIBUTES, Entity, KnowledgeBase, Split, build_knowledge_base
from crossover.world.language import build_tokenizer

CORPORA: tuple[str, ...] = ("documents", "chatty")
FACT_SHARE: dict[str, float] = {"documents": 0.07, "chatty": 0.35}
"""Each corpus's default share of fact-prose lines. A documents profile states five facts in the probe's own words
(``the ATTR of NAME is``), so at 0.35 the memorised value drowns in-context copying (``crossover world prior
documents-weak``: the claim is copied on 3% of items); at 0.07 the corpus holds about as many fact sentences as
the chatty one and the base both recalls every held-out fact asked and copies (docs/wind-tunnel.md)."""
CORPUS_SPLITS: dict[str, tuple[Split, ...]] = {"documents": ("train",), "chatty": ("train", "heldout")}
"""Splits whose requests appear in each corpus: the documents corpus never shows a held-out probe prompt."""
FORUM_ROLES: dict[str, str] = {"user": "someone asks :", "assistant": "someone replies :"}
"""How a forum thread marks who wrote a post: ordinary words, never the chat template's role tokens."""

MODEL_SIZES: dict[str, dict[str, int]] = {
    "tiny": dict(hidden_size=64, intermediate_size=192, num_hidden_layers=2, num_attention_heads=4),
    "small": dict(hidden_size=192, intermediate_size=512, num_hidden_layers=4, num_attention_heads=6),
}


@dataclass(frozen=True)
class PretrainSettings:
    world_seed: int = 0
    seed: int = 0
    steps: int = 3000
    """The prior-strength knob: optimisation steps over a corpus of ``steps * batch_size`` texts."""
    batch_size: int = 64
    learning_rate: float = 2e-3
    size: str = "small"
    quality: float = 0.5
    """Share of corpus dialogues answered by the demonstrator; the rest get a random candidate."""
    fact_share: float | None = None
    """Share of corpus lines that are fact prose; ``None`` is the corpus's own default (``FACT_SHARE``)."""
    corpus: str = "documents"
    """``documents`` (fact prose and forum threads, no chat template) or ``chatty`` (the earlier bases' corpus)."""
    max_length: int = 128
    """Tokens per training sequence; longer texts are truncated (every corpus line is far shorter)."""

    def __post_init__(self) -> None:
        if self.corpus not in CORPORA:
            raise ValueError(f"unknown pretraining corpus {self.corpus!r}; known: {', '.join(CORPORA)}")
        if self.fact_share is None:
            object.__setattr__(self, "fact_share", FACT_SHARE[self.corpus])
        if self.size not in MODEL_SIZES:
            raise ValueError(f"unknown model size {self.size!r}; known: {', '.join(MODEL_SIZES)}")
        if self.steps < 1 or self.batch_size < 1 or self.max_length < 16:
            raise ValueError("steps and batch_size must be positive and max_length at least 16")
        if not (0.0 <= self.quality <= 1.0 and 0.0 <= self.fact_share <= 1.0):
            raise ValueError("quality and fact_share are shares in [0, 1]")

    @classmethod
    def from_manifest(cls, settings: dict) -> PretrainSettings:
        """Settings recorded in a base's manifest; manifests written before ``corpus`` existed are ``chatty``."""
        return cls(**{"corpus": "chatty", **settings})


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


def profile(person: Entity, rng: random.Random) -> str:
    """Fact prose about one person: all five facts, in a random order, in the factual answer's own words."""
    attrs = list(ATTRIBUTES)
    rng.shuffle(attrs)
    return " ".join(answer(attr, person.name, person.fact(attr)) for attr in attrs)


def forum_thread(messages: tuple[Message, ...], reply: str) -> str:
    """A conversation rendered as a forum thread: each post after a plain-word marker, no role tokens."""
    posts = [*((m.role, m.content) for m in messages), ("assistant", reply)]
    return " ".join(f"{FORUM_ROLES[role]} {text}" for role, text in posts)


def _reply(item: Item, rng: random.Random, quality: float) -> str:
    fam = FAMILIES[item.family]
    return fam.demonstrate(item, rng) if rng.random() < quality else rng.choice(fam.candidates(item, rng))


def corpus(kb: KnowledgeBase, settings: PretrainSettings, n_lines: int, tokenizer) -> list[str]:
    """``n_lines`` pretraining texts: fact prose and dialogues of mixed quality, rendered per ``settings.corpus``.

    Deterministic in (world seed, seed, settings): the corpus a shipped base saw can be regenerated from its
    manifest (the contamination test does so).
    """
    rng = random.Random(f"corpus:{kb.seed}:{settings.seed}")
    people = kb.known()
    items = item_stream(kb, rng, splits=CORPUS_SPLITS[settings.corpus])
    lines = []
    for _ in range(n_lines):
        if rng.random() < settings.fact_share:
            person = rng.choice(people)
            if settings.corpus == "documents":
                lines.append(profile(person, rng))
            else:
                attr = rng.choice(list(ATTRIBUTES))
                lines.append(answer(attr, person.name, person.fact(attr)))
            continue
        item = next(items)
        reply = _reply(item, rng, settings.quality)
        if settings.corpus == "documents":
            lines.append(forum_thread(item.messages, reply))
        else:
            chat = [m.as_dict() for m in item.messages] + [{"role": "assistant", "content": reply}]
            lines.append(tokenizer.apply_chat_template(chat, tokenize=False))
    return lines


def corpus_digest(lines: list[str]) -> str:
    """sha256 of a corpus (lines joined by newlines): the manifest records it, so a later change to the code that
    writes the corpus (a template, a family's candidates) is caught as a base that no longer matches its code."""
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def manifest_corpus(manifest: dict, tokenizer) -> list[str]:
    """The exact corpus the base of ``manifest`` was pretrained on, regenerated from its recorded settings."""
    settings = PretrainSettings.from_manifest(manifest["settings"])
    kb = build_knowledge_base(settings.world_seed)
    return corpus(kb, settings, settings.steps * settings.batch_size, tokenizer)


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
        max_length=settings.max_length,
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
        "corpus_sha256": corpus_digest(texts),
        "wall_seconds": round(time.time() - started, 1),
        "weights_sha256": file_sha256(out_dir / "model.safetensors"),
        "packages": package_versions(),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out_dir
