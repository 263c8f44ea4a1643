"""crossover: when does preference optimisation beat more supervised data?

The package is built in layers, and data flows up them one way: the wind tunnel and the data records, models and
training methods, training, probes, the study settings, running a study into its store, analysis of the store, and
the report. A module imports only from its own layer or the layers below it (``LAYERS``, bottom first), and no two
modules import each other, lazily or not; ``tests/test_layers.py`` enforces both.
"""

__version__ = "0.1.0"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "provenance", "pricing"),  # leaves: errors, where a result came from, the study's prices and margin
    ("data", "world"),  # canonical records and JSONL; the wind tunnel (which writes those records)
    ("models",),  # loading, saving and resolving models
    ("methods",),  # name -> MethodSpec building a TRL trainer
    ("train",),  # an arm trained stage by stage
    ("probes",),  # behaviour probes and their graders
    ("config",),  # the study file, read into settings
    ("study",),  # runs of a study, executed into the results store
    ("analysis",),  # the store's tables: gains, breakeven, crossover budget, flags
    ("report",),  # the store as HTML, Markdown and terminal text
    ("cli", "__main__"),  # one sub-command per verb
)
"""Package layers, bottom first, each named by the top-level modules and sub-packages it holds."""
