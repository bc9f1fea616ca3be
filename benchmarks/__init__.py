"""Benchmarks: measured ratios and rates printed beside their targets (not part of the tests)."""
