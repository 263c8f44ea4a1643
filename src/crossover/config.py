"""Study configuration: frozen dataclasses loaded from a TOML study file, validated before anything trains.

A study file looks like this (every table but ``[study]`` is optional)::

    [study]
    name = "quick"
    base = "default"             # a shipped base ("default", "chatty", "chatty-weak") or a path; a list: a prior axis
    world_seed = 0               # optional: the world every base must have been pretrained on (checked, never ignored)
    seeds = [0, 1]
    arms = ["base", "sft(200)", "sft(400)", "dpo(200)", "sft(200)>dpo(200)"]
    annotators = ["clean", "typical"]   # presets, or names defined under [annotator.NAME]

    [annotator.picky]            # a custom annotator: a preset with knobs changed
    preset = "clean"
    length_bias = 0.5

    [method.dpo]                 # defaults for every dpo stage (an arm may override: dpo(200, beta=0.05))
    beta = 0.1                   # every registered method has a table: sft, dpo, kto, simpo, orpo, grpo, rdpo, ...

    [dynamics]                   # training dynamics: KL to the reference and reply length while training
    prompts = 16                 # held-out prompts generated on at each measurement (0: off)
    points = 4                   # measurements after step 0, evenly spaced over each stage

    [probes]
    items = 48                   # items per probe (held-out entities and templates)
    judges = ["typical"]         # annotators that judge the eval score (default: the study's annotators)

    [probes.satisfaction]        # family weights of gold user satisfaction (default: equal, self-report 0)
    style = 2.0

    [crossover]                  # the starting point SFT(n0): compare m pairs with n more SFT examples
    n0 = 200
    n = 200
    m = 200

    [cost]                       # prices of training data (crossover.analysis.cost.CostModel documents each)
    price_sft = 1.0              # one SFT example
    price_pair = 5.0             # one preference pair

A study on real data replaces ``base`` and ``annotators`` with a model and the user's files; the probes are then
the text probes (``crossover.probes.text``) and budgets may not exceed the files::

    [model]
    path = "HuggingFaceTB/SmolLM2-135M-Instruct"   # a directory, a Hub id, a .gguf file, or "smollm2"
    lora = true                  # false (default): full fine-tuning
    lora_r = 16
    lora_alpha = 32
    lora_dropout = 0.05
    target_modules = "all-linear"   # or a list of module names
    trust_remote_code = false
    chat_template = "template.jinja"   # only for models without their own

    [data]                       # paths relative to this file; TRL's JSONL formats (see crossover.data.jsonl)
    sft = "sft.jsonl"
    preference = "pairs.jsonl"

    [probes]
    only = ["sycophancy", "refusal"]   # default: every text probe
    items = 0                    # items per probe; 0: all
    embedder = "minilm"          # optional graders: a sentence-embedding model,
    reward_model = "rm_dir"      # a reward model (sequence classification, one output),
    judge = "judge_dir"          # a chat model used as a yes/no judge

Every problem is reported with the file, the line (where it can be found) and the field.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossover.analysis.cost import CostModel
from crossover.errors import InputError, Problem
from crossover.methods import METHODS, MethodSettings
from crossover.models.options import LoraSettings, ModelOptions
from crossover.probes.run import ProbeSettings
from crossover.probes.text import TEXT_PROBES
from crossover.probes.text.run import TextProbeSettings
from crossover.train.arms import Arm, ArmSyntaxError, Stage, coerce, parse_arm
from crossover.train.dynamics import DynamicsSettings
from crossover.world.annotator import KNOBS, PRESETS, Annotator, annotator_from

MAX_WORLD_BUDGET = 100_000
"""Largest data budget a wind-tunnel stage may ask for; larger numbers are almost always typos."""


@dataclass(frozen=True)
class CrossoverPoint:
    """The margin at which the breakeven is measured: SFT(n0) plus m pairs vs SFT(n0 + n)."""

    n0: int
    n: int
    m: int
    method: str = "dpo"

    def arms(self) -> tuple[str, str, str]:
        """Labels of the parent, the more-SFT arm and the preference arm."""
        return f"sft({self.n0})", f"sft({self.n0 + self.n})", f"sft({self.n0})>{self.method}({self.m})"


@dataclass(frozen=True)
class ModelTable:
    """``[model]``: a Hugging Face causal LM to train on the user's data, and how."""

    path: str
    options: ModelOptions = ModelOptions()


@dataclass(frozen=True)
class DataTable:
    """``[data]``: the user's JSONL files (at least one)."""

    sft: Path | None = None
    preference: Path | None = None


@dataclass(frozen=True)
class StudyConfig:
    name: str
    arms: tuple[Arm, ...]
    seeds: tuple[int, ...] = (0,)
    bases: tuple[str, ...] = ("default",)
    """Base models: shipped names (``default``, ``chatty``, ``chatty-weak``) or paths; more than one makes the prior
    a study axis."""
    world_seed: int | None = None
    """The world the study asks for. The world comes from each base's manifest, so this is a check: every base must
    have been pretrained on this world (``None``: whatever world the bases hold)."""
    description: str = ""
    annotators: tuple[Annotator, ...] = (PRESETS["clean"],)
    methods: dict[str, MethodSettings] = field(default_factory=dict)
    probes: ProbeSettings | TextProbeSettings = ProbeSettings()
    dynamics: DynamicsSettings = DynamicsSettings()
    crossover: CrossoverPoint | None = None
    cost: CostModel = CostModel()
    source: str = "<built-in>"
    model: ModelTable | None = None
    """Set on real data (with ``data``); None in the wind tunnel."""
    data: DataTable | None = None

    def method_settings(self, stage: Stage) -> MethodSettings:
        """The study's defaults for the stage's method, with the arm's overrides applied."""
        defaults = self.methods.get(stage.method) or METHODS[stage.method].settings()
        return dataclasses.replace(defaults, **dict(stage.overrides))


class _Reader:
    """Collects problems while reading one TOML document, with best-effort line numbers."""

    def __init__(self, path: str, text: str):
        self.path, self.lines, self.problems = path, text.splitlines(), []

    def line_of(self, table: str, key: str | None) -> int | None:
        current = ""
        for number, raw in enumerate(self.lines, 1):
            line = raw.strip()
            if line.startswith("[") and line.endswith("]"):
                current = line.strip("[]").strip()
                if key is None and current == table:
                    return number
            elif key is not None and current == table and line.split("=", 1)[0].strip().strip('"') == key:
                return number
        return None

    def problem(self, table: str, key: str | None, message: str, index: int | None = None) -> None:
        name = ".".join(p for p in (table, key) if p) + (f"[{index}]" if index is not None else "")
        self.problems.append(Problem(self.path, message, self.line_of(table, key), name or None))

    def unknown_keys(self, table: str, data: dict, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.problem(table, key, f"unknown setting; expected one of: {', '.join(sorted(allowed))}")

    def typed(self, table: str, data: dict, key: str, expected: type, default: Any) -> Any:
        if key not in data:
            return default
        value = data[key]
        try:
            return coerce(key, value, expected, table)
        except TypeError:
            self.problem(table, key, f"must be {expected.__name__}, got {value!r}")
            return default


def load_study(path: str | Path) -> StudyConfig:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError.one(path, f"cannot read the study file ({exc.strerror})") from None
    return parse_study(text, str(path))


def parse_study(text: str, path: str = "<study>", overrides: dict[str, dict[str, Any]] | None = None) -> StudyConfig:
    """A study from TOML text; ``overrides`` (table -> key -> value, e.g. from the command line) replace keys."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's tomllib gives the position only inside its message: "... (at line 3, column 5)".
        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = getattr(exc, "lineno", None) or (int(at.group(1)) if at else None)
        raise InputError.one(path, f"not valid TOML: {exc}", line=line) from None
    for table, values in (overrides or {}).items():
        data[table] = {**data.get(table, {}), **values} if isinstance(data.get(table, {}), dict) else values
    return study_from_dict(data, path, text)


def study_from_dict(data: dict[str, Any], path: str = "<study>", text: str = "") -> StudyConfig:
    """A study from the tables of a parsed study file (``text``, if given, is used to find line numbers)."""
    r = _Reader(path, text)
    r.unknown_keys("", data, {"study", "annotator", "method", "probes", "dynamics", "crossover", "cost", "model",
                              "data"})
    study = _table(r, data, "study")
    if "study" not in data:
        r.problem("study", None, "the study file needs a [study] table with at least 'arms'")
    r.unknown_keys("study", study, {"name", "description", "base", "seeds", "arms", "annotators", "world_seed"})
    real = "model" in data or "data" in data
    name = r.typed("study", study, "name", str, Path(path).stem)
    if name in ("", ".", "..") or any(c in name for c in "/\\\0"):
        r.problem("study", "name", f"must be a plain name (it names the default output directory), got {name!r}")
    description = r.typed("study", study, "description", str, "")
    bases = _bases(r, study)
    seeds = _seeds(r, study)
    world_seed = _world_seed(r, study)
    arms = _arms(r, study, limit=None if real else MAX_WORLD_BUDGET)
    model, files = (_model(r, data, path), _data(r, data, path)) if real else (None, None)
    annotators = _no_world_keys(r, data, study) if real else _annotators(r, data, study)
    methods = _methods(r, data)
    if not r.problems:
        _check_stage_settings(r, arms, methods)
    probes = _text_probes(r, data, path) if real else _probes(r, data, annotators)
    dynamics = _dynamics(r, data)
    crossover = _crossover(r, data, limit=None if real else MAX_WORLD_BUDGET)
    cost = _cost(r, data)
    if crossover is not None and not r.problems:
        present = {a.label for a in arms}
        arms += tuple(parse_arm(label) for label in crossover.arms() if label not in present)
    if r.problems:
        raise InputError(r.problems)
    return StudyConfig(name=name, arms=arms, seeds=seeds, bases=bases, world_seed=world_seed, description=description,
                       annotators=annotators, methods=methods, probes=probes, dynamics=dynamics, crossover=crossover,
                       cost=cost, source=path, model=model, data=files)


def _table(r: _Reader, data: dict, name: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        r.problem(name, None, "must be a table, e.g. [" + name + "]")
        return {}
    return value


def _bases(r: _Reader, study: dict) -> tuple[str, ...]:
    raw = study.get("base", "default")
    bases = [raw] if isinstance(raw, str) else raw
    if not isinstance(bases, list) or not bases or not all(isinstance(b, str) and b for b in bases):
        r.problem("study", "base", f"must be a base name or path, or a list of them, got {raw!r}")
        return ("default",)
    if len(set(bases)) != len(bases):
        r.problem("study", "base", f"lists a base twice: {bases!r}")
    return tuple(bases)


def _world_seed(r: _Reader, study: dict) -> int | None:
    seed = study.get("world_seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        r.problem("study", "world_seed", f"must be a whole number >= 0, got {seed!r}")
        return None
    return seed


def _seeds(r: _Reader, study: dict) -> tuple[int, ...]:
    seeds = study.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and not isinstance(s, bool)
                                                           and s >= 0 for s in seeds):
        r.problem("study", "seeds", f"must be a non-empty list of whole numbers >= 0, got {seeds!r}")
        return (0,)
    if len(set(seeds)) != len(seeds):
        r.problem("study", "seeds", f"lists a seed twice: {seeds!r}")
    return tuple(seeds)


def _arms(r: _Reader, study: dict, limit: int | None = MAX_WORLD_BUDGET) -> tuple[Arm, ...]:
    raw = study.get("arms")
    if not isinstance(raw, list) or not raw:
        r.problem("study", "arms", "must be a non-empty list of arms such as [\"sft(200)\", \"sft(200)>dpo(200)\"]")
        return ()
    arms = []
    for i, text in enumerate(raw):
        try:
            arm = parse_arm(text)
        except ArmSyntaxError as exc:
            r.problem("study", "arms", str(exc), index=i)
            continue
        for stage in arm.stages:
            if limit is not None and stage.budget > limit:
                r.problem("study", "arms", f"{stage.label}: a budget of {stage.budget} is more than the "
                          f"{limit} examples a stage may use", index=i)
        if arm.label in {a.label for a in arms}:
            r.problem("study", "arms", f"{arm.label} is listed twice", index=i)
        arms.append(arm)
    return tuple(arms)


def _annotators(r: _Reader, data: dict, study: dict) -> tuple[Annotator, ...]:
    custom = _table(r, data, "annotator")
    names = study.get("annotators", ["clean"])
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        r.problem("study", "annotators", f"must be a non-empty list of annotator names, got {names!r}")
        return (PRESETS["clean"],)
    out = []
    for i, name in enumerate(names):
        if name in custom:
            out.append(_custom_annotator(r, name, custom[name]))
        elif name in PRESETS:
            out.append(PRESETS[name])
        else:
            r.problem("study", "annotators", f"unknown annotator {name!r}: use a preset "
                      f"({', '.join(PRESETS)}) or define [annotator.{name}]", index=i)
    for name in custom:
        if name not in names:
            r.problem(f"annotator.{name}", None, "is defined but not listed in study.annotators")
    return tuple(out)


def _custom_annotator(r: _Reader, name: str, table: Any) -> Annotator:
    where = f"annotator.{name}"
    if not isinstance(table, dict):
        r.problem(where, None, "must be a table")
        return PRESETS["clean"]
    r.unknown_keys(where, table, {"preset", *KNOBS})
    preset = table.get("preset")
    if preset is not None and preset not in PRESETS:
        r.problem(where, "preset", f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")
        preset = None
    knobs = {k: r.typed(where, table, k, float, getattr(PRESETS["clean"], k)) for k in KNOBS if k in table}
    if not 0.0 <= knobs.get("label_noise", 0.0) <= 0.5:
        r.problem(where, "label_noise", "must lie between 0 and 0.5")
    if knobs.get("temperature", 0.0) < 0:
        r.problem(where, "temperature", "must not be negative")
    return annotator_from(name, preset, **knobs)


def _methods(r: _Reader, data: dict) -> dict[str, MethodSettings]:
    out = {}
    for name, table in _table(r, data, "method").items():
        where = f"method.{name}"
        if name not in METHODS:
            r.problem(where, None, f"unknown method; known methods: {', '.join(METHODS)}")
            continue
        if not isinstance(table, dict):
            r.problem(where, None, "must be a table")
            continue
        settings_type = METHODS[name].settings
        types = settings_type.field_types()
        r.unknown_keys(where, table, set(types))
        defaults = settings_type()
        values = {k: r.typed(where, table, k, types[k], getattr(defaults, k)) for k in table if k in types}
        out[name] = dataclasses.replace(defaults, **values)
        for problem in out[name].problems():
            r.problem(where, None, problem)
    return out


def _check_stage_settings(r: _Reader, arms: tuple[Arm, ...], methods: dict[str, MethodSettings]) -> None:
    """Each stage's settings as it will run (the study's defaults with the arm's overrides) must be usable."""
    for i, arm in enumerate(arms):
        for stage in arm.stages:
            settings = dataclasses.replace(methods.get(stage.method) or METHODS[stage.method].settings(),
                                           **dict(stage.overrides))
            for problem in settings.problems():
                r.problem("study", "arms", f"{stage.label}: {problem}", index=i)


def _probes(r: _Reader, data: dict, annotators: tuple[Annotator, ...]) -> ProbeSettings:
    table = _table(r, data, "probes")
    defaults = ProbeSettings()
    scalars = {"items": int, "ood_items": int, "max_new_tokens": int, "batch_size": int, "temperature": float}
    r.unknown_keys("probes", table, {*scalars, "judges", "satisfaction"})
    values: dict[str, Any] = {k: r.typed("probes", table, k, t, getattr(defaults, k))
                              for k, t in scalars.items() if k in table}
    for key, value in values.items():
        if key == "temperature" and value < 0:
            r.problem("probes", key, "must not be negative (0 decodes greedily)")
        elif key != "temperature" and value < 1:
            r.problem("probes", key, "must be at least 1")
    judges = table.get("judges")
    by_name = {a.name: a for a in annotators}
    if judges is None:
        values["judges"] = annotators
    elif not isinstance(judges, list) or not all(isinstance(j, str) for j in judges):
        r.problem("probes", "judges", "must be a list of annotator names")
    else:
        for i, name in enumerate(judges):
            if name not in by_name and name not in PRESETS:
                r.problem("probes", "judges", f"unknown annotator {name!r}", index=i)
        values["judges"] = tuple(by_name.get(j) or PRESETS.get(j, PRESETS["clean"]) for j in judges)
    mix = table.get("satisfaction")
    if mix is not None:
        values["satisfaction_mix"] = _mix(r, mix)
    return dataclasses.replace(defaults, **values)


def _mix(r: _Reader, mix: Any) -> dict[str, float]:
    from crossover.world.families import FAMILIES

    where = "probes.satisfaction"
    if not isinstance(mix, dict):
        r.problem(where, None, "must be a table of family = weight")
        return {}
    out = {}
    for name, weight in mix.items():
        if name not in FAMILIES:
            r.problem(where, name, f"unknown task family; families: {', '.join(FAMILIES)}")
        elif not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            r.problem(where, name, f"must be a weight >= 0, got {weight!r}")
        else:
            out[name] = float(weight)
    if out and not any(out.values()):
        r.problem(where, None, "needs at least one positive weight")
    return {name: out.get(name, 0.0) for name in FAMILIES}


def _dynamics(r: _Reader, data: dict) -> DynamicsSettings:
    table = _table(r, data, "dynamics")
    defaults = DynamicsSettings()
    names = [f.name for f in dataclasses.fields(DynamicsSettings)]
    r.unknown_keys("dynamics", table, set(names))
    values = {k: r.typed("dynamics", table, k, int, getattr(defaults, k)) for k in names if k in table}
    for key, value in values.items():
        if value < (0 if key == "prompts" else 1):
            r.problem("dynamics", key, "must be at least 0 (0 turns watching off)" if key == "prompts"
                      else "must be at least 1")
    return dataclasses.replace(defaults, **values)


def _crossover(r: _Reader, data: dict, limit: int | None = MAX_WORLD_BUDGET) -> CrossoverPoint | None:
    if "crossover" not in data:
        return None
    table = _table(r, data, "crossover")
    r.unknown_keys("crossover", table, {"n0", "n", "m", "method"})
    values = {}
    for key in ("n0", "n", "m"):
        if key not in table:
            r.problem("crossover", key, "is required in [crossover]")
            continue
        value = r.typed("crossover", table, key, int, 1)
        if value < 1 or (limit is not None and value > limit):
            r.problem("crossover", key, f"must be between 1 and {limit}, got {value}" if limit else
                      f"must be at least 1, got {value}")
        values[key] = value
    method = r.typed("crossover", table, "method", str, "dpo")
    if method not in METHODS or METHODS[method].data == "demonstrations":
        r.problem("crossover", "method", f"must name a preference method, got {method!r}")
    if len(values) < 3:
        return None
    return CrossoverPoint(values["n0"], values["n"], values["m"], method)


def _relative(path: str, value: str) -> Path:
    """A path from a study file, relative to the file's directory (or to the working directory)."""
    candidate = Path(value).expanduser()
    if candidate.is_absolute() or path.startswith("<"):
        return candidate
    return Path(path).parent / candidate


def _model(r: _Reader, data: dict, path: str) -> ModelTable | None:
    table = _table(r, data, "model")
    if "model" not in data:
        r.problem("model", None, "a study on your own data needs a [model] table with 'path'")
        return None
    lora_keys = {"lora_r": int, "lora_alpha": int, "lora_dropout": float, "target_modules": object}
    r.unknown_keys("model", table, {"path", "lora", "trust_remote_code", "chat_template", *lora_keys})
    where = r.typed("model", table, "path", str, "")
    if not where:
        r.problem("model", "path", "is required: a model directory, a Hub id, a .gguf file or 'smollm2'")
    elif _relative(path, where).exists():  # a local path is relative to the study file; a Hub id is not a path
        where = str(_relative(path, where))
    defaults = LoraSettings()
    targets = table.get("target_modules", "all-linear")
    if isinstance(targets, str):
        targets = [targets]
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) and t for t in targets):
        r.problem("model", "target_modules", f"must be a module name or a list of them, got {targets!r}")
        targets = list(defaults.target_modules)
    lora = LoraSettings(r.typed("model", table, "lora_r", int, defaults.r),
                        r.typed("model", table, "lora_alpha", int, defaults.alpha),
                        r.typed("model", table, "lora_dropout", float, defaults.dropout), tuple(targets))
    if lora.r < 1 or lora.alpha < 1:
        r.problem("model", "lora_r" if lora.r < 1 else "lora_alpha", "must be at least 1")
    if not 0.0 <= lora.dropout < 1.0:
        r.problem("model", "lora_dropout", "must lie in [0, 1)")
    use_lora = r.typed("model", table, "lora", bool, False)
    if not use_lora and any(k in table for k in lora_keys):
        r.problem("model", next(k for k in lora_keys if k in table), "is a LoRA setting, but lora is not true")
    template = None
    if "chat_template" in table:
        file = _relative(path, r.typed("model", table, "chat_template", str, ""))
        try:
            template = file.read_text()
        except OSError as exc:
            r.problem("model", "chat_template", f"cannot read {file} ({exc.strerror})")
    options = ModelOptions(lora if use_lora else None, r.typed("model", table, "trust_remote_code", bool, False),
                           template)
    return ModelTable(where, options)


def _data(r: _Reader, data: dict, path: str) -> DataTable | None:
    table = _table(r, data, "data")
    if "data" not in data:
        r.problem("data", None, "a study on your own model needs a [data] table with 'sft' and/or 'preference'")
        return None
    r.unknown_keys("data", table, {"sft", "preference"})
    files = {k: _relative(path, r.typed("data", table, k, str, "")) for k in ("sft", "preference") if table.get(k)}
    if not files:
        r.problem("data", None, "give at least one of sft = FILE, preference = FILE")
    return DataTable(files.get("sft"), files.get("preference"))


def _no_world_keys(r: _Reader, data: dict, study: dict) -> tuple[Annotator, ...]:
    """On real data the preference file's labels are the annotator; wind-tunnel settings would be ignored."""
    for key, message in (("base", "use [model] path for your own model"),
                         ("annotators", "your preference file's labels are used; annotators are wind-tunnel settings"),
                         ("world_seed", "is a wind-tunnel setting")):
        if key in study:
            r.problem("study", key, message)
    if "annotator" in data:
        r.problem("annotator", None, "annotators are wind-tunnel settings; your preference file's labels are used")
    return ()


def _text_probes(r: _Reader, data: dict, path: str) -> TextProbeSettings:
    table = _table(r, data, "probes")
    defaults = TextProbeSettings()
    types = {f.name: type(getattr(defaults, f.name)) for f in dataclasses.fields(TextProbeSettings)}
    r.unknown_keys("probes", table, set(types))
    values: dict[str, Any] = {}
    for key, kind in types.items():
        if key not in table:
            continue
        if key == "only":
            names = table[key]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                r.problem("probes", key, f"must be a list of probe names, got {names!r}")
                continue
            unknown = [n for n in names if n not in TEXT_PROBES]
            if unknown:
                r.problem("probes", key, f"unknown probe(s) {', '.join(unknown)}; text probes: {', '.join(TEXT_PROBES)}")
            values[key] = tuple(names)
            continue
        value = r.typed("probes", table, key, kind, getattr(defaults, key))
        if kind is int and value < (1 if key in ("batch_size", "lc_reference_words") else 0):
            r.problem("probes", key, "must be at least 1" if key in ("batch_size", "lc_reference_words")
                      else "must not be negative")
        if key in ("reward_model", "judge") and value or (key == "embedder" and value and value != "minilm"):
            value = str(_relative(path, value))
        values[key] = value
    return dataclasses.replace(defaults, **values)


def _cost(r: _Reader, data: dict) -> CostModel:
    table = _table(r, data, "cost")
    types = CostModel.field_types()
    r.unknown_keys("cost", table, set(types))
    defaults = CostModel()
    values = {k: r.typed("cost", table, k, types[k], getattr(defaults, k)) for k in table if k in types}
    for key, value in values.items():
        if key == "currency":
            if not value.strip():
                r.problem("cost", key, "must not be empty")
        elif not math.isfinite(value):
            r.problem("cost", key, f"must be a finite number, got {value}")
        elif key in ("price_sft", "price_pair") and not value > 0:
            r.problem("cost", key, f"must be greater than 0, got {value}")
        elif value < 0:
            r.problem("cost", key, f"must not be negative, got {value}")
    return dataclasses.replace(defaults, **values)
