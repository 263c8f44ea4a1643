"""Training one arm, stage by stage, on TRL trainers."""
