"""Reports built from the study directory alone."""
