"""GGUF files as ordinary Hugging Face models: dequantised once by transformers and saved as safetensors.

transformers reads GGUF (through the ``gguf`` package) but dequantises on every load (~25 s for SmolLM2-135M)
and a GGUF-loaded model cannot ``save_pretrained``. So crossover converts once: it rebuilds a plain model of the
same architecture from the loaded config, copies the dequantised weights in, and saves model and tokenizer
(with the chat template the GGUF carries) to ``$CROSSOVER_CACHE/models/<name>-<sha>``. Later loads take seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from crossover.errors import CrossoverError
from crossover.models.cache import cache_root, cached_sha256


def imported_gguf(gguf: Path, out: Path | None = None) -> Path:
    """The converted directory for ``gguf``, converting it first if it is not in the cache (or at ``out``)."""
    if not gguf.is_file():
        raise CrossoverError(f"{gguf}: no such GGUF file")
    digest = cached_sha256(gguf)
    target = out or cache_root() / "models" / f"{gguf.stem}-{digest[:12]}"
    if (target / "config.json").exists() and list(target.glob("*.safetensors")):
        return target
    return convert_gguf(gguf, target, digest)


def convert_gguf(gguf: Path, target: Path, digest: str) -> Path:
    try:
        import gguf as _gguf  # noqa: F401 - transformers needs it to read GGUF; fail with our message, not its
    except ImportError:
        raise CrossoverError("reading GGUF files needs the `gguf` package: pip install gguf "
                             "(or the crossover[smollm] extra)") from None
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from crossover.models.checkpoints import save_atomically

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the weights we save are plain floats, not GGUF blocks
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict(), strict=True)
    plain.generation_config = loaded.generation_config
    target.parent.mkdir(parents=True, exist_ok=True)
    record = {"source": str(gguf.resolve()), "source_sha256": digest, "note": "dequantised to float32"}
    return save_atomically(plain, tokenizer, target, {"crossover-import.json": json.dumps(record, indent=2)})
