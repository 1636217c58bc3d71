"""Convert a validated table of strings into typed columns per the schema."""

from __future__ import annotations

import pandas as pd

from sez_metrics import schema


def to_typed(table: schema.Table, raw: pd.DataFrame) -> pd.DataFrame:
    """Typed copy of ``raw`` (all-string cells, "" = empty) in schema column order.

    numbers → float64 (NaN when empty), integers → Int64 (<NA>), dates → datetime64 (NaT),
    booleans → bool, text/slug/enum → str. Raises ``ValueError`` on a cell that does not convert:
    callers validate first, so that means the file changed under them.
    """
    out = {}
    n = len(raw)
    for column in table.columns:
        values = raw[column.name] if column.name in raw.columns else pd.Series([""] * n, dtype=object)
        values = values.astype(str).str.strip()
        empty = values == ""
        if column.type == "number":
            out[column.name] = pd.to_numeric(values.where(~empty, None), errors="raise").astype("float64")
        elif column.type == "integer":
            out[column.name] = pd.to_numeric(values.where(~empty, None), errors="raise").astype("Int64")
        elif column.type == "date":
            out[column.name] = pd.to_datetime(values.where(~empty, None), format="%Y-%m-%d", errors="raise")
        elif column.type == "boolean":
            lowered = values.str.lower()
            if not lowered.isin(schema.BOOLEAN_TRUE + schema.BOOLEAN_FALSE).all():
                raise ValueError(f"{column.name}: expected true or false")
            out[column.name] = lowered.isin(schema.BOOLEAN_TRUE)
        else:
            out[column.name] = values.astype(object)
    return pd.DataFrame(out, index=pd.RangeIndex(n))
