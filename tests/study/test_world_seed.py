"""``world_seed`` in a study file is a check on the bases, never ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossover.config import load_study, parse_study
from crossover.errors import InputError
from crossover.study.inputs import check_world
from crossover.world.bases import BaseModelRef


def _base(world_seed: int) -> BaseModelRef:
    return BaseModelRef(name=f"world{world_seed}", path=Path(f"/bases/world{world_seed}"), sha256="0" * 64,
                        world_seed=world_seed)


def test_world_seed_is_read():
    assert parse_study('[study]\narms = ["base"]\nworld_seed = 3\n').world_seed == 3
    assert parse_study('[study]\narms = ["base"]\n').world_seed is None


@pytest.mark.parametrize("value", ["-1", '"zero"', "true", "1.5"])
def test_bad_world_seed_names_the_field(value):
    with pytest.raises(InputError, match="world_seed"):
        parse_study(f'[study]\narms = ["base"]\nworld_seed = {value}\n')


def test_a_base_of_another_world_is_refused_with_the_way_to_build_one(tmp_path):
    study = tmp_path / "s.toml"
    study.write_text('[study]\narms = ["base"]\n\nworld_seed = 7\n')
    config = load_study(study)
    with pytest.raises(InputError) as err:
        check_world(config, [_base(0), _base(7)])
    message = str(err.value)
    assert f"{study}:4" in message and "world0" in message and "world7" not in message
    assert "crossover world pretrain --world-seed 7" in message


def test_a_base_of_the_asked_world_passes():
    check_world(parse_study('[study]\narms = ["base"]\nworld_seed = 0\n'), [_base(0)])
    check_world(parse_study('[study]\narms = ["base"]\n'), [_base(5)])
