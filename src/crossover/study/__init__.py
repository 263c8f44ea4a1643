"""Studies: a grid of arms x seeds x annotators, expanded to content-addressed runs and run once each."""
