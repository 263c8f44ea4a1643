"""Canonical records, TRL-format JSONL and nested data budgets."""
