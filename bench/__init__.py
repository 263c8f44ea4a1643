"""Benchmarks: scripts that print figures for BENCHMARKS.md (never timed assertions in tests)."""
