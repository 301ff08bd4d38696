"""Order statistics and moments of one NaN-free signal, equal to numpy's but without its per-call overhead.

:func:`numpy.median` imports ``numpy.ma`` on its first call (about 10 ms in a fresh process) and
:func:`numpy.percentile` sorts more than it needs; both run on every recording. These give the same
values with a partial sort of the one or two ranks needed. :func:`mean` and :func:`sample_sd` take
the same arithmetic steps as :func:`numpy.mean` and :func:`numpy.std`, without the Python layers
around them, which cost more than the sums on the few dozen strides of a foot.
"""

from __future__ import annotations

import math

import numpy as np

from footchain.measure.gait.recording import FloatArray


def median(values: FloatArray) -> float:
    """Median of NaN-free ``values``, identical to :func:`numpy.median` (NaN when empty).

    The middle value, or for an even count the mean of the two middle values, computed as numpy
    does: ``(a + b) / 2``.

    Examples
    --------
    >>> import numpy as np
    >>> median(np.array([3.0, 1.0, 2.0, 10.0])) == float(np.median([3.0, 1.0, 2.0, 10.0]))
    True
    """
    n = values.shape[0]
    if n == 0:
        return float("nan")
    half = n // 2
    if n % 2:
        return float(np.partition(values, half)[half])
    ranked = np.partition(values, [half - 1, half])
    return (float(ranked[half - 1]) + float(ranked[half])) / 2.0


def percentile_linear(values: FloatArray, percent: float) -> float:
    """The ``percent``-th percentile of non-empty, NaN-free ``values``, as :func:`numpy.percentile` gives it.

    The same linear interpolation between the two closest ranks (numpy's default ``"linear"``
    method, Hyndman & Fan 1996 definition 7), and the same arithmetic, so the value is identical; a
    partial sort of the two ranks only, which is several times faster than :func:`numpy.percentile`
    on a recording's length.

    Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages. Am Stat 50(4):361-365.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    >>> percentile_linear(x, 95.0) == float(np.percentile(x, 95))
    True
    """
    n = values.shape[0]
    position = (n - 1) * (percent / 100.0)
    below = int(np.floor(position))
    above = min(below + 1, n - 1)
    share = position - below
    ranked = np.partition(values, [below, above])
    low, high = float(ranked[below]), float(ranked[above])
    step = high - low
    # numpy's lerp: from the nearer end, so that share 1 gives exactly ``high``
    return high - step * (1.0 - share) if share >= 0.5 else low + step * share


def mean(values: FloatArray) -> float:
    """Mean of a non-empty 1-D ``values``, identical to :func:`numpy.mean` (the same pairwise sum,
    divided by the count) without its per-call overhead.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.1, 0.2, 0.7])
    >>> mean(x) == float(np.mean(x))
    True
    """
    return float(np.add.reduce(values) / values.shape[0])


def sample_sd(values: FloatArray) -> float:
    """Sample standard deviation (``ddof=1``) of 1-D ``values`` with at least two entries, identical
    to ``numpy.std(values, ddof=1)``: the same steps (mean, squared deviations, pairwise sum, divided
    by n − 1, square root) without its per-call overhead.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.1, 1.0, 1.2, 1.05])
    >>> sample_sd(x) == float(np.std(x, ddof=1))
    True
    """
    n = values.shape[0]
    deviation = values - np.add.reduce(values) / n
    return math.sqrt(float(np.add.reduce(deviation * deviation)) / (n - 1))
