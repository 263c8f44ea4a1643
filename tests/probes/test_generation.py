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
