"""crossover: when does preference optimisation beat more supervised data?"""

__version__ = "0.1.0"
