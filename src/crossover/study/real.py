"""A study on the user's model and data, from command-line flags (``crossover run --model M --sft-data F ...``).

Without a study file, the arms come from the sizes of the files: with N demonstrations and M preference records,

    base, sft(N/2), sft(N), dpo(M), sft(N/2)>dpo(M)      and the crossover point n0 = N/2, n = N - N/2, m = M,

i.e. "is M pairs on top of SFT(N/2) worth more than the other N/2 demonstrations?". The preference method is the
first registered method that takes the file's data kind (DPO for pairs). Method defaults suit real models rather
than the wind tunnel's tiny base: SFT learning rate 2e-5 (2e-4 with LoRA), preference learning rate 1e-6 (2e-5
with LoRA), batch size 8, sequences up to 512 tokens. A study file (``--study``) gives full control; the flags
then replace its ``[model]`` and ``[data]`` entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossover.config import StudyConfig, parse_study, study_from_dict
from crossover.data.user import UserData
from crossover.errors import CrossoverError, InputError
from crossover.methods import METHODS


@dataclass(frozen=True)
class RealFlags:
    """The command-line flags of a study on real data."""

    model: str
    sft: str | None = None
    preference: str | None = None
    study: str | None = None
    arms: tuple[str, ...] = ()
    seeds: tuple[int, ...] = ()
    lora: bool = False
    trust_remote_code: bool = False
    chat_template: str | None = None
    probe_items: int | None = None
    probes: tuple[str, ...] = ()
    name: str | None = None


def _local(path: str) -> str:
    """Command-line paths are relative to the working directory, whatever the study file's place."""
    return str(Path(path).expanduser().resolve()) if Path(path).expanduser().exists() else path


def real_study(flags: RealFlags) -> StudyConfig:
    if not flags.sft and not flags.preference:
        raise CrossoverError("--model needs your data: --sft-data FILE and/or --pref-data FILE")
    model: dict[str, Any] = {"path": _local(flags.model)}
    if flags.lora:
        model["lora"] = True
    if flags.trust_remote_code:
        model["trust_remote_code"] = True
    if flags.chat_template:
        model["chat_template"] = _local(flags.chat_template)
    data = {k: _local(v) for k, v in (("sft", flags.sft), ("preference", flags.preference)) if v}
    probes: dict[str, Any] = {}
    if flags.probe_items is not None:
        probes["items"] = flags.probe_items
    if flags.probes:
        probes["only"] = list(flags.probes)
    study: dict[str, Any] = {k: v for k, v in (("arms", list(flags.arms)), ("seeds", list(flags.seeds)),
                                              ("name", flags.name)) if v}
    if flags.study:
        try:
            text = Path(flags.study).read_text()
        except OSError as exc:
            raise InputError.one(flags.study, f"cannot read the study file ({exc.strerror})") from None
        overrides = {"model": model, "data": data, **({"probes": probes} if probes else {}),
                     **({"study": study} if study else {})}
        return parse_study(text, flags.study, overrides=overrides)
    return study_from_dict(default_tables(flags, model, data, probes, study), "<command line>")


def default_tables(flags: RealFlags, model: dict[str, Any], data: dict[str, str], probes: dict[str, Any],
                   study: dict[str, Any]) -> dict[str, Any]:
    """The tables of the default study (see the module docstring), sized by the files (validated here)."""
    files = UserData.read(data.get("sft"), data.get("preference"))
    n_sft = files.sft.count if files.sft else 0
    pref = files.preference
    method = next((m.name for m in METHODS.values() if pref and m.data == pref.kind), None)
    if pref is not None and method is None:
        raise CrossoverError(f"{pref.path}: {pref.kind} data needs a method that trains on it; registered methods: "
                             + ", ".join(f"{m.name} ({m.data})" for m in METHODS.values()))
    half = n_sft // 2
    arms = ["base"] + ([f"sft({half})"] if half else []) + ([f"sft({n_sft})"] if n_sft else [])
    if pref is not None:
        arms += [f"{method}({pref.count})"] + ([f"sft({half})>{method}({pref.count})"] if half else [])
    lora = flags.lora
    methods = {"sft": {"learning_rate": 2e-4 if lora else 2e-5, "epochs": 2.0, "batch_size": 8, "max_length": 512}}
    if method is not None:
        methods[method] = {"learning_rate": 2e-5 if lora else 1e-6, "epochs": 1.0, "batch_size": 8,
                           "max_length": 512}
    name = f"{Path(flags.model).name or flags.model}-{Path(flags.sft or flags.preference or 'data').stem}"
    tables: dict[str, Any] = {"study": {"name": name, "arms": arms, **study}, "model": model, "data": data,
                              "method": methods, "probes": probes}
    if pref is not None and half and not study.get("arms"):
        tables["crossover"] = {"n0": half, "n": n_sft - half, "m": pref.count, "method": method}
    return tables
