"""Helpers the benchmarks share: offline environment, quantiles, markdown tables, the default index."""

from __future__ import annotations

import os

# Set before any model library is imported: nothing may be looked up on a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import statistics  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from assistant.config import Settings  # noqa: E402


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0.01..0.99) with linear interpolation between samples; the median for q = 0.5."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ready_index(settings: Settings) -> None:
    """Build the index at settings.index.dir when it is missing or stale, as `assistant serve` does."""
    from assistant.indexing import ensure_index

    report = ensure_index(settings)
    if report.rebuilt:
        print(f"built the index: {report.documents} documents in {report.seconds:.0f} s")
