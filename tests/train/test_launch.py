"""A stage trained by two processes of ``accelerate launch`` (CPU, gloo): the weights are gathered with
``accelerator.get_state_dict`` by every process, saved once by the main one, and every process continues with the
saved model.

Without a GPU accelerate runs an FSDP config as multi-process CPU data parallelism (``MULTI_CPU``), so this
exercises the collective gather-and-save path but not sharded weights; FSDP and ZeRO-3 proper need GPUs
(docs/scaling.md).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = """compute_environment: LOCAL_MACHINE
distributed_type: FSDP
num_machines: 1
num_processes: 2
machine_rank: 0
mixed_precision: 'no'
use_cpu: true
rdzv_backend: static
same_network: true
main_training_function: main
fsdp_config:
  fsdp_version: 2
  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP
  fsdp_state_dict_type: FULL_STATE_DICT
  fsdp_reshard_after_forward: true
"""
"""The FSDP config docs/scaling.md describes; on a machine without GPUs accelerate starts two CPU processes."""


@pytest.mark.slow
def test_two_processes_save_one_whole_checkpoint_and_continue_from_it(tmp_path):
    config = tmp_path / "two.yaml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    out.mkdir()
    script = Path(__file__).with_name("launched_stage.py")
    result = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(config),
                             str(script), str(out)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = [json.loads((out / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert all(r == {"world_size": 2, "returned_is_saved": True, "moved": True} for r in reports), reports
    assert (out / "stage1" / "model.safetensors").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]  # one writer, renamed into place
