"""``crossover world export``: the world's streams and the probes' held-out items as TRL-format JSONL."""

import json

from crossover.cli import main
from crossover.probes import WORLD_PROBES, probe_items


def test_export_writes_every_stream_and_probe_set(tmp_path, kb):
    out = tmp_path / "data"
    assert main(["world", "export", str(out), "--sft", "3", "--pairs", "2", "--probe-items", "2"]) == 0
    rows = {p.relative_to(out).as_posix(): [json.loads(line) for line in p.read_text().splitlines()]
            for p in out.rglob("*.jsonl")}
    assert len(rows["sft.jsonl"]) == 3 and len(rows["pairs.jsonl"]) == 2 and len(rows["unpaired.jsonl"]) == 4
    assert {f"probes/{name}.jsonl" for name in WORLD_PROBES} <= set(rows)
    expected = probe_items(kb, 2)  # the exported items are the ones every run of world 0 is probed on
    for name, items in expected.items():
        assert [r["prompt"] for r in rows[f"probes/{name}.jsonl"]] == [[m.as_dict() for m in i.messages] for i in items]
    assert "world 0" in (out / "README.md").read_text()
