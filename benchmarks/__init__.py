"""Benchmarks of the book: notebook and test-suite times, the book build, widget latency, the MLP step.

Run ``python benchmarks/run.py --help``; the README's "Benchmarks" section shows
the latest table and the budgets it is checked against.
"""
