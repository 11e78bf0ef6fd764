"""The curators' tables and charts as files: one CSV and one PNG per table (`assistant analytics --out DIR`)."""

from __future__ import annotations

from pathlib import Path

from assistant.analytics.charts import render
from assistant.analytics.tables import Aggregates


def write(aggregates: Aggregates, out: Path) -> list[Path]:
    """Every table as NAME.csv and every chart as NAME.png in `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in aggregates.tables.items():
        path = out / f"{name}.csv"
        path.write_text(table.csv(), encoding="utf-8")
        written.append(path)
    for name, png in render(aggregates).items():
        path = out / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    return written
