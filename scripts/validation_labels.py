"""Join generated replies (scripts/validation_replies.py) with hand labels into the stored validation set.

A label file is tab-separated, one reply per line: ``item_id<TAB>verdict<TAB>one-line rationale``, written by a
person after reading the reply. The grader's label at generation time is dropped: agreement is always recomputed.

    python scripts/validation_labels.py replies.jsonl labels.tsv --checkpoint base
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "crossover" / "probes" / "text" / "validation"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("replies")
    parser.add_argument("labels", nargs="+")
    parser.add_argument("--checkpoint", required=True, help="only replies from this checkpoint")
    args = parser.parse_args()
    replies = [json.loads(line) for line in Path(args.replies).read_text().splitlines() if line.strip()]
    by_key = {(r["probe"], r["item_id"]): r for r in replies if r["provenance"]["checkpoint"] == args.checkpoint}
    for label_file in args.labels:
        probe = Path(label_file).name.split(".")[0]
        rows = []
        for number, line in enumerate(Path(label_file).read_text().splitlines(), 1):
            if not line.strip():
                continue
            item_id, verdict, rationale = line.split("\t")
            reply = by_key.get((probe, item_id))
            if reply is None:
                raise SystemExit(f"{label_file}:{number}: no {args.checkpoint} reply for {probe} {item_id}")
            rows.append({"probe": probe, "item_id": item_id, "kind": reply["kind"], "prompt": reply["prompt"],
                         "responses": reply["responses"], "hand_label": verdict, "rationale": rationale,
                         "provenance": reply["provenance"]})
        target = OUT / f"{probe}.jsonl"
        kept = [line for line in (target.read_text().splitlines() if target.exists() else [])
                if json.loads(line)["provenance"]["checkpoint"] != args.checkpoint]
        target.write_text("".join(line + "\n" for line in kept) + "".join(json.dumps(r) + "\n" for r in rows))
        print(f"{target}: {len(rows)} {args.checkpoint} replies ({len(kept)} others kept)")


if __name__ == "__main__":
    main()
