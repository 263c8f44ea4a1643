"""`crossover world pretrain`: a base that a study can use, its manifest, and what it can do before post-training."""

from __future__ import annotations

import json

from crossover.cli import main
from crossover.world.bases import resolve_base
from crossover.world.pretrain import PretrainSettings


def test_a_pretrained_base_has_a_manifest_and_its_prior_readings_are_printed(tmp_path, capsys):
    out = tmp_path / "base"
    code = main(["world", "pretrain", "--out", str(out), "--steps", "3", "--size", "tiny", "--batch-size", "4"])
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["steps"] == 3 and manifest["settings"]["corpus"] == "documents"
    assert manifest["settings"]["fact_share"] == 0.07
    assert resolve_base(str(out)).sha256 == manifest["weights_sha256"]
    printed = capsys.readouterr().out
    assert "fact_recall" in printed and "copy_claim" in printed


def test_the_defaults_rebuild_the_shipped_default_base():
    """`crossover world pretrain --out DIR` with no flags builds the shipped default's recipe (README says so)."""
    shipped = json.loads((resolve_base("default").path / "manifest.json").read_text())["settings"]
    assert {k: v for k, v in PretrainSettings().__dict__.items()} == shipped


def test_each_corpus_defaults_to_the_fact_share_of_its_shipped_bases():
    """The chatty bases were built with fact prose on 35% of lines, the documents default on 7%."""
    for name in ("chatty", "default"):
        shipped = json.loads((resolve_base(name).path / "manifest.json").read_text())["settings"]
        assert PretrainSettings(corpus=shipped["corpus"]).fact_share == shipped["fact_share"], name
