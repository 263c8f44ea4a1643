"""User data in TRL's JSONL formats, read into the canonical records with every problem reported at once.

Accepted rows (one JSON object per line; blank lines are skipped, unknown keys are ignored):

    SFT         {"messages": [{"role": "user", "content": ...}, ..., {"role": "assistant", "content": ...}]}
                {"prompt": "...", "completion": "..."}                         standard prompt-completion
                {"prompt": [messages ending with a user turn],
                 "completion": [{"role": "assistant", "content": ...}]}       conversational prompt-completion
    preference  {"prompt": ..., "chosen": ..., "rejected": ...}               standard or conversational
    unpaired    {"prompt": ..., "completion": ..., "label": true}             standard or conversational (KTO)

The canonical records are conversations, so a standard (string) prompt becomes one user turn and is formatted
with the model's own chat template, like every probe prompt. In ``messages`` rows the last assistant turn is the
completion and everything before it is the prompt. A file uses one format throughout: a mix is an error.

Nothing is returned until the whole file has been read; if any line is wrong, ``InputError`` lists every
problem (file, line, field), so no training ever starts on a partly read file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from crossover.data.records import Chat, PreferencePair, SFTExample, UnpairedExample
from crossover.errors import InputError, Problem
from crossover.provenance import file_sha256

FileRole = Literal["sft", "preference"]
Record = SFTExample | PreferencePair | UnpairedExample
ROLES = ("system", "user", "assistant")
MAX_PROBLEMS = 100
"""Problems listed per file; the rest are counted, so a wholly wrong file gives a readable error."""


@dataclass(frozen=True)
class DataFile:
    """A fully validated JSONL file: its records in file order, what they are and the file's content hash."""

    path: Path
    sha256: str
    kind: Literal["demonstrations", "pairs", "unpaired"]
    """The data kind a method asks for (see ``records.DataKind``)."""
    style: str
    """The row format, e.g. ``conversational prompt/chosen/rejected``."""
    records: tuple[Record, ...]

    def identity(self) -> dict[str, Any]:
        """What defines the file for caching: its content, not its name or place."""
        return {"sha256": self.sha256, "kind": self.kind, "records": len(self.records)}


class _RowError(Exception):
    """A problem with one field of one row; carries the field name for the report."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def read_sft_jsonl(path: str | Path) -> DataFile:
    """Demonstrations from a ``messages`` or ``prompt``/``completion`` file."""
    return _read(Path(path), "sft")


def read_preference_jsonl(path: str | Path) -> DataFile:
    """Preference pairs (``prompt``/``chosen``/``rejected``) or unpaired labels (``prompt``/``completion``/``label``)."""
    return _read(Path(path), "preference")


def _read(path: Path, role: FileRole) -> DataFile:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.one(path, f"cannot read the data file ({exc.strerror})") from None
    problems: list[Problem] = []
    parsed: list[tuple[int, str, str, Record]] = []  # (line, kind, style, record)
    for number, line in _lines(raw):
        try:
            row = _json_object(line)
            kind, style, record = _parse_row(row, role)
        except _RowError as err:
            problems.append(Problem(str(path), err.message, number, err.field))
            continue
        record.meta["line"] = number  # for problems found later (e.g. by the model's chat template)
        parsed.append((number, kind, style, record))
    problems += _mixed_formats(path, parsed)
    if not parsed and not problems:
        problems.append(Problem(str(path), "the file holds no records (expected one JSON object per line)"))
    if problems:
        raise InputError(_capped(problems))
    _, kind, style, _ = parsed[0]
    return DataFile(path, file_sha256(path), kind, style, tuple(r for *_, r in parsed))  # type: ignore[arg-type]


def _lines(raw: bytes) -> Iterable[tuple[int, str | bytes]]:
    """Non-blank lines with 1-based numbers; a line that is not UTF-8 is passed on as bytes to be reported."""
    for number, chunk in enumerate(raw.split(b"\n"), 1):
        if not chunk.strip():
            continue
        try:
            yield number, chunk.decode("utf-8")
        except UnicodeDecodeError:
            yield number, chunk


def _json_object(line: str | bytes) -> dict[str, Any]:
    if isinstance(line, bytes):
        raise _RowError(None, "not UTF-8 text")
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _RowError(None, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(row, dict):
        raise _RowError(None, f"must be a JSON object, got {_type_name(row)}")
    return row


def _parse_row(row: dict[str, Any], role: FileRole) -> tuple[str, str, Record]:
    """(data kind, row style, canonical record) of one row, or a ``_RowError`` naming the first bad field."""
    if role == "sft":
        if "chosen" in row or "rejected" in row or "label" in row:
            raise _RowError(None, "this is preference data (it has chosen/rejected or label); pass it as "
                                  "preference data, not SFT data")
        if "messages" in row:
            return "demonstrations", "messages", _messages_row(row)
        if "text" in row and "prompt" not in row:
            raise _RowError("text", "plain-text rows are not supported; give 'messages' or 'prompt'/'completion'")
        prompt, completion, style = _prompt_completion(row, "completion")
        return "demonstrations", f"{style} prompt/completion", SFTExample(prompt, completion)
    if "messages" in row:
        raise _RowError("messages", "this is SFT data ('messages'); pass it as SFT data, not preference data")
    if "chosen" in row or "rejected" in row:
        prompt, chosen, style = _prompt_completion(row, "chosen")
        rejected = _reply(row, "rejected", style)
        if chosen == rejected:
            raise _RowError("rejected", "is identical to 'chosen', so the pair carries no preference")
        return "pairs", f"{style} prompt/chosen/rejected", PreferencePair(prompt, chosen, rejected)
    if "label" in row or "completion" in row:
        prompt, completion, style = _prompt_completion(row, "completion")
        label = _required(row, "label")
        if not isinstance(label, bool):
            raise _RowError("label", f"must be true or false, got {_type_name(label)} {json.dumps(label)}")
        return "unpaired", f"{style} prompt/completion/label", UnpairedExample(prompt, completion, label)
    raise _RowError(None, "has neither 'chosen'/'rejected' (pairs) nor 'completion'/'label' (unpaired); keys: "
                          + ", ".join(sorted(row)) if row else "is an empty object")


def _prompt_completion(row: dict[str, Any], reply_field: str) -> tuple[Chat, str, str]:
    """The prompt as a chat, the reply text and the row's style (``standard`` or ``conversational``)."""
    if "prompt" not in row:
        raise _RowError("prompt", "missing (a shared prompt must be given explicitly)")
    prompt = row["prompt"]
    if isinstance(prompt, str):
        _nonempty(prompt, "prompt", "empty prompt")
        return ({"role": "user", "content": prompt},), _reply(row, reply_field, "standard"), "standard"
    if isinstance(prompt, list):
        chat = _chat(prompt, "prompt")
        if chat[-1]["role"] != "user":
            raise _RowError(f"prompt[{len(chat) - 1}].role", "the prompt must end with a user turn")
        return chat, _reply(row, reply_field, "conversational"), "conversational"
    raise _RowError("prompt", f"must be a string or a list of messages, got {_type_name(prompt)}")


def _reply(row: dict[str, Any], field: str, style: str) -> str:
    """A reply field in the row's style: a string, or a list holding one assistant message."""
    value = _required(row, field)
    if style == "standard":
        if not isinstance(value, str):
            raise _RowError(field, f"must be a string like the prompt, got {_type_name(value)}")
        return _nonempty(value, field, "empty response")
    if not isinstance(value, list):
        raise _RowError(field, f"must be a list of messages like the prompt, got {_type_name(value)}")
    chat = _chat(value, field)
    if len(chat) != 1 or chat[0]["role"] != "assistant":
        raise _RowError(field, "must hold exactly one assistant message")
    return chat[0]["content"]


def _messages_row(row: dict[str, Any]) -> SFTExample:
    messages = row["messages"]
    if not isinstance(messages, list):
        raise _RowError("messages", f"must be a list of messages, got {_type_name(messages)}")
    chat = _chat(messages, "messages")
    if chat[-1]["role"] != "assistant":
        raise _RowError(f"messages[{len(chat) - 1}].role", "the last message must be the assistant's reply")
    if not any(m["role"] == "user" for m in chat[:-1]):
        raise _RowError("messages", "needs a user turn before the assistant's reply")
    return SFTExample(chat[:-1], chat[-1]["content"])


def _chat(messages: list[Any], field: str) -> Chat:
    if not messages:
        raise _RowError(field, "is an empty list of messages")
    out = []
    for i, message in enumerate(messages):
        where = f"{field}[{i}]"
        if not isinstance(message, dict):
            raise _RowError(where, f"must be an object with 'role' and 'content', got {_type_name(message)}")
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise _RowError(f"{where}.role", f"must be one of {', '.join(ROLES)}, got {json.dumps(role)}")
        if not isinstance(content, str):
            missing = "content" not in message
            raise _RowError(f"{where}.content", "missing" if missing else f"must be a string, got {_type_name(content)}")
        _nonempty(content, f"{where}.content", "empty response" if role == "assistant" else "empty message")
        out.append({"role": role, "content": content})
    return tuple(out)


def _required(row: dict[str, Any], field: str) -> Any:
    if field not in row:
        raise _RowError(field, "missing")
    return row[field]


def _nonempty(text: str, field: str, message: str) -> str:
    if not text.strip():
        raise _RowError(field, message)
    return text


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _mixed_formats(path: Path, parsed: list[tuple[int, str, str, Record]]) -> list[Problem]:
    """One problem per row whose format differs from the first valid row's format."""
    if not parsed:
        return []
    first_line, _, first_style, _ = parsed[0]
    return [Problem(str(path), f"{style} row in a file whose first row (line {first_line}) is {first_style}; "
                               "a file must use one format", line)
            for line, _, style, _ in parsed[1:] if style != first_style]


def _capped(problems: list[Problem]) -> list[Problem]:
    problems = sorted(problems, key=lambda p: (p.path, p.line or 0))
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem(problems[0].path, f"... and {rest} more problem(s) not listed")]
