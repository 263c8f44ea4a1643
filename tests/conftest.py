import os
import random

import pytest

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def kb():
    from crossover.world.knowledge import build_knowledge_base

    return build_knowledge_base(0)


@pytest.fixture(scope="session")
def tokenizer():
    from crossover.world.language import build_tokenizer

    return build_tokenizer()


@pytest.fixture
def rng():
    return random.Random(1234)


@pytest.fixture(scope="session")
def smoke_study(tmp_path_factory):
    """The smoke preset run once for the whole test session."""
    from crossover.cli import PRESETS_DIR
    from crossover.config import load_study
    from crossover.study.runner import run_study

    root = tmp_path_factory.mktemp("smoke")
    config = load_study(PRESETS_DIR / "smoke.toml")
    outcome = run_study(config, root, progress=False, log=lambda _: None)
    return root, config, outcome


@pytest.fixture(scope="module")
def one_thread():
    """Run a module's torch work on one thread. On machines whose cores are shared with other jobs, two
    OpenMP threads contending for them made small-model training and generation 10-20x slower than one."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
