"""The user's own JSONL files as a study's data: identity for run ids, budget checks, and training rows.

Budgets on user data are nested like the wind tunnel's: for a run seed ``s``, budget ``n`` is the first ``n``
records of the file shuffled with seed ``s``, so ``sft(100)`` is a subset of ``sft(200)`` and two seeds train on
different subsets (the data-sampling variance the seeds are there to show). A budget larger than the file is an
error found before anything trains.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossover.data.budgets import take
from crossover.data.jsonl import DataFile, Record, read_preference_jsonl, read_sft_jsonl
from crossover.data.records import DataKind
from crossover.errors import CrossoverError, InputError, Problem


def seeded_order(records: tuple[Record, ...], seed: int) -> list[Record]:
    """The file's records in the order budgets take them for ``seed`` (``random.Random`` is stable by spec)."""
    order = list(records)
    random.Random(f"user-data:{seed}").shuffle(order)
    return order


@dataclass(frozen=True)
class FileLabels:
    """Who labelled the pairs of a preference file: the file itself. Plays the annotator's part in a run spec."""

    name: str
    sha256: str

    def settings(self) -> dict[str, str]:
        return {"name": self.name, "file_sha256": self.sha256}


@dataclass(frozen=True)
class FileRef:
    """A validated file as a run spec carries it: cheap to pickle; re-read (and re-checked) where rows are needed."""

    path: Path
    role: str
    """``sft`` or ``preference``."""
    sha256: str
    kind: str
    count: int

    @classmethod
    def of(cls, data: DataFile, role: str) -> FileRef:
        return cls(data.path.resolve(), role, data.sha256, data.kind, len(data.records))

    def load(self) -> DataFile:
        data = read_sft_jsonl(self.path) if self.role == "sft" else read_preference_jsonl(self.path)
        if data.sha256 != self.sha256:
            raise CrossoverError(f"{self.path}: the file changed since the study started (sha256 {self.sha256[:12]} "
                                 f"-> {data.sha256[:12]}); re-run the study to pick up the new data")
        return data


@dataclass(frozen=True)
class UserData:
    """A study's data from JSONL files: SFT demonstrations and/or preference data (pairs or unpaired)."""

    sft: FileRef | None = None
    preference: FileRef | None = None

    @classmethod
    def read(cls, sft: str | Path | None, preference: str | Path | None) -> UserData:
        """Validate both files fully; problems in both are reported together."""
        problems: list[Problem] = []
        refs: dict[str, FileRef] = {}
        for role, path, reader in (("sft", sft, read_sft_jsonl), ("preference", preference, read_preference_jsonl)):
            if path is None:
                continue
            try:
                refs[role] = FileRef.of(reader(path), role)
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        return cls(refs.get("sft"), refs.get("preference"))

    def file_for(self, kind: DataKind) -> FileRef | None:
        return next((f for f in (self.sft, self.preference) if f is not None and f.kind == kind), None)

    def identity(self, kinds: set[str]) -> dict[str, Any]:
        """The run-spec entry for the data the given stage kinds use (an SFT run ignores the preference file)."""
        used = {f.role: {"sha256": f.sha256, "kind": f.kind, "records": f.count}
                for f in (self.sft, self.preference) if f is not None and f.kind in kinds}
        return {"data": used}

    def labels(self) -> FileLabels | None:
        """The pseudo-annotator of the preference file (named after it), or None without one."""
        if self.preference is None:
            return None
        return FileLabels(self.preference.path.stem, self.preference.sha256)

    def budget_problems(self, kind: DataKind, budget: int, where: str) -> list[Problem]:
        """Problems with asking for ``budget`` records of ``kind``, phrased for the stage ``where``."""
        if kind == "prompts":
            return [Problem(where, f"{where}: online methods sample their own replies and need a reward for them; "
                            "on your own data crossover has no reward model to give them (use them in the wind "
                            "tunnel, or an offline method: dpo, kto, simpo, orpo)")]
        ref = self.file_for(kind)
        if ref is None:
            have = ", ".join(f"{f.role} data holds {f.kind}" for f in (self.sft, self.preference) if f) or "no data"
            return [Problem(where, f"{where} needs {kind} data, but none was given ({have})")]
        if budget > ref.count:
            return [Problem(where, f"{where} asks for {budget} {kind}, but {ref.path.name} holds only {ref.count}")]
        return []

    def source(self) -> JsonlSource:
        return JsonlSource(self)

    def template_problems(self, tokenizer: Any, limit: int = 20) -> list[Problem]:
        """Records the model's chat template cannot render (e.g. a system turn for a template without one),
        found before training rather than in the middle of it."""
        problems: list[Problem] = []
        for ref in (self.sft, self.preference):
            if ref is None:
                continue
            for record in ref.load().records:
                replies = [record.chosen, record.rejected] if hasattr(record, "chosen") else [record.completion]
                try:
                    for reply in replies:
                        tokenizer.apply_chat_template([*record.prompt, {"role": "assistant", "content": reply}],
                                                      tokenize=False)
                except Exception as exc:  # noqa: BLE001 - jinja raises many types; all mean "cannot render"
                    problems.append(Problem(str(ref.path), f"the model's chat template cannot render this "
                                            f"conversation ({exc})", record.meta.get("line")))
                if len(problems) >= limit:
                    return problems
        return problems


class JsonlSource:
    """Training rows from the user's files: budget ``n`` is the first ``n`` records of the seeded order."""

    def __init__(self, data: UserData):
        self.data = data
        self._loaded: dict[str, DataFile] = {}

    def rows(self, kind: DataKind, budget: int, seed: int, annotator: Any = None) -> list[dict[str, Any]]:
        problems = self.data.budget_problems(kind, budget, f"{budget} {kind}")
        if problems:
            raise CrossoverError(problems[0].message)
        ref = self.data.file_for(kind)
        assert ref is not None
        if ref.role not in self._loaded:
            self._loaded[ref.role] = ref.load()
        return [r.to_trl() for r in take(seeded_order(self._loaded[ref.role].records, seed), budget)]

    def scorer(self, annotator: Any = None) -> None:
        """No scorer: online methods are refused on user data before training (see ``budget_problems``)."""
        return None

    def sampled_pairs(self, seed: int, annotator: Any, source: Any) -> Any:
        """None: a preference file's labels are fixed and no annotator can label the model's own samples."""
        raise CrossoverError(f"pairs={source.origin} needs the wind tunnel's annotator to label the model's own "
                             "samples; on real data the pairs are the preference file's (pairs=candidates)")

    def watch_prompts(self, n: int) -> list[list[dict[str, str]]]:
        """The prompts of the last ``n`` records of the preference (else SFT) file in seed 0's order.

        User data has no held-out split, so these are held out only from budgets that stop short of them: the
        dynamics callback's KL and reply length then track the policy on prompts it trains on only at full budget.
        """
        ref = self.data.preference or self.data.sft
        if ref is None or n == 0:
            return []
        if ref.role not in self._loaded:
            self._loaded[ref.role] = ref.load()
        return [list(r.prompt) for r in seeded_order(self._loaded[ref.role].records, 0)[-n:]]
