"""Evaluation reports: report.json, a PNG chart beside it, and a summary table on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

HEADLINE = ("ndcg@{k}", "recall@{k}", "precision@{k}", "mrr", "prereq_hit@{k}", "ild@{k}", "coverage")


def headline(k: int) -> list[str]:
    return [name.format(k=k) for name in HEADLINE]


def write_report(out: Path, report: dict) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def plot(out: Path, reports: dict[str, dict], k: int) -> Path:
    """Headline metrics per ranker, and NDCG per kind of request per ranker."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = headline(k)
    kinds = sorted({kind for r in reports.values() for kind in r["by_kind"]})
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    width = 0.8 / max(len(reports), 1)
    for i, (ranker, report) in enumerate(reports.items()):
        xs = [j + i * width for j in range(len(names))]
        left.bar(xs, [report["metrics"].get(n, 0.0) for n in names], width, label=ranker)
        xs = [j + i * width for j in range(len(kinds))]
        right.bar(xs, [report["by_kind"].get(kind, {}).get(f"ndcg@{k}", 0.0) for kind in kinds], width, label=ranker)
    left.set_xticks([j + width * (len(reports) - 1) / 2 for j in range(len(names))], names, rotation=30, ha="right")
    right.set_xticks([j + width * (len(reports) - 1) / 2 for j in range(len(kinds))], kinds, rotation=30, ha="right")
    left.set_title("Headline metrics")
    right.set_title(f"NDCG@{k} by kind of request")
    for axis in (left, right):
        axis.set_ylim(0, 1.05)
        axis.legend(fontsize=8)
    fig.tight_layout()
    path = out / "report.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def print_summary(reports: dict[str, dict], k: int, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=f"Evaluation (k={k})")
    table.add_column("metric")
    for ranker in reports:
        table.add_column(ranker, justify="right")
    names = headline(k) + sorted({m for r in reports.values() for m in r["metrics"]} - set(headline(k)))
    for name in names:
        table.add_row(name, *(f"{r['metrics'][name]:.3f}" if name in r["metrics"] else "-" for r in reports.values()))
    console.print(table)
    kinds = sorted({kind for r in reports.values() for kind in r["by_kind"]})
    by_kind = Table(title=f"NDCG@{k} by kind")
    by_kind.add_column("kind")
    for ranker in reports:
        by_kind.add_column(ranker, justify="right")
    for kind in kinds:
        by_kind.add_row(kind, *(f"{r['by_kind'].get(kind, {}).get(f'ndcg@{k}', 0.0):.3f}" for r in reports.values()))
    console.print(by_kind)
