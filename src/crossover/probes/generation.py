"""The probes' batched generation: ``crossover.models.generation``, which training's on-policy pair sampling shares
(it lives in the models layer so that training, below the probes, can use it)."""

from crossover.models.generation import generate, gumbel_noise, noise_key

__all__ = ["generate", "gumbel_noise", "noise_key"]
