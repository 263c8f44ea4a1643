"""One module per plot family; each is a pure function from analysis tables to a ``Panel``."""
