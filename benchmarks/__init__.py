"""Benchmarks of the book: notebook and test-suite times, the book build, the explorers in the browser, the MLP step.

Run ``python benchmarks/run.py --help``; the README's "Benchmarks" section shows
the latest table and the budgets it is checked against.
"""
