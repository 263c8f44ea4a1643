"""Blind relabelling of the stored validation set: a listing without labels, then the labels joined back.

``listing`` writes every stored reply with only its prompt(s), its kind and its reply (no grader label, no earlier
hand label), shuffled within each axis by a fixed seed, under opaque ids; the key from opaque id to (probe, item,
checkpoint) goes to a separate file that is not read while labelling. ``join`` reads label files written after
reading the listing (tab-separated ``opaque_id<TAB>verdict<TAB>one-line rationale``, any number of files), makes
them the reference ``hand_label``/``rationale`` of each stored reply and keeps the earlier pass's as
``first_label``/``first_rationale``. It prints the two passes' agreement per axis (Cohen's kappa): the labeller's
own consistency, a ceiling on what any grader can be shown to reach.

    python scripts/validation_blind.py listing /tmp/blind          # writes listing.txt and key.json
    python scripts/validation_blind.py join /tmp/blind/key.json /tmp/blind/labels/*.tsv
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.validation import agreement

VALIDATION = Path(__file__).resolve().parents[1] / "src" / "crossover" / "probes" / "text" / "validation"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _key(row: dict) -> tuple[str, str, str]:
    return row["probe"], row["item_id"], row["provenance"]["checkpoint"]


def listing(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    key: dict[str, list[str]] = {}
    blocks = []
    for path in sorted(VALIDATION.glob("*.jsonl")):
        rows = _rows(path)
        random.Random(path.stem).shuffle(rows)
        lines = [f"######## AXIS {path.stem} ({len(rows)} replies)"]
        for number, row in enumerate(rows):
            opaque = f"{path.stem[:3]}{number:03d}"
            key[opaque] = list(_key(row))
            lines.append(f"--- {opaque}  kind={row['kind']}")
            lines += [f"USER: {t['content']}" if t["role"] == "user" else f"MODEL(turn1): {t['content']}"
                      for t in row["prompt"]]
            lines.append(f"REPLY: {row['responses'][-1]!r}")
        blocks.append("\n".join(lines))
    (out / "listing.txt").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    (out / "key.json").write_text(json.dumps(key), encoding="utf-8")
    print(f"{out / 'listing.txt'}: {len(key)} replies; key in {out / 'key.json'}")


def read_labels(key_file: Path, label_files: list[Path]) -> dict[tuple[str, str, str], tuple[str, str]]:
    key = json.loads(key_file.read_text(encoding="utf-8"))
    labels: dict[tuple[str, str, str], tuple[str, str]] = {}
    for label_file in label_files:
        for number, line in enumerate(label_file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != 3 or fields[0] not in key:
                raise SystemExit(f"{label_file}:{number}: expected 'opaque_id<TAB>verdict<TAB>rationale' with a "
                                 f"known id, got {line!r}")
            labels[tuple(key[fields[0]])] = (fields[1], fields[2])
    missing = len(key) - len(labels)
    if missing:
        raise SystemExit(f"{missing} listed replies have no label")
    return labels


def join(key_file: Path, label_files: list[Path]) -> None:
    labels = read_labels(key_file, label_files)
    print("| axis | n | accuracy | kappa | labels | confusion (rows: first pass; columns: blind pass) |")
    print("|---|---|---|---|---|---|")
    for path in sorted(VALIDATION.glob("*.jsonl")):
        rows = _rows(path)
        probe = TEXT_PROBES[path.stem]
        for row in rows:
            verdict, rationale = labels[_key(row)]
            assert probe.verdicts is not None
            if verdict not in probe.verdicts(row["kind"]):
                raise SystemExit(f"{path.stem} {row['item_id']}: {verdict!r} is not a verdict of this kind")
            if "first_label" not in row:  # joining twice keeps the first pass as it was
                row["first_label"], row["first_rationale"] = row["hand_label"], row["rationale"]
            row["hand_label"], row["rationale"] = verdict, rationale
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        result = agreement([r["first_label"] for r in rows], [r["hand_label"] for r in rows])
        matrix = "; ".join(f"{label}: {list(counts)}" for label, counts in zip(result.labels, result.confusion))
        print(f"| {path.stem} | {result.n} | {result.accuracy:.3f} | {result.kappa:.3f} | "
              f"{', '.join(result.labels)} | {matrix} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    sub.add_parser("listing").add_argument("out", type=Path)
    joined = sub.add_parser("join")
    joined.add_argument("key", type=Path)
    joined.add_argument("labels", type=Path, nargs="+")
    args = parser.parse_args()
    if args.verb == "listing":
        listing(args.out)
    else:
        join(args.key, args.labels)


if __name__ == "__main__":
    main()
