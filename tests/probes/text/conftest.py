import pytest


@pytest.fixture(scope="session")
def tiny_chat_dir(tmp_path_factory):
    """A random 2-layer Llama with a small word-level tokenizer that knows 'Yes' and 'No', and a reward model
    (sequence classification, one output) on the same tokenizer: fast stand-ins for a judge and a reward model."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, LlamaForSequenceClassification, PreTrainedTokenizerFast

    root = tmp_path_factory.mktemp("tiny-chat")
    words = ["<pad>", "<unk>", "<eos>", "Yes", "No", "User:", "Assistant:", "the", "a", "is", "help", "sorry"]
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", unk_token="<unk>", eos_token="<eos>")
    tokenizer.chat_template = ("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }} {% endfor %}"
                               "{% if add_generation_prompt %}assistant: {% endif %}")
    config = LlamaConfig(vocab_size=len(words), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=1024,
                         pad_token_id=0, eos_token_id=2, bos_token_id=2)
    torch.manual_seed(0)
    judge, reward = root / "judge", root / "reward"
    LlamaForCausalLM(config).save_pretrained(judge)
    LlamaForSequenceClassification(LlamaConfig(**{**config.to_dict(), "num_labels": 1})).save_pretrained(reward)
    for d in (judge, reward):
        tokenizer.save_pretrained(d)
    return root
