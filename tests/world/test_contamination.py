"""The probes are unseen: no held-out or out-of-distribution prompt in the shipped base's pretraining corpus or in
the training streams; held-out people's facts are in the corpus as prose (knowledge probes test retrieval)."""

from __future__ import annotations

import json
import re
from itertools import islice

import pytest

from crossover.world.annotator import PRESETS
from crossover.world.bases import resolve_base, shipped_bases
from crossover.world.contamination import contaminated, split_templates
from crossover.world.demonstrator import preference_stream, prompt_stream, sft_stream
from crossover.world.pretrain import PretrainSettings, corpus, corpus_digest, manifest_corpus

PROSE = re.compile(r"the \S+ of \S+ is \S+ \.( the \S+ of \S+ is \S+ \.)*")
"""Fact prose: one or more fact sentences and nothing else."""


@pytest.fixture(scope="module")
def shipped_corpus(tokenizer):
    """The exact corpus the shipped default base was pretrained on, regenerated from its manifest."""
    manifest = _manifest("default")
    assert manifest["settings"]["corpus"] == "documents"
    return manifest_corpus(manifest, tokenizer)


def _manifest(name: str) -> dict:
    return json.loads((resolve_base(name).path / "manifest.json").read_text())


def test_the_regenerated_corpus_is_the_one_the_base_saw(shipped_corpus):
    """Otherwise the code that writes the corpus changed since the base was built: rebuild the base."""
    assert corpus_digest(shipped_corpus) == _manifest("default")["corpus_sha256"]


@pytest.mark.slow
@pytest.mark.parametrize("name", [b for b in shipped_bases() if b != "default"])
def test_every_shipped_base_regenerates_its_corpus(name, tokenizer):
    manifest = _manifest(name)
    assert corpus_digest(manifest_corpus(manifest, tokenizer)) == manifest["corpus_sha256"]


def test_shipped_pretraining_corpus_holds_no_unseen_prompt(shipped_corpus, kb):
    assert contaminated(shipped_corpus, kb, PROSE) == []


def test_shipped_pretraining_corpus_never_shows_the_chat_template(shipped_corpus, tokenizer):
    specials = set(tokenizer.all_special_tokens)
    assert not [line for line in shipped_corpus if specials & set(line.split())]


def test_held_out_facts_are_in_the_corpus_as_prose(shipped_corpus, kb):
    """Every fact of every held-out person appears in fact prose: a knowledge probe asks for a fact it could have
    read, in words it never saw as a question."""
    prose = " ".join(line for line in shipped_corpus if PROSE.fullmatch(line))
    missing = [(e.name, a) for e in kb.known("heldout") for a, v in e.facts if f"the {a} of {e.name} is {v} ." not in prose]
    assert not missing


def test_training_streams_hold_no_unseen_prompt(kb):
    n = 3000
    texts = [m["content"] for ex in islice(sft_stream(kb, 0), n) for m in ex.prompt]
    texts += [ex.completion for ex in islice(sft_stream(kb, 1), n)]
    for pair in islice(preference_stream(kb, PRESETS["typical"], 0), n):
        texts += [m["content"] for m in pair.prompt] + [pair.chosen, pair.rejected]
    texts += [m["content"] for rec in islice(prompt_stream(kb, 2), n) for m in rec.prompt]
    assert contaminated(texts, kb) == []


def test_the_check_finds_contamination(kb, tokenizer):
    """The earlier (chatty) corpus drew dialogues from the held-out split: the check must see it."""
    lines = corpus(kb, PretrainSettings(corpus="chatty"), 3000, tokenizer)
    hits = contaminated(lines, kb, PROSE)
    assert hits and any("heldout prompt" in what for _, what in hits)


def test_every_family_keeps_its_own_unseen_templates():
    """No held-out or out-of-distribution template is also a training template."""
    train = split_templates("train")
    assert split_templates("heldout") and split_templates("ood")
    assert not (split_templates("heldout") | split_templates("ood")) & train


def test_every_shipped_documents_corpus_holds_no_unseen_prompt_and_no_chat_template(kb, tokenizer):
    """The other documents prior (`documents-weak`, 38,400 texts, fact prose on 35% of lines) is held to the
    default's standard."""
    specials = set(tokenizer.all_special_tokens)
    checked = []
    for name in shipped_bases():
        manifest = _manifest(name)
        if name == "default" or manifest["settings"].get("corpus") != "documents":
            continue
        checked.append(name)
        lines = manifest_corpus(manifest, tokenizer)
        assert corpus_digest(lines) == manifest["corpus_sha256"], name
        assert contaminated(lines, kb, PROSE) == [], name
        assert not [line for line in lines if specials & set(line.split())], name
    assert "documents-weak" in checked
