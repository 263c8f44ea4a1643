from crossover.models.checkpoints import load_model, load_tokenizer
from crossover.probes.generation import generate
from crossover.world.bases import resolve_base


def test_batched_generation_matches_one_at_a_time(kb):
    from crossover.probes import WORLD_PROBES

    base = resolve_base("default")
    model, tok = load_model(base.path), load_tokenizer(base.path)
    chats = [[m.as_dict() for m in item.messages] for p in WORLD_PROBES.values() for item in p.items(kb, 1)]
    batched = generate(model, tok, chats, max_new_tokens=16, batch_size=8)
    single = [generate(model, tok, [c], max_new_tokens=16, batch_size=1)[0] for c in chats]
    assert batched == single


def test_common_draws_are_exact_samples_of_the_softmax():
    """Gumbel-max with the counter-based noise: argmax frequencies over many keys match softmax(logits / T)."""
    import torch

    from crossover.probes.generation import gumbel_noise

    logits = torch.tensor([2.0, 1.0, 0.0, -1.0, 0.5])
    keys = torch.arange(40_000, dtype=torch.int64) * 7 + 3
    for temperature in (1.0, 0.5):
        picks = (logits.double() / temperature + gumbel_noise(keys, 3, 5)).argmax(dim=1)
        freq = torch.bincount(picks, minlength=5).double() / len(keys)
        expected = torch.softmax(logits.double() / temperature, 0)
        assert torch.allclose(freq, expected, atol=0.01), (freq, expected)
    # different steps and keys give unrelated draws
    a, b = gumbel_noise(keys[:5000], 0, 5), gumbel_noise(keys[:5000], 1, 5)
    assert abs(float(torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1])) < 0.05


def test_common_draws_do_not_depend_on_the_batch(kb):
    """The same prompt under the same key gets the same sampled reply whatever else is in its batch, and a
    different key gives other replies: arms are compared on the same draws."""
    from crossover.probes import WORLD_PROBES
    from crossover.probes.generation import noise_key

    base = resolve_base("default")
    model, tok = load_model(base.path), load_tokenizer(base.path)
    chats = [[m.as_dict() for m in item.messages] for p in WORLD_PROBES.values() for item in p.items(kb, 2)]
    keys = [noise_key(0, j) for j in range(len(chats))]
    batched = generate(model, tok, chats, max_new_tokens=16, batch_size=8, temperature=1.0, keys=keys)
    single = [generate(model, tok, [c], max_new_tokens=16, batch_size=1, temperature=1.0, keys=[k])[0]
              for c, k in zip(chats, keys)]
    assert batched == single
    other = generate(model, tok, chats, max_new_tokens=16, batch_size=8, temperature=1.0,
                     keys=[noise_key(1, j) for j in range(len(chats))])
    assert other != batched
