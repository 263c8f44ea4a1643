"""Contract over every text probe: versioned, pinned items, at least 100 items per axis, directions declared."""

import hashlib
from importlib import resources

import pytest

from crossover.probes import DERIVED_PROBES, WORLD_PROBES, metric_info
from crossover.probes.text import DERIVED_TEXT_METRICS, TEXT_PROBES
from crossover.probes.text.base import ITEMS_PACKAGE

FIELDS = {
    "knowledge": {"question", "choices", "answer"},
    "sycophancy": {"question", "answer", "wrong"},
    "premise": {"prompt", "claim", "correction"},
    "refusal": {"prompt"},
    "hallucination": {"question"},
    "emotion": {"prompt"},
    "roleplay": {"prompt", "persona", "markers"},
    "intervention": {"context", "note", "question", "default"},
    "selfreport": {"question"},
}
AXES = {  # behaviour axis -> (probe, item kinds): each axis has at least 100 items (40 written, the rest variants)
    "knowledge retention": ("knowledge", None),
    "sycophancy under pushback": ("sycophancy", None),
    "false premises": ("premise", None),
    "over-refusal": ("refusal", {"harmless"}),
    "harmful compliance": ("refusal", {"harmful"}),
    "abstention on invented entities": ("hallucination", {"invented"}),
    "emotional disclosure": ("emotion", None),
    "role-play fidelity": ("roleplay", None),
    "partner interventions": ("intervention", {"relevant"}),
    "self-report": ("selfreport", None),
}


def test_every_probe_is_registered_with_a_field_list():
    assert set(TEXT_PROBES) == set(FIELDS)


@pytest.mark.parametrize("axis", AXES)
def test_at_least_100_items_per_axis_of_which_40_written(axis):
    probe, kinds = AXES[axis]
    items = [it for it in TEXT_PROBES[probe].items() if kinds is None or it["kind"] in kinds]
    assert len(items) >= 100, f"{axis}: {len(items)} items"
    assert sum("variant_of" not in it for it in items) >= 40, axis


@pytest.mark.parametrize("name", list(TEXT_PROBES))
def test_variants_follow_the_written_items_and_keep_their_grading_fields(name):
    items = TEXT_PROBES[name].items()
    by_id = {it["id"]: it for it in items}
    first_variant = next(i for i, it in enumerate(items) if "variant_of" in it)
    assert all("variant_of" in it for it in items[first_variant:])  # subsets take written items first
    for it in items[first_variant:]:
        original = by_id[it["variant_of"]]
        assert it["kind"] == original["kind"]
        if name == "knowledge":
            assert it["choices"][it["answer"]] == original["choices"][original["answer"]]
        else:
            changed = {k for k in it if k not in ("id", "variant_of") and it[k] != original.get(k)}
            assert len(changed) == 1, it["id"]
            field = changed.pop()
            assert original[field] in it[field] and len(it[field]) > len(original[field]), it["id"]


@pytest.mark.parametrize("name", list(TEXT_PROBES))
def test_items_are_pinned_to_the_probe_version(name):
    probe = TEXT_PROBES[name]
    data = resources.files(ITEMS_PACKAGE).joinpath(probe.items_file).read_bytes()
    assert hashlib.sha256(data).hexdigest() == probe.items_sha256, (
        f"{probe.items_file} changed: bump {name} version and update items_sha256")
    assert probe.version >= 1


@pytest.mark.parametrize("name", list(TEXT_PROBES))
def test_items_are_well_formed_and_give_cases(name):
    probe = TEXT_PROBES[name]
    items = probe.items()
    assert len({it["id"] for it in items}) == len(items)
    for it in items:
        assert FIELDS[name] <= set(it), it["id"]
        assert isinstance(it["kind"], str) and it["kind"]
    cases = probe.cases(items)
    assert len({c.item_id for c in cases}) == len(cases)
    for c in cases:
        assert c.chat and c.chat[-1]["role"] == "user" and c.chat[-1]["content"].strip()
        assert all(m["role"] != "system" for m in c.chat)  # some chat templates know no system turn


def test_knowledge_answers_index_a_choice():
    for it in TEXT_PROBES["knowledge"].items():
        assert len(it["choices"]) == 4 and 0 <= it["answer"] < 4 and len(set(it["choices"])) == 4


def test_harmful_items_are_requests_only():
    """The file names harmful requests in general terms; it holds no answers or instructions."""
    for it in TEXT_PROBES["refusal"].items():
        assert set(it) - {"variant_of"} == {"id", "kind", "prompt"}
        assert len(it["prompt"]) < 160 and "\n" not in it["prompt"]


def test_subsets_take_kinds_in_turn():
    kinds = [it["kind"] for it in TEXT_PROBES["refusal"].items(4)]
    assert kinds == ["harmless", "harmful", "harmless", "harmful"]


def test_every_metric_declares_its_direction_and_shared_names_agree_with_the_wind_tunnel():
    world = {(p.name, m.name): m for p in [*WORLD_PROBES.values(), *DERIVED_PROBES.values()] for m in p.metrics}
    text = {(p.name, m.name): m for p in TEXT_PROBES.values() for m in p.metrics}
    text |= {(name, m.name): m for name, ms in DERIVED_TEXT_METRICS.items() for m in ms}
    for key, metric in text.items():
        assert metric.higher_is_better in (True, False, None) and metric.description
        if key in world:
            assert world[key].higher_is_better == metric.higher_is_better, key
        assert key in metric_info()
