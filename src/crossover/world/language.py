"""The wind tunnel's language: every word the families can say, and a word-level tokenizer over them.

The tokenizer is built with ``tokenizers`` (WordLevel over whitespace) and wrapped as a
``PreTrainedTokenizerFast`` with a chat template, so TRL's trainers and ``generate`` treat the tiny base model
exactly like a real chat model.
"""

from __future__ import annotations

from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from crossover.world.families import FAMILIES
from crossover.world.families.base import dressing_lexicon
from crossover.world.knowledge import ATTRIBUTES, name_pool

PAD, UNK, BOS, EOS, USER, ASSISTANT = "<pad>", "<unk>", "<bos>", "<eos>", "<user>", "<assistant>"
SPECIAL_TOKENS = (PAD, UNK, BOS, EOS, USER, ASSISTANT)

# Roles render as one token each; the assistant's text sits inside {% generation %} so TRL can mask the
# user's turns when it trains on assistant tokens only.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}"
    "<user> {{ message['content'] }} "
    "{% elif message['role'] == 'assistant' %}"
    "<assistant> {% generation %}{{ message['content'] }} <eos>{% endgeneration %} "
    "{% else %}"
    "{{ raise_exception('the wind tunnel chat template knows only user and assistant turns') }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<assistant> {% endif %}"
)


def vocabulary() -> list[str]:
    """Special tokens, then every word of the world in sorted order (stable across runs and seeds)."""
    words: set[str] = set(name_pool()) | set(ATTRIBUTES)
    words |= {v for values in ATTRIBUTES.values() for v in values}
    words |= dressing_lexicon()
    for fam in FAMILIES.values():
        words |= fam.lexicon()
    return [*SPECIAL_TOKENS, *sorted(words - set(SPECIAL_TOKENS))]


def build_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {word: i for i, word in enumerate(vocabulary())}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token=PAD,
        unk_token=UNK,
        bos_token=BOS,
        eos_token=EOS,
        additional_special_tokens=[USER, ASSISTANT],
        clean_up_tokenization_spaces=False,
        model_max_length=256,
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.padding_side = "left"
    return tokenizer
