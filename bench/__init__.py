"""Benchmarks of datafeeds: they measure and report, they are not tests.

`python -m bench [NAME ...] [--smoke]` runs all or some of them, prints a table and writes JSON
results to bench/results/ (git-ignored). See docs/performance.md for the figures and targets.
"""
