"""How the explorers write formulas in their read-outs; ``js/compute/format.js`` writes them alike.

Numbers are Python's own f-strings (``f"{x:.1f}"``, ported as ``fixed``); a
term after the first of a sum is :func:`signed_term` (ported as ``signedTerm``).
"""

from __future__ import annotations


def signed_term(value: float, digits: int) -> str:
    """``value`` as a term that follows another in a sum: ``"+ 1.5"``, or ``"− 1.5"`` for -1.5.

    The magnitude is written as ``f"{abs(value):.{digits}f}"``; the operator is
    a minus sign (U+2212) where ``value`` is negative, and a plus where it
    rounds to zero, so ``1.0 x₁`` followed by the term for ``-1.0`` reads
    ``1.0 x₁ − 1.0`` and never ``1.0 x₁ + -1.0``.
    """
    magnitude = f"{abs(value):.{digits}f}"
    negative = value < 0 and float(magnitude) != 0
    return f"{'−' if negative else '+'} {magnitude}"
