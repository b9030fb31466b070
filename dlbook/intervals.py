r"""Confidence intervals for an accuracy measured on :math:`n` test examples.

A classifier that reads :math:`k` of :math:`n` independent test examples
correctly has the measured accuracy :math:`\hat p = k / n`. Had other test
examples been drawn from the same source, :math:`k` would have come out
differently: it is a binomial count, :math:`k \sim \mathrm{Binomial}(n, p)`,
with :math:`p` the accuracy on all the examples the source could give. An
interval for :math:`p` says how far :math:`\hat p` may be from it.

* :func:`exact_interval`, Clopper and Pearson's (1934): every :math:`p`
  under which the count :math:`k` would not be surprising, each tail
  holding at most :math:`\alpha / 2`; its coverage is at least the
  confidence asked for.
* :func:`wilson_interval`, Wilson's (1927) score interval: the normal
  approximation solved for :math:`p`, close to the nominal coverage and
  never outside :math:`[0, 1]`, unlike :math:`\hat p \pm 1.96 \sqrt{\hat p (1 - \hat p) / n}`.

Both say nothing about which network training happened to produce: that
spread, over seeds, is measured by training again.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Callable
from statistics import NormalDist

from dlbook._validate import check_count, check_integer, check_real, describe


#: The most trials the intervals take: :func:`binomial_cdf` (and so :func:`exact_interval`) sums one term per
#: success, in Python.
MAX_TRIALS = 10**6


def _check(successes: int, n: int, confidence: float) -> tuple[int, int]:
    """``(successes, n)`` as Python ints, after checking the arguments of an interval."""
    n = check_count("n", n, 1, MAX_TRIALS)
    if isinstance(successes, bool) or not isinstance(successes, Integral) or not 0 <= successes <= n:
        raise ValueError(f"successes must be a whole number from 0 to n = {n}, got {describe(successes)}")
    if isinstance(confidence, bool) or not isinstance(confidence, Real) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number between 0 and 1, got {describe(confidence)}")
    return int(successes), n


def binomial_cdf(k: int, n: int, p: float) -> float:
    r""":math:`P(K \le k)` for :math:`K \sim \mathrm{Binomial}(n, p)`: :math:`\sum_{i \le k} \binom{n}{i} p^i (1 - p)^{n - i}`.

    Summed in logarithms (:math:`\log \binom{n}{i}` from ``math.lgamma``), so
    that large :math:`n` neither overflows nor underflows. Raises an error
    naming the argument unless ``k`` is an integer, ``n`` one from 1 to
    :data:`MAX_TRIALS` and ``p`` a number from 0 to 1.
    """
    k, n = check_integer("k", k), check_count("n", n, 1, MAX_TRIALS)
    p = check_real("p", p, low=0, high=1)
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
             for i in range(k + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))


def _bisect(decreasing: Callable[[float], float], target: float) -> float:
    """The ``p`` in [0, 1] where the decreasing function ``decreasing(p)`` crosses ``target``."""
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if decreasing(middle) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def exact_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    r"""Clopper and Pearson's exact interval :math:`(p_L, p_U)` for :math:`k` = ``successes`` out of ``n``.

    With :math:`\alpha = 1 - \text{confidence}`, :math:`p_L` is the
    accuracy under which :math:`k` or more successes have probability
    :math:`\alpha / 2`, :math:`P(K \ge k \mid p_L) = \alpha/2`, and
    :math:`p_U` the one under which :math:`k` or fewer have it,
    :math:`P(K \le k \mid p_U) = \alpha/2` (:math:`p_L = 0` for :math:`k = 0`,
    :math:`p_U = 1` for :math:`k = n`). Found by bisection on
    :func:`binomial_cdf`. Raises ``ValueError`` unless
    :math:`0 \le k \le n`, :math:`n \ge 1` and the confidence lies in (0, 1).
    """
    successes, n = _check(successes, n, confidence)
    tail = (1 - confidence) / 2
    low = 0.0 if successes == 0 else _bisect(lambda p: binomial_cdf(successes - 1, n, p), 1 - tail)
    high = 1.0 if successes == n else _bisect(lambda p: binomial_cdf(successes, n, p), tail)
    return low, high


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    r"""Wilson's score interval for :math:`k` = ``successes`` out of ``n``.

    With :math:`\hat p = k / n` and :math:`z` the standard normal quantile
    of :math:`1 - \alpha/2` (1.96 for 95%), the interval is

    .. math::

        \frac{\hat p + \frac{z^2}{2n} \pm z \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4 n^2}}}
             {1 + \frac{z^2}{n}} ,

    the accuracies :math:`p` for which :math:`|\hat p - p| \le z \sqrt{p (1 - p) / n}`.
    Raises ``ValueError`` as :func:`exact_interval` does.
    """
    successes, n = _check(successes, n, confidence)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    share = successes / n
    centre = share + z * z / (2 * n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    low = 0.0 if successes == 0 else (centre - half) / scale  # exactly 0 and 1 at the ends,
    high = 1.0 if successes == n else (centre + half) / scale  # where rounding would miss them
    return low, high
