"""Readers and validators of the user's JSONL files: every accepted format, every problem reported at once."""

import json

import pytest

from crossover.data.jsonl import MAX_PROBLEMS, read_preference_jsonl, read_sft_jsonl
from crossover.data.records import PreferencePair, SFTExample, UnpairedExample
from crossover.errors import InputError


def write(tmp_path, name, *rows):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def problems(exc_info):
    return [(p.line, p.field, p.message) for p in exc_info.value.problems]


def test_messages_rows_become_prompt_and_last_assistant_turn(tmp_path):
    path = write(tmp_path, "sft.jsonl",
                 {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                               {"role": "assistant", "content": "Hello."}]},
                 "",  # blank lines are allowed
                 {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"},
                               {"role": "user", "content": "times 3?"}, {"role": "assistant", "content": "12"}],
                  "id": "extra keys are ignored"})
    data = read_sft_jsonl(path)
    assert data.kind == "demonstrations" and data.style == "messages" and len(data.records) == 2
    first, second = data.records
    assert first == SFTExample(({"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}),
                               "Hello.")
    assert [m["content"] for m in second.prompt] == ["2+2?", "4", "times 3?"] and second.completion == "12"
    assert first.to_trl()["completion"] == [{"role": "assistant", "content": "Hello."}]
    assert len(data.sha256) == 64


def test_standard_prompt_completion_becomes_one_user_turn(tmp_path):
    data = read_sft_jsonl(write(tmp_path, "sft.jsonl", {"prompt": "Capital of Peru?", "completion": "Lima."}))
    assert data.style == "standard prompt/completion"
    assert data.records[0] == SFTExample(({"role": "user", "content": "Capital of Peru?"},), "Lima.")


def test_conversational_prompt_completion(tmp_path):
    row = {"prompt": [{"role": "user", "content": "Name a prime."}],
           "completion": [{"role": "assistant", "content": "7"}]}
    data = read_sft_jsonl(write(tmp_path, "sft.jsonl", row))
    assert data.style == "conversational prompt/completion" and data.records[0].completion == "7"


def test_preference_pairs_standard_and_conversational(tmp_path):
    std = read_preference_jsonl(write(tmp_path, "a.jsonl", {"prompt": "Q", "chosen": "good", "rejected": "bad"}))
    assert std.kind == "pairs" and std.records[0] == PreferencePair(({"role": "user", "content": "Q"},), "good", "bad")
    conv = read_preference_jsonl(write(tmp_path, "b.jsonl", {
        "prompt": [{"role": "user", "content": "Q"}],
        "chosen": [{"role": "assistant", "content": "good"}],
        "rejected": [{"role": "assistant", "content": "bad"}]}))
    assert conv.style == "conversational prompt/chosen/rejected" and conv.records == std.records


def test_unpaired_labels(tmp_path):
    data = read_preference_jsonl(write(tmp_path, "u.jsonl", {"prompt": "Q", "completion": "A", "label": False},
                                       {"prompt": "Q", "completion": "B", "label": True}))
    assert data.kind == "unpaired"
    assert data.records[0] == UnpairedExample(({"role": "user", "content": "Q"},), "A", False)
    assert data.records[1].to_trl()["label"] is True


def test_bad_file_reports_every_problem_with_line_and_field(tmp_path):
    """The acceptance case: a broken line, a missing field, an empty response and a wrong type, all in one error."""
    path = write(tmp_path, "pairs.jsonl",
                 {"prompt": "fine", "chosen": "yes", "rejected": "no"},
                 '{"prompt": "broken", "chosen": "x", ',
                 {"prompt": "no rejected", "chosen": "x"},
                 {"prompt": "empty", "chosen": "   ", "rejected": "no"},
                 {"prompt": 42, "chosen": "x", "rejected": "y"})
    with pytest.raises(InputError) as exc:
        read_preference_jsonl(path)
    assert problems(exc) == [
        (2, None, "not valid JSON (Expecting property name enclosed in double quotes at column 37)"),
        (3, "rejected", "missing"),
        (4, "chosen", "empty response"),
        (5, "prompt", "must be a string or a list of messages, got a number"),
    ]
    text = str(exc.value)
    assert text.startswith("4 problem(s) found; nothing was trained:")
    assert f"{path}:3: field 'rejected': missing" in text


@pytest.mark.parametrize("row, field, message", [
    ({"messages": "hi"}, "messages", "must be a list of messages, got a string"),
    ({"messages": []}, "messages", "is an empty list of messages"),
    ({"messages": [{"role": "user", "content": "q"}]}, "messages[0].role",
     "the last message must be the assistant's reply"),
    ({"messages": [{"role": "assistant", "content": "a"}]}, "messages", "needs a user turn before the assistant's reply"),
    ({"messages": [{"role": "human", "content": "q"}, {"role": "assistant", "content": "a"}]}, "messages[0].role",
     'must be one of system, user, assistant, got "human"'),
    ({"messages": [{"role": "user"}, {"role": "assistant", "content": "a"}]}, "messages[0].content", "missing"),
    ({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": ""}]}, "messages[1].content",
     "empty response"),
    ({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": 3}]}, "messages[1].content",
     "must be a string, got a number"),
    ({"prompt": "q", "completion": ["a"]}, "completion", "must be a string like the prompt, got a list"),
    ({"prompt": [{"role": "user", "content": "q"}], "completion": "a"}, "completion",
     "must be a list of messages like the prompt, got a string"),
    ({"prompt": [{"role": "user", "content": "q"}], "completion": [{"role": "user", "content": "a"}]}, "completion",
     "must hold exactly one assistant message"),
    ({"prompt": [{"role": "assistant", "content": "q"}], "completion": [{"role": "assistant", "content": "a"}]},
     "prompt[0].role", "the prompt must end with a user turn"),
    ({"prompt": "  ", "completion": "a"}, "prompt", "empty prompt"),
    ({"completion": "a"}, "prompt", "missing (a shared prompt must be given explicitly)"),
    ({"text": "raw text"}, "text", "plain-text rows are not supported; give 'messages' or 'prompt'/'completion'"),
    ({"prompt": "q", "chosen": "a", "rejected": "b"}, None,
     "this is preference data (it has chosen/rejected or label); pass it as preference data, not SFT data"),
])
def test_sft_row_problems(tmp_path, row, field, message):
    with pytest.raises(InputError) as exc:
        read_sft_jsonl(write(tmp_path, "sft.jsonl", row))
    assert problems(exc) == [(1, field, message)]


@pytest.mark.parametrize("row, field, message", [
    ({"prompt": "q", "chosen": "same", "rejected": "same"}, "rejected",
     "is identical to 'chosen', so the pair carries no preference"),
    ({"prompt": "q", "completion": "a", "label": 1}, "label", "must be true or false, got a number 1"),
    ({"prompt": "q", "completion": "a"}, "label", "missing"),
    ({"prompt": "q", "chosen": "a", "rejected": None}, "rejected", "must be a string like the prompt, got null"),
    ({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}, "messages",
     "this is SFT data ('messages'); pass it as SFT data, not preference data"),
    ({"prompt": "q", "answer": "a"}, None, "has neither 'chosen'/'rejected' (pairs) nor 'completion'/'label' "
                                           "(unpaired); keys: answer, prompt"),
    ({}, None, "is an empty object"),
    ([1, 2], None, "must be a JSON object, got a list"),
])
def test_preference_row_problems(tmp_path, row, field, message):
    with pytest.raises(InputError) as exc:
        read_preference_jsonl(write(tmp_path, "p.jsonl", row))
    assert problems(exc) == [(1, field, message)]


def test_mixed_formats_are_reported_per_line(tmp_path):
    path = write(tmp_path, "p.jsonl", {"prompt": "q", "chosen": "a", "rejected": "b"},
                 {"prompt": "q", "completion": "a", "label": True},
                 {"prompt": [{"role": "user", "content": "q"}], "chosen": [{"role": "assistant", "content": "a"}],
                  "rejected": [{"role": "assistant", "content": "b"}]})
    with pytest.raises(InputError) as exc:
        read_preference_jsonl(path)
    assert problems(exc) == [
        (2, None, "standard prompt/completion/label row in a file whose first row (line 1) is standard "
                  "prompt/chosen/rejected; a file must use one format"),
        (3, None, "conversational prompt/chosen/rejected row in a file whose first row (line 1) is standard "
                  "prompt/chosen/rejected; a file must use one format"),
    ]


def test_empty_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(InputError, match="holds no records"):
        read_sft_jsonl(write(tmp_path, "empty.jsonl", ""))
    with pytest.raises(InputError, match="cannot read the data file"):
        read_sft_jsonl(tmp_path / "absent.jsonl")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"prompt": "caf\xe9", "completion": "x"}\n')
    with pytest.raises(InputError) as exc:
        read_sft_jsonl(path)
    assert problems(exc) == [(1, None, "not UTF-8 text")]


def test_a_wholly_wrong_file_lists_the_first_problems_and_counts_the_rest(tmp_path):
    path = write(tmp_path, "junk.jsonl", *(["not json"] * (MAX_PROBLEMS + 5)))
    with pytest.raises(InputError) as exc:
        read_sft_jsonl(path)
    assert len(exc.value.problems) == MAX_PROBLEMS + 1
    assert exc.value.problems[-1].message == "... and 5 more problem(s) not listed"
