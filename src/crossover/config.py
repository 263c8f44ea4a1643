"""Study configuration: a TOML study file read into frozen settings dataclasses, validated before anything trains.

A study is one of two kinds (``StudyConfig = WindTunnelStudy | OwnModelStudy``). A wind-tunnel study (every table
but ``[study]`` is optional)::

    [study]                      # StudyTable / WindTunnelTable
    name = "quick"
    base = "default"             # a shipped base ("default", "chatty", ...: docs/wind-tunnel.md) or a path; a list: a prior axis
    world_seed = 0               # optional: the world every base must hold (checked against each base, never ignored)
    seeds = [0, 1]
    arms = ["base", "sft(200)", "sft(400)", "dpo(200)", "sft(200)>dpo(200)"]
    annotators = ["clean", "typical"]
    report_to = "none"           # training curves also to "tensorboard" and/or "wandb" (one tracker run per stage)

    [annotator.picky]            # Annotator: a preset with knobs changed
    preset = "clean"
    length_bias = 0.5

    [method.dpo]                 # the method's settings class (DPOSettings); an arm overrides: dpo(200, beta=0.05)
    beta = 0.1

    [dynamics]                   # DynamicsSettings
    prompts = 16

    [probes]                     # ProbeSettings
    items = 48
    judges = ["typical"]

    [probes.satisfaction]        # ProbeSettings.satisfaction_mix
    style = 2.0

    [crossover]                  # crossover.pricing.CrossoverPoint
    n0 = 200
    n = 200
    m = 200

    [cost]                       # crossover.pricing.CostModel
    price_pair = 5.0

    [analysis]                   # AnalysisSettings: primary endpoints, read at the nominal level
    primary = ["satisfaction.gold", "sycophancy.flip_rate"]

A study on your own model replaces ``base`` and ``annotators`` with a model and your files; the probes are then
the text probes (``TextProbeSettings``) and budgets may not exceed the files::

    [model]                      # ModelKeys, and LoraSettings' keys (lora_r, lora_alpha, ...)
    path = "HuggingFaceTB/SmolLM2-135M-Instruct"
    lora = true

    [data]                       # DataTable
    sft = "sft.jsonl"
    preference = "pairs.jsonl"

What each setting means, its default and its range are written once, on the field of the dataclass named beside
its table. ``read_settings`` builds any of these classes from its TOML table by the field annotations: numbers
(an int is accepted for a float), ``bool``, ``str``, ``Literal`` choices, tuples (from a list, or one value),
``dict[str, X]`` (a sub-table), nested settings dataclasses, ``X | None`` (absent: the default), paths
(``PathSetting``: relative to the study file). Unknown keys are errors. The class then checks itself on
construction (``crossover.settings.Settings``): ranges (``Annotated[float, above(0)]``), choices, list rules
(``Items``) and its ``problems()``. Every problem names the file, the line and the field, and all are reported at
once.

To add a setting: add a field with a default, a docstring, and (for a number) a range, to the dataclass of its
table, e.g. ``formats: tuple[Literal["html", "md"], ...] = ("html",)`` or ``primary: tuple[str, ...] = ()`` with
a ``problems()`` rule for what ties it to other fields. Nothing in this module changes, unless the setting needs
the study's context (such as another table): then resolve it in ``_wind_tunnel`` or ``_own_model``. A new table is
a new dataclass, one ``read_settings`` call in ``_shared`` (or the kind it belongs to), and one field on ``Study``.
Fields that enter a run's spec change its run id, so a new one must default to what the code did before.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from crossover.errors import CrossoverError, InputError, Problem
from crossover.methods import METHODS, MethodSettings
from crossover.models.options import LoraSettings, ModelOptions
from crossover.pricing import CostModel, CrossoverPoint
from crossover.probes.run import ProbeSettings
from crossover.probes.text.run import TextProbeSettings
from crossover.settings import (
    Items,
    NonNegativeInt,
    PathSetting,
    Settings,
    SettingsError,
    hints,
    strip,
    toml_key,
    value_problems,
)
from crossover.train.arms import Arm, ArmSyntaxError, Stage, parse_arm
from crossover.train.dynamics import DynamicsSettings
from crossover.train.tracking import parse_report_to
from crossover.world.annotator import PRESETS, Annotator
from crossover.world.families import FAMILIES

MAX_WORLD_BUDGET = 100_000
"""Largest data budget a wind-tunnel stage may ask for; larger numbers are almost always typos."""


# ---- the tables of a study file ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StudyTable(Settings):
    """``[study]`` of either kind of study: what is compared."""

    arms: Annotated[tuple[Arm, ...], Items(min=1, distinct=True)]
    """Arms such as ``"sft(200)"`` or ``"sft(200)>dpo(200, beta=0.05)"`` (``crossover.train.arms``)."""
    name: str
    """Names the default output directory (default: the study file's name)."""
    description: str = ""
    seeds: Annotated[tuple[NonNegativeInt, ...], Items(min=1, distinct=True)] = (0,)
    """Training seeds; every arm runs once per seed (a stage-less ``base`` once)."""
    report_to: tuple[str, ...] = ()
    """Trackers every trained stage also reports to, as TRL's ``report_to``: ``"none"``, ``"tensorboard"``,
    ``"wandb"`` or a list (``crossover.train.tracking``). How a run is watched, not what it computes."""

    def problems(self) -> list[str | tuple[str, str]]:
        out: list[str | tuple[str, str]] = []
        if self.name in ("", ".", "..") or any(c in self.name for c in "/\\\0"):
            out.append(("name", f"must be a plain name (it names the default output directory), got {self.name!r}"))
        try:
            parse_report_to(self.report_to)
        except CrossoverError as exc:
            out.append(("report_to", str(exc).removeprefix("report_to: ")))
        return out


@dataclass(frozen=True)
class WindTunnelTable(StudyTable):
    """``[study]`` of a wind-tunnel study."""

    base: Annotated[tuple[str, ...], Items(min=1, distinct=True)] = ("default",)
    """Base models: shipped names (``default``, ``documents-weak``, ``chatty``, ``chatty-weak``) or paths; more than
    one makes the prior a study axis."""
    world_seed: NonNegativeInt | None = None
    """The world the study asks for. The world comes from each base's manifest, so this is a check: every base must
    have been pretrained on this world, else the study is refused with the command that builds one (``None``:
    whatever world the bases hold)."""
    annotators: Annotated[tuple[Annotator, ...], Items(min=1, distinct=True)] = (PRESETS["clean"],)
    """Who labels the preference data, by name: presets (``crossover.world.annotator.PRESETS``) or
    ``[annotator.NAME]`` tables."""

    def problems(self) -> list[str | tuple[str, str]]:
        out = super().problems() + [("base", "must not name an empty base")] * ("" in self.base)
        return out + [(f"arms[{i}]", f"{stage.label}: a budget of {stage.budget} is more than the "
                                     f"{MAX_WORLD_BUDGET} examples a stage may use")
                      for i, arm in enumerate(self.arms) for stage in arm.stages if stage.budget > MAX_WORLD_BUDGET]


@dataclass(frozen=True)
class ModelKeys(Settings):
    """``[model]`` (with LoraSettings' ``lora_*`` keys and ``target_modules``): the model trained on your data."""

    path: Annotated[str, PathSetting(if_exists=True)]
    """A model directory (relative to the study file), a Hub id, a .gguf file, or ``smollm2``."""
    lora: bool = False
    """Train LoRA adapters (the ``lora_*`` settings) instead of every weight."""
    trust_remote_code: bool = False
    """Run Python code shipped with the model; off unless asked for."""
    chat_template: Annotated[Path | None, PathSetting()] = None
    """A Jinja chat template file, for models that ship none."""

    def problems(self) -> list[str | tuple[str, str]]:
        return [] if self.path else [("path", "is required: a model directory, a Hub id, a .gguf file or 'smollm2'")]


@dataclass(frozen=True)
class ModelTable:
    """The model of a study on your own data, resolved: where it is and how it is trained."""

    path: str
    options: ModelOptions = ModelOptions()


@dataclass(frozen=True)
class DataTable(Settings):
    """``[data]``: your JSONL files (at least one), relative to the study file; see ``crossover.data.jsonl``."""

    sft: Annotated[Path | None, PathSetting()] = None
    """Demonstrations: ``messages``, or ``prompt``/``completion`` rows."""
    preference: Annotated[Path | None, PathSetting()] = None
    """Preference data: ``prompt``/``chosen``/``rejected`` pairs, or ``prompt``/``completion``/``label`` rows."""

    def problems(self) -> list[str | tuple[str, str]]:
        return [] if self.sft or self.preference else ["give at least one of sft = FILE, preference = FILE"]


@dataclass(frozen=True)
class AnalysisSettings(Settings):
    """``[analysis]``: how the verdict is read (``crossover.analysis.multiplicity``)."""

    primary: Annotated[tuple[str, ...], Items(distinct=True)] = ()
    """Primary endpoints as ``probe.metric``, declared before the data and read at the nominal level (the other
    metrics are controlled for the false-discovery rate); empty: gold satisfaction and one headline metric per
    behaviour axis (``crossover.analysis.multiplicity.DEFAULT_PRIMARY``)."""

    def problems(self) -> list[str | tuple[str, str]]:
        from crossover.probes import metric_info

        known = metric_info()
        return [(f"primary[{i}]", f"unknown metric {name!r}; expected probe.metric, e.g. 'satisfaction.gold'")
                for i, name in enumerate(self.primary)
                if (name.partition(".")[0], name.partition(".")[2].split(":", 1)[0]) not in known]


# ---- the study: one of two kinds -----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Study:
    """What both kinds of study share."""

    name: str
    arms: tuple[Arm, ...]
    seeds: tuple[int, ...] = (0,)
    description: str = ""
    methods: dict[str, MethodSettings] = field(default_factory=dict)
    """The study's defaults per method (``[method.NAME]``); a method without a table uses its class defaults."""
    dynamics: DynamicsSettings = DynamicsSettings()
    crossover: CrossoverPoint | None = None
    cost: CostModel = CostModel()
    analysis: AnalysisSettings = AnalysisSettings()
    source: str = "<built-in>"
    report_to: tuple[str, ...] = ()
    """Trackers every trained stage reports to besides ``train_log.jsonl`` (``crossover.train.tracking``); empty:
    none. Not part of a run id."""

    def method_settings(self, stage: Stage) -> MethodSettings:
        """The study's defaults for the stage's method, with the arm's overrides applied."""
        defaults = self.methods.get(stage.method) or METHODS[stage.method].settings()
        return dataclasses.replace(defaults, **dict(stage.overrides))


@dataclass(frozen=True, kw_only=True)
class WindTunnelStudy(Study):
    """A study in the wind tunnel: shipped or built bases, the world's data labelled by annotators."""

    bases: tuple[str, ...] = ("default",)
    world_seed: int | None = None
    """Checked against every base's world when the bases are resolved (``crossover.study.inputs.check_world``)."""
    annotators: tuple[Annotator, ...] = (PRESETS["clean"],)
    probes: ProbeSettings = ProbeSettings()


@dataclass(frozen=True, kw_only=True)
class OwnModelStudy(Study):
    """A study on your own model and files, probed with the text probes."""

    model: ModelTable
    data: DataTable
    probes: TextProbeSettings = TextProbeSettings()


StudyConfig = WindTunnelStudy | OwnModelStudy

SHARED_TABLES = ("study", "method", "probes", "dynamics", "crossover", "cost", "analysis")
WIND_TUNNEL_ONLY = {"study.base": "use [model] path for your own model",
                    "study.annotators": "your preference file's labels are used; annotators are wind-tunnel settings",
                    "annotator": "annotators are wind-tunnel settings; your preference file's labels are used"}


# ---- reading ---------------------------------------------------------------------------------------------------

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
    """A study from the tables of a parsed study file (``text``, if given, is used to find line numbers).

    The kind follows from the tables: ``[model]`` or ``[data]`` make a study on your own model."""
    r = _Reader(path, text)
    own = "model" in data or "data" in data
    known = (*SHARED_TABLES, *(("model", "data") if own else ("annotator",)))
    for name in data:
        if name not in known:
            r.problem(name, (WIND_TUNNEL_ONLY.get(name) if own else None)
                      or f"unknown setting; expected one of: {', '.join(sorted(known))}")
    if "study" not in data:
        r.problem("study", "the study file needs a [study] table with at least 'arms'")
    config = _own_model(r, data) if own else _wind_tunnel(r, data)
    if r.problems or config is None:
        raise InputError(r.problems or [Problem(path, "the study could not be read", field="study")])
    return config


def _wind_tunnel(r: _Reader, data: dict[str, Any]) -> WindTunnelStudy | None:
    custom = _custom_annotators(r, r.table(data, "annotator"))
    named = {Annotator: _annotator_named(custom)}
    study = r.read_settings(WindTunnelTable, r.table(data, "study"), "study", {"name": Path(r.path).stem},
                            converters=named)
    for name in custom:
        if study is not None and name not in {a.name for a in study.annotators}:
            r.problem(f"annotator.{name}", "is defined but not listed in study.annotators")
    raw_probes = r.table(data, "probes")
    probes = r.read_settings(ProbeSettings, raw_probes, "probes", converters=named)
    shared = _shared(r, data, study, limit=MAX_WORLD_BUDGET)
    if shared is None or study is None or probes is None:
        return None
    if "judges" not in raw_probes:  # the eval score is judged by the study's annotators unless told otherwise
        probes = dataclasses.replace(probes, judges=study.annotators)
    if "satisfaction" in raw_probes:  # a family the table leaves out weighs 0
        probes = dataclasses.replace(probes, satisfaction_mix={k: probes.satisfaction_mix.get(k, 0.0)
                                                               for k in FAMILIES})
    return WindTunnelStudy(**shared, bases=study.base, world_seed=study.world_seed, annotators=study.annotators,
                           probes=probes)


def _own_model(r: _Reader, data: dict[str, Any]) -> OwnModelStudy | None:
    raw_study = dict(r.table(data, "study"))
    for key in ("base", "annotators"):
        if raw_study.pop(key, None) is not None:
            r.problem(f"study.{key}", WIND_TUNNEL_ONLY[f"study.{key}"])
    study = r.read_settings(StudyTable, raw_study, "study", {"name": Path(r.path).stem})
    for i, arm in enumerate(study.arms if study is not None else ()):
        for stage in (s for s in arm.stages if s.pairs.samples):  # the labels are the preference file's
            r.problem(f"study.arms[{i}]", f"{stage.label}: pairs={stage.pairs.origin} needs the wind tunnel's "
                      "annotator to label the model's own samples; on your own data the pairs are the preference "
                      "file's (drop the pairs= setting)")
    model = _model(r, data)
    files = r.read_settings(DataTable, r.table(data, "data"), "data") if "data" in data else None
    if "data" not in data:
        r.problem("data", "a study on your own model needs a [data] table with 'sft' and/or 'preference'")
    probes = r.read_settings(TextProbeSettings, r.table(data, "probes"), "probes")
    shared = _shared(r, data, study, limit=None)
    if shared is None or model is None or files is None or probes is None:
        return None
    return OwnModelStudy(**shared, model=model, data=files, probes=probes)


def _shared(r: _Reader, data: dict[str, Any], study: StudyTable | None, limit: int | None) -> dict[str, Any] | None:
    """The fields both kinds share, with the arms the crossover point implies added."""
    methods = _methods(r, r.table(data, "method"))
    dynamics = r.read_settings(DynamicsSettings, r.table(data, "dynamics"), "dynamics")
    point = r.read_settings(CrossoverPoint, r.table(data, "crossover"), "crossover") if "crossover" in data else None
    cost = r.read_settings(CostModel, r.table(data, "cost"), "cost")
    analysis = r.read_settings(AnalysisSettings, r.table(data, "analysis"), "analysis")
    if point is not None and limit is not None:
        for key in ("n0", "n", "m"):
            if getattr(point, key) > limit:
                r.problem(f"crossover.{key}", f"must be between 1 and {limit}, got {getattr(point, key)}")
    if study is None or methods is None or dynamics is None or cost is None or analysis is None or r.problems:
        return None
    if not _stages_usable(r, study.arms, methods) or ("crossover" in data and point is None):
        return None
    arms = study.arms + tuple(parse_arm(label) for label in (point.arms() if point else ())
                              if label not in {a.label for a in study.arms})
    return dict(name=study.name, arms=arms, seeds=study.seeds, description=study.description, methods=methods,
                dynamics=dynamics, crossover=point, cost=cost, analysis=analysis, source=r.path,
                report_to=parse_report_to(study.report_to))


def _methods(r: _Reader, tables: dict[str, Any]) -> dict[str, MethodSettings] | None:
    out = {}
    for name, table in tables.items():
        if name not in METHODS:
            r.problem(f"method.{name}", f"unknown method; known methods: {', '.join(METHODS)}")
        elif (settings := r.read_settings(METHODS[name].settings, table, f"method.{name}")) is not None:
            out[name] = settings
    return out if len(out) == len(tables) else None


def _stages_usable(r: _Reader, arms: tuple[Arm, ...], methods: dict[str, MethodSettings]) -> bool:
    """Each stage's settings as it will run (the study's defaults with the arm's overrides) must be usable."""
    usable = True
    for i, arm in enumerate(arms):
        for stage in arm.stages:
            try:
                dataclasses.replace(methods.get(stage.method) or METHODS[stage.method].settings(),
                                    **dict(stage.overrides))
            except SettingsError as exc:
                usable = False
                for at, message in exc.problems:
                    r.problem(f"study.arms[{i}]", f"{stage.label}: " + (f"setting {at!r} {message}" if at else message))
    return usable


def _custom_annotators(r: _Reader, tables: dict[str, Any]) -> dict[str, Annotator | None]:
    """``[annotator.NAME]`` tables: a preset (``preset``, else the preset called NAME, else clean) with knobs
    changed. None for a table that could not be read (its problems are reported)."""
    out: dict[str, Annotator | None] = {}
    for name, table in tables.items():
        where = f"annotator.{name}"
        knobs = dict(r.table(tables, name, where))
        preset = knobs.pop("preset", None)
        if preset is not None and (not isinstance(preset, str) or preset not in PRESETS):
            r.problem(f"{where}.preset", f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")
            preset = None
        if "name" in knobs:
            r.problem(f"{where}.name", "is the table's name; remove it")
        start = PRESETS.get(preset) or PRESETS.get(name, PRESETS["clean"])  # type: ignore[arg-type]
        out[name] = r.read_settings(Annotator, {k: v for k, v in knobs.items() if k != "name"}, where,
                                    {**dataclasses.asdict(start), "name": name})
    return out


def _annotator_named(custom: dict[str, Annotator | None]) -> Converter:
    """Reads an annotator's name: a ``[annotator.NAME]`` table or a preset."""

    def read(name: Any) -> Annotator:
        if not isinstance(name, str):
            raise ValueError(f"must be an annotator's name, got {name!r}")
        if name in custom:
            if custom[name] is None:
                raise ValueError(f"[annotator.{name}] has problems (listed with it)")
            return custom[name]  # type: ignore[return-value]
        if name in PRESETS:
            return PRESETS[name]
        raise ValueError(f"unknown annotator {name!r}: use a preset ({', '.join(PRESETS)}) or define "
                         f"[annotator.{name}]")
    return read


def _model(r: _Reader, data: dict[str, Any]) -> ModelTable | None:
    """``[model]``: ModelKeys' keys and LoraSettings' (``lora_r``, ..., ``target_modules``) in one table."""
    if "model" not in data:
        r.problem("model", "a study on your own data needs a [model] table with 'path'")
        return None
    raw = r.table(data, "model")
    lora_keys = {toml_key(LoraSettings, f.name) for f in dataclasses.fields(LoraSettings)}
    keys = r.read_settings(ModelKeys, {k: v for k, v in raw.items() if k not in lora_keys}, "model",
                           also_known=lora_keys)
    lora = r.read_settings(LoraSettings, {k: v for k, v in raw.items() if k in lora_keys}, "model")
    if keys is None or lora is None:
        return None
    if not keys.lora and lora_keys & set(raw):
        r.problem(f"model.{next(k for k in raw if k in lora_keys)}", "is a LoRA setting, but lora is not true")
    template = None
    if keys.chat_template is not None:
        try:
            template = keys.chat_template.read_text()
        except OSError as exc:
            r.problem("model.chat_template", f"cannot read {keys.chat_template} ({exc.strerror})")
    return ModelTable(keys.path, ModelOptions(lora if keys.lora else None, keys.trust_remote_code, template))


_INVALID = object()
"""What a conversion returns after reporting a problem."""

Converter = typing.Callable[[Any], Any]
"""Reads one TOML value into a type a table cannot describe by itself; raises ValueError with the sentence."""


class _Reader:
    """Reads the tables of one TOML document into settings dataclasses, collecting every problem with its line."""

    def __init__(self, path: str, text: str):
        self.path, self.lines, self.problems = path, text.splitlines(), []
        self.converters: dict[Any, Converter] = {Arm: _arm}

    def problem(self, where: str, message: str) -> None:
        """A problem at a dotted field, e.g. ``study.arms[1]`` or ``probes.satisfaction.style``."""
        self.problems.append(Problem(self.path, message, self._line(re.sub(r"\[\d+\]", "", where)), where or None))

    def table(self, data: dict[str, Any], name: str, where: str | None = None) -> dict[str, Any]:
        """``data[name]`` when it is a table; {} (and a problem) when it is something else."""
        value = data.get(name, {})
        if isinstance(value, dict):
            return value
        self.problem(where or name, f"must be a table, e.g. [{where or name}]")
        return {}

    def read_settings(self, cls: type, raw: Any, where: str, defaults: dict[str, Any] | None = None, *,
                      converters: dict[Any, Converter] | None = None, also_known: set[str] = frozenset()) -> Any:
        """An instance of the settings dataclass ``cls`` from its TOML table ``raw`` (None after a problem).

        ``defaults`` replace the class's own defaults; ``also_known`` are keys of the same table read elsewhere."""
        if not isinstance(raw, dict):
            self.problem(where, f"must be a table, e.g. [{where}]")
            return None
        converters = {**self.converters, **(converters or {})}
        fields = {toml_key(cls, f.name): f for f in dataclasses.fields(cls) if f.init}
        for key in raw:
            if key not in fields and key not in also_known:
                self.problem(f"{where}.{key}", "unknown setting; expected one of: "
                             + ", ".join(sorted({*fields, *also_known})))
        values, complete = dict(defaults or {}), True
        for key, f in fields.items():
            if key in raw:
                values[f.name] = self._convert(hints(cls)[f.name], raw[key], f"{where}.{key}", converters)
            elif f.name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                self.problem(f"{where}.{key}", "is required")
                complete = False
        converted = {k: v for k, v in values.items() if v is not _INVALID}
        if not complete or len(converted) < len(values):
            for name, value in converted.items():  # what can still be checked field by field
                for at, message in value_problems(hints(cls)[name], value):
                    self.problem(f"{where}.{toml_key(cls, name)}{at}", message)
            return None
        try:
            return cls(**values)
        except SettingsError as exc:
            for at, message in exc.problems:
                self.problem(_located(cls, where, at), message)
            return None

    def _convert(self, hint: Any, raw: Any, where: str, converters: dict[Any, Converter]) -> Any:
        """The value of one field from its TOML value, or ``_INVALID`` after reporting why not."""
        inner, extras = strip(hint)
        origin, args = typing.get_origin(inner), typing.get_args(inner)
        if inner in converters:
            try:
                return converters[inner](raw)
            except ValueError as exc:
                self.problem(where, str(exc))
                return _INVALID
        if origin in (typing.Union, types.UnionType):  # TOML has no null: an optional setting is given or absent
            (option,) = (a for a in args if a is not type(None))
            return self._convert(Annotated[(option, *extras)] if extras else option, raw, where, converters)
        if origin is Literal:
            if any(raw == a and type(raw) is type(a) for a in args):
                return raw
            return self._bad(where, f"must be one of {', '.join(map(str, args))}; got {raw!r}")
        if origin is tuple:
            items = [self._convert(args[0], item, f"{where}[{i}]", converters)
                     for i, item in enumerate(raw if isinstance(raw, list) else [raw])]
            return _INVALID if _INVALID in items else tuple(items)
        if origin is dict:
            if not isinstance(raw, dict):
                return self._bad(where, "must be a table of name = value")
            out = {k: self._convert(args[1], v, f"{where}.{k}", converters) for k, v in raw.items()}
            return _INVALID if _INVALID in out.values() else out
        if isinstance(inner, type) and issubclass(inner, Settings):
            value = self.read_settings(inner, raw, where, converters=converters)
            return _INVALID if value is None else value
        return self._scalar(inner, extras, raw, where)

    def _scalar(self, kind: type, extras: tuple[Any, ...], raw: Any, where: str) -> Any:
        if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
            return float(raw)
        expected = str if kind is Path else kind
        if expected not in (bool, int, float, str):
            raise TypeError(f"{where}: settings of type {kind!r} have no reader")  # a bug in a settings class
        if not isinstance(raw, expected) or (expected is int and isinstance(raw, bool)):
            return self._bad(where, f"must be {expected.__name__}, got {raw!r}")
        path = next((e for e in extras if isinstance(e, PathSetting)), None)
        if path is None:
            return raw
        if kind is Path and not raw.strip():
            return self._bad(where, "must not be empty")
        return Path(self._relative(raw, path)) if kind is Path else self._relative(raw, path)

    def _relative(self, value: str, setting: PathSetting) -> str:
        """A path from the study file, relative to the file's folder (or to the working directory)."""
        if not value or value in setting.names:
            return value
        try:
            candidate = Path(value).expanduser()
        except RuntimeError:  # "~someone" with no such user: not a home directory, a plain name
            candidate = Path(value)
        if not candidate.is_absolute() and not self.path.startswith("<"):
            candidate = Path(self.path).parent / candidate
        return value if setting.if_exists and not candidate.exists() else str(candidate)

    def _bad(self, where: str, message: str) -> Any:
        self.problem(where, message)
        return _INVALID

    def _line(self, where: str) -> int | None:
        """The line of ``a.b.c``: the key ``c`` under ``[a.b]``, ``b`` under ``[a]``, ..., else a table header."""
        parts = where.split(".")
        candidates = [(".".join(parts[:k]), parts[k]) for k in range(len(parts) - 1, -1, -1)]
        candidates += [(".".join(parts[:k]), None) for k in range(len(parts), 0, -1)]
        return next((line for table, key in candidates if (line := self._line_of(table, key))), None)

    def _line_of(self, table: str, key: str | None) -> int | None:
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


def _located(cls: type, where: str, at: str | None) -> str:
    """The dotted TOML field of a settings problem: ``at`` is a field name (and a suffix such as ``[2]``) or None."""
    if not at:
        return where
    name, rest = re.match(r"(\w*)(.*)", at).groups()  # type: ignore[union-attr]
    known = {f.name for f in dataclasses.fields(cls)}
    return f"{where}.{toml_key(cls, name) if name in known else name}{rest}"


def _arm(text: Any) -> Arm:
    try:
        return parse_arm(text)
    except ArmSyntaxError as exc:
        raise ValueError(str(exc)) from None
