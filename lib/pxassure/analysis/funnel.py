"""Funnel plots: compare units of different sizes against the overall rate.

Each unit's value is plotted against its size (responses, bed days); the limits around the
overall value narrow as size grows. Limits are at 95 % (z = 1.96) and 99.8 % (z = 3.09),
from the binomial (proportions) or Poisson (rates) approximation. A unit outside 99.8 % is
very unlikely to differ by chance alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pxassure.errors import SPCInputError

Z95, Z998 = 1.959964, 3.090232


def funnel(
    frame: pd.DataFrame,
    *,
    kind: str,
    numerator: str = "numerator",
    denominator: str = "denominator",
    multiply: float = 1,
) -> pd.DataFrame:
    """Per-unit value, size and the funnel limits at that size, with where each unit falls.

    ``kind`` is "proportion" or "rate". Rows with no denominator are left out. Adds value,
    centre, lower_95, upper_95, lower_998, upper_998 and position (``within``,
    ``above_95``, ``below_95``, ``above_998``, ``below_998``), all scaled by ``multiply``.
    """
    if kind not in ("proportion", "rate"):
        raise SPCInputError(f"kind must be 'proportion' or 'rate', got {kind!r}")
    f = frame[frame[denominator].fillna(0) > 0].copy()
    y, n = f[numerator].to_numpy(float), f[denominator].to_numpy(float)
    centre = y.sum() / n.sum() if n.sum() else np.nan
    sd = np.sqrt(centre * (1 - centre) / n) if kind == "proportion" else np.sqrt(centre / n)
    value = y / n
    out = f.assign(value=value * multiply, centre=centre * multiply)
    for name, z in (("95", Z95), ("998", Z998)):
        lo, hi = centre - z * sd, centre + z * sd
        if kind == "proportion":
            hi = np.minimum(hi, 1)
        out[f"lower_{name}"] = np.maximum(lo, 0) * multiply
        out[f"upper_{name}"] = hi * multiply
    v = out["value"]
    out["position"] = np.select(
        [v > out["upper_998"], v < out["lower_998"], v > out["upper_95"], v < out["lower_95"]],
        ["above_998", "below_998", "above_95", "below_95"],
        "within",
    )
    return out.reset_index(drop=True)
