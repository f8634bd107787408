"""Small-number suppression for public papers, as NHS England applies it to FFT data.

- First level: a count of 1 to 4 is replaced by ``*`` (zero is shown).
- Second level: within each parent (e.g. divisions within the trust), if exactly one count
  is suppressed, the next smallest count is suppressed too, so the hidden figure cannot be
  worked out from the total.
"""

from __future__ import annotations

import pandas as pd

MARK = "*"


def suppress(frame: pd.DataFrame, columns: list[str], *, parent: str | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with ``columns`` suppressed (as text) within each ``parent`` group."""
    out = frame.copy()
    groups = [out.index] if parent is None else [g.index for _, g in out.groupby(parent, sort=False)]
    for col in columns:
        values = pd.to_numeric(out[col])
        hide = (values > 0) & (values < 5)
        for idx in groups:
            hidden = hide.loc[idx]
            if hidden.sum() == 1:
                rest = values.loc[idx][~hidden].sort_values(kind="stable")
                if len(rest):
                    hide.loc[rest.index[0]] = True
        out[col] = [MARK if h else ("" if pd.isna(v) else f"{int(v):,}") for v, h in zip(values, hide)]
    return out
