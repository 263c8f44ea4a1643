"""The ``crossover`` command line: one sub-command per verb, each calling one library function."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crossover.errors import CrossoverError

PRESETS_DIR = Path(__file__).resolve().parent / "study" / "presets"


def _presets() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))


def cmd_run(args: argparse.Namespace) -> int:
    from crossover.analysis.summary import analyze
    from crossover.config import load_study
    from crossover.study.runner import run_study

    if args.study and args.preset:
        raise CrossoverError("give either --study FILE or --preset NAME, not both")
    if args.study:
        study_path = Path(args.study)
    else:
        if args.preset not in _presets():
            raise CrossoverError(f"unknown preset {args.preset!r}; presets: {', '.join(_presets())}")
        study_path = PRESETS_DIR / f"{args.preset}.toml"
    config = load_study(study_path)
    out = Path(args.out) if args.out else Path("crossover-runs") / config.name
    outcome = run_study(config, out, workers=args.workers, progress=not args.quiet)
    analysis = analyze(out)
    print_summary(out, analysis)
    print(f"\n{len(outcome.runs)} runs ({outcome.skipped} reused) in {outcome.seconds:.0f}s")
    if outcome.failures:
        print(f"{len(outcome.failures)} run(s) failed (details in {out}/runs/.failed-*.txt):", file=sys.stderr)
        for line in outcome.failures.values():
            print(f"  {line}", file=sys.stderr)
    _write_reports(out, analysis)
    return 1 if outcome.failures else 0


def _write_reports(root: Path, analysis) -> None:
    """The Markdown summary and the HTML report; the HTML path is the last line printed."""
    from crossover.report.markdown import write_markdown_report
    from crossover.report.page import write_html_report

    print(f"markdown: {write_markdown_report(root, analysis).resolve()}")
    print(f"report: {write_html_report(root).resolve()}")


def print_summary(out: Path, analysis) -> None:
    from crossover.report.terminal import arm_lines, crossover_lines, flag_lines
    from crossover.study.store import StudyStore

    metrics = StudyStore(out).metrics_frame()
    print("\nEvery arm, means over seeds (annotator '-': trained without preference data):")
    print("\n".join(arm_lines(metrics)))
    lines = crossover_lines(analysis.breakeven, analysis.summary["bootstrap"]["confidence"])
    if lines:
        print("\n" + "\n".join(lines))
    flags = flag_lines(analysis.tables.get("flags"))
    if flags:
        print("\n" + "\n".join(flags))
    print(f"\nEvery metric with its interval: {out / 'analysis' / 'breakeven.csv'}")


def _cost_overrides(args: argparse.Namespace) -> dict[str, float | None]:
    return {name: getattr(args, name, None) for name in PRICE_FLAGS}


def cmd_pretrain(args: argparse.Namespace) -> int:
    from crossover.world.pretrain import PretrainSettings, pretrain_base

    settings = PretrainSettings(world_seed=args.world_seed, seed=args.seed, steps=args.steps, size=args.size,
                                quality=args.quality, batch_size=args.batch_size)
    out = pretrain_base(Path(args.out), settings, command="crossover " + " ".join(sys.argv[1:]))
    print(f"base model written to {out.resolve()}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from crossover.world.annotator import PRESETS
    from crossover.world.export import export_world

    if args.annotator not in PRESETS:
        raise CrossoverError(f"unknown annotator {args.annotator!r}; presets: {', '.join(PRESETS)}")
    for name, value in (("--sft", args.sft), ("--pairs", args.pairs), ("--probe-items", args.probe_items)):
        if value < 0:
            raise CrossoverError(f"{name} must not be negative")
    out = Path(args.dir)
    counts = export_world(out, world_seed=args.world_seed, annotator=PRESETS[args.annotator], seed=args.seed,
                          n_sft=args.sft, n_pairs=args.pairs, probe_items=args.probe_items,
                          command="crossover " + " ".join(sys.argv[1:]))
    print(f"wrote {sum(counts.values())} rows in {len(counts)} files; dataset card: {(out / 'README.md').resolve()}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import pandas as pd

    from crossover.probes.run import ProbeSettings
    from crossover.world.annotator import PRESETS
    from crossover.world.calibration import separation_table
    from crossover.world.knowledge import build_knowledge_base

    settings = ProbeSettings(items=args.items, judges=(PRESETS["clean"], PRESETS["typical"]))
    table = separation_table(build_knowledge_base(args.world_seed), settings)
    with pd.option_context("display.max_rows", 500, "display.width", 200):
        print(table.round(3).to_string())
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from crossover.analysis.bootstrap import BootstrapSettings
    from crossover.analysis.summary import analyze

    root = _study_dir(args.study_dir)
    settings = BootstrapSettings(draws=args.draws, confidence=args.confidence, seed=args.bootstrap_seed)
    if settings.draws < 100 or not 0.5 <= settings.confidence < 1:
        raise CrossoverError("--draws must be at least 100 and --confidence between 0.5 and 1")
    analysis = analyze(root, cost=_cost_overrides(args), settings=settings)
    print_summary(root, analysis)
    print(f"tables: {(root / 'analysis').resolve()}")
    print(f"summary: {(root / 'summary.json').resolve()}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from crossover.analysis.summary import analyze

    root = _study_dir(args.study_dir)
    _write_reports(root, analyze(root, cost=_cost_overrides(args)))
    return 0


def _study_dir(path: str) -> Path:
    root = Path(path)
    if not (root / "study.json").exists():
        raise CrossoverError(f"{root}: not a study directory (no study.json); run `crossover run --out {root}` first")
    return root


PRICE_FLAGS: dict[str, str] = {
    "price_sft": "price of one SFT example",
    "price_pair": "price of one preference pair",
    "price_label": "price of one unpaired label (KTO)",
    "price_prompt": "price of one prompt of an online method (GRPO)",
    "price_sft_token": "extra price per token of an SFT example",
    "price_pair_token": "extra price per token of a preference example",
}


def _price(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"a price must be a finite number >= 0, got {text!r}")
    return value


def _price_arguments(parser: argparse.ArgumentParser) -> None:
    for name, text in PRICE_FLAGS.items():
        parser.add_argument("--" + name.replace("_", "-"), dest=name, type=_price, default=None,
                            help=f"{text} (overrides the study's [cost]; default from the study, else 1)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crossover", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a study (the built-in quick study by default)")
    run.add_argument("--study", help="a TOML study file")
    run.add_argument("--preset", default=None, help=f"a built-in study: {', '.join(_presets())} (default: quick)")
    run.add_argument("--out", help="study directory (default: crossover-runs/<study name>)")
    run.add_argument("--workers", type=int, default=1, help="runs trained in parallel processes (default 1)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    world = sub.add_parser("world", help="the wind tunnel: build bases, export data")
    wsub = world.add_subparsers(dest="world_command", required=True)
    pre = wsub.add_parser("pretrain", help="pretrain a wind-tunnel base model")
    pre.add_argument("--out", required=True, help="directory for the base model")
    pre.add_argument("--steps", type=int, default=3000)
    pre.add_argument("--size", default="small", choices=["tiny", "small"])
    pre.add_argument("--seed", type=int, default=0)
    pre.add_argument("--world-seed", type=int, default=0)
    pre.add_argument("--quality", type=float, default=0.5, help="share of demonstrator replies in the corpus")
    pre.add_argument("--batch-size", type=int, default=64)
    pre.set_defaults(func=cmd_pretrain)
    exp = wsub.add_parser("export", help="export SFT, pair, unpaired and probe data as TRL-format JSONL")
    exp.add_argument("dir")
    exp.add_argument("--world-seed", type=int, default=0)
    exp.add_argument("--seed", type=int, default=0, help="data stream seed (budget n = the first n rows)")
    exp.add_argument("--sft", type=int, default=2000, help="demonstrations to write")
    exp.add_argument("--pairs", type=int, default=2000, help="preference pairs to write")
    exp.add_argument("--annotator", default="clean", help="annotator preset that labels the pairs")
    exp.add_argument("--probe-items", type=int, default=48)
    exp.set_defaults(func=cmd_export)
    chk = wsub.add_parser("check", help="grade scripted good and bad policies on every probe (probe calibration)")
    chk.add_argument("--world-seed", type=int, default=0)
    chk.add_argument("--items", type=int, default=48)
    chk.set_defaults(func=cmd_check)

    analyze = sub.add_parser("analyze", help="recompute summary.json and the analysis tables of a study directory")
    analyze.add_argument("study_dir")
    _price_arguments(analyze)
    analyze.add_argument("--draws", type=int, default=2000, help="bootstrap draws per estimate (default 2000)")
    analyze.add_argument("--confidence", type=float, default=0.95, help="interval coverage (default 0.95)")
    analyze.add_argument("--bootstrap-seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    analyze.set_defaults(func=cmd_analyze)

    report = sub.add_parser("report", help="rebuild the reports (report.html, report.md) of a study directory")
    report.add_argument("study_dir")
    _price_arguments(report)
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    if getattr(args, "command", None) == "run" and not args.study and not args.preset:
        args.preset = "quick"
    try:
        return args.func(args)
    except CrossoverError as exc:
        print(f"crossover: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crossover: interrupted; finished runs are kept, run the same command again to resume",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
