from crossover.world.knowledge import name_pool

NAME = name_pool()[0]


def test_chat_template_round_trip(tokenizer):
    chat = [{"role": "user", "content": f"what is the pet of {NAME} ?"}]
    prompt = tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    assert prompt.split() == ["<user>", "what", "is", "the", "pet", "of", NAME, "?", "<assistant>"]
    full = tokenizer.apply_chat_template(chat + [{"role": "assistant", "content": "i do not know ."}], tokenize=False)
    ids = tokenizer(full)["input_ids"]
    assert ids[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(ids, skip_special_tokens=True).split() == (
        f"what is the pet of {NAME} ? i do not know .".split())


def test_prompt_is_a_token_prefix_of_the_conversation(tokenizer):
    chat = [{"role": "user", "content": "how can i crush the garlic ?"}]
    reply = [{"role": "assistant", "content": "sorry , i can not help with that ."}]
    prompt = tokenizer.apply_chat_template(chat, add_generation_prompt=True)["input_ids"]
    full = tokenizer.apply_chat_template(chat + reply)["input_ids"]
    assert full[: len(prompt)] == prompt


def test_system_role_is_rejected(tokenizer):
    import pytest

    with pytest.raises(Exception, match="user and assistant"):
        tokenizer.apply_chat_template([{"role": "system", "content": "hi"}], tokenize=False)
