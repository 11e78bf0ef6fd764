"""Leave-last-out Recall@10 / NDCG@10 of item-item collaborative filtering on real OULAD learner x page logs.

Run: .venv/bin/python bench/oulad_collaborative.py [--seeds 3] [--data DIR] [--out reports/oulad_collaborative.json]

Each learner's held-out page is the one they opened last (largest `first_date`; ties on that day are broken
with the seed); learners with fewer than 3 pages are skipped. Models are fitted on all other (learner, page)
pairs; the held-out page is ranked among every page of the learner's course presentation they have not used.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.ranking.collaborative import Interaction, ItemItemModel

DATA_DIR = Path(os.environ.get("OULAD_DIR", "/work/shared/data/oulad"))
K = 10
Scores = Callable[[dict[str, float], list[str]], Mapping[str, float]]


@dataclass(frozen=True)
class Visit:
    """A learner's use of one VLE page over a whole presentation."""

    learner: str  # "<module>-<presentation>-<student>": a student retaking a module is another learner
    page: str
    clicks: int
    first_day: int


@dataclass(frozen=True)
class Split:
    train: list[Visit]
    held_out: dict[str, str]  # learner -> page
    catalog: dict[str, list[str]]  # learner -> every page of their presentation


def binary(visit: Visit) -> float:
    return 1.0


def log_clicks(visit: Visit) -> float:
    return math.log1p(visit.clicks)


@dataclass(frozen=True)
class Variant:
    """A model setting under test; `weight` turns a visit into an interaction weight."""

    name: str
    knobs: Mapping[str, object] = field(default_factory=dict)
    weight: Callable[[Visit], float] = binary


COSINE = {"alpha": 0.5, "shrink": 0.0}
VARIANTS = [
    Variant("cosine, all neighbours", {**COSINE, "neighbours": None}),
    Variant("cosine, k=50", {**COSINE, "neighbours": 50}),
    Variant("cosine, all neighbours, log(1+clicks) weights", {**COSINE, "neighbours": None}, log_clicks),
    Variant("BM25 + cosine, all neighbours", {**COSINE, "neighbours": None, "bm25": True}),
    Variant("asymmetric cosine a=0.2, shrink 20, k=200", {"alpha": 0.2, "shrink": 20.0, "neighbours": 200}),
    Variant("asymmetric cosine a=0.3, shrink 10, k=200 (default)"),
]


def load_visits(data_dir: Path, presentations: set[str] | None = None) -> tuple[list[Visit], dict[str, list[str]]]:
    """The learner x page visits and, per learner, every page of their presentation (from vle.csv)."""
    pages: dict[str, list[str]] = defaultdict(list)
    with open(data_dir / "vle.csv", newline="") as f:
        for row in csv.DictReader(f):
            pages[f"{row['code_module']}-{row['code_presentation']}"].append(row["id_site"])
    visits, catalog = [], {}
    with open(data_dir / "oulad_student_site_interactions.csv", newline="") as f:
        for row in csv.DictReader(f):
            presentation = f"{row['code_module']}-{row['code_presentation']}"
            if presentations is not None and presentation not in presentations:
                continue
            learner = f"{presentation}-{row['id_student']}"
            visits.append(Visit(learner, row["id_site"], int(row["total_clicks"]), int(row["first_date"])))
            catalog[learner] = pages[presentation]
    return visits, catalog


def leave_last_out(visits: Sequence[Visit], catalog: dict[str, list[str]], seed: int) -> Split:
    """Hold out each learner's last-opened page (seeded tie-break); skip learners with fewer than 3 pages."""
    rng = random.Random(seed)
    by_learner: dict[str, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_learner[visit.learner].append(visit)
    train, held_out = [], {}
    for learner, own in by_learner.items():
        if len(own) < 3:
            train.extend(own)
            continue
        last_day = max(v.first_day for v in own)
        last = rng.choice([v for v in own if v.first_day == last_day])
        held_out[learner] = last.page
        train.extend(v for v in own if v is not last)
    return Split(train, held_out, {learner: catalog[learner] for learner in held_out})


def fit(split: Split, variant: Variant) -> ItemItemModel:
    interactions = (Interaction(v.learner, v.page, variant.weight(v)) for v in split.train)
    return ItemItemModel.fit(interactions, **variant.knobs)


def by_popularity(model: ItemItemModel) -> Scores:
    shares = model.popularity()
    return lambda history, candidates: {c: shares.get(c, 0.0) for c in candidates}


def ranks(split: Split, score: Scores, weight: Callable[[Visit], float], seed: int, label: str = "") -> dict[str, int]:
    """Each held-out learner's 1-based rank of their held-out page; equal scores are ordered at random."""
    histories: dict[str, dict[str, float]] = defaultdict(dict)
    for visit in split.train:
        if visit.learner in split.held_out:
            histories[visit.learner][visit.page] = weight(visit)
    rng = random.Random(seed)
    result = {}
    for learner, target in tqdm(split.held_out.items(), desc=label, leave=False, disable=not label):
        history = histories[learner]
        scores = score(history, [page for page in split.catalog[learner] if page not in history])
        order = list(scores)
        rng.shuffle(order)
        order.sort(key=scores.__getitem__, reverse=True)
        result[learner] = order.index(target) + 1
    return result


def metrics(learner_ranks: Mapping[str, int]) -> dict[str, float]:
    """Recall@10 (one relevant page, so the hit rate) and NDCG@10."""
    n = len(learner_ranks)
    return {
        "recall@10": sum(rank <= K for rank in learner_ranks.values()) / n,
        "ndcg@10": sum(1 / math.log2(rank + 1) for rank in learner_ranks.values() if rank <= K) / n,
        "learners": n,
    }


def grouped(learner_ranks: Mapping[str, int]) -> dict[str, dict[str, float]]:
    """Metrics over all learners and per course presentation."""
    groups: dict[str, dict[str, int]] = defaultdict(dict)
    for learner, rank in learner_ranks.items():
        groups["all"][learner] = rank
        groups[learner.rsplit("-", 1)[0]][learner] = rank
    return {group: metrics(members) for group, members in sorted(groups.items())}


def run(data_dir: Path, seeds: Sequence[int]) -> dict[str, dict[str, dict[str, list[float]]]]:
    """method -> group -> metric -> one value per seed (the seed sets the held-out and rank tie-breaks)."""
    visits, catalog = load_visits(data_dir)
    results: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for seed in tqdm(seeds, desc="seeds"):
        split = leave_last_out(visits, catalog, seed)
        runs = [("popularity", by_popularity(fit(split, Variant("binary"))), binary)]
        runs += [(v.name, fit(split, v).scores, v.weight) for v in VARIANTS]
        for name, score, weight in runs:
            for group, values in grouped(ranks(split, score, weight, seed, label=name)).items():
                for metric, value in values.items():
                    results[name][group][metric].append(value)
    return results


def latency_ms(data_dir: Path, repeats: int = 300) -> tuple[float, float]:
    """Median and p99 time to score 200 candidates for a learner with 50 liked pages, default model."""
    visits, _ = load_visits(data_dir)
    model = ItemItemModel.fit(Interaction(v.learner, v.page) for v in visits)
    pages = sorted({v.page for v in visits})
    rng = random.Random(0)
    timings = []
    for _ in range(repeats):
        history, candidates = dict.fromkeys(rng.sample(pages, 50), 1.0), rng.sample(pages, 200)
        started = time.perf_counter()
        model.scores(history, candidates)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=100)[-1]


def table(results: Mapping[str, Mapping[str, Mapping[str, list[float]]]]) -> str:
    """Markdown: pooled Recall@10 / NDCG@10 (mean ± std over seeds), then the means per presentation."""
    groups = [g for g in next(iter(results.values())) if g != "all"]
    lines = ["| method | Recall@10 (all) | NDCG@10 (all) | " + " | ".join(f"{g} R / N" for g in groups) + " |",
             "|---" * (3 + len(groups)) + "|"]
    for name, by_group in results.items():
        pooled = [f"{statistics.mean(by_group['all'][m]):.3f} ± {statistics.pstdev(by_group['all'][m]):.3f}"
                  for m in ("recall@10", "ndcg@10")]
        per_group = [f"{statistics.mean(by_group[g]['recall@10']):.3f} / {statistics.mean(by_group[g]['ndcg@10']):.3f}"
                     for g in groups]
        lines.append(f"| {name} | " + " | ".join(pooled + per_group) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("reports/oulad_collaborative.json"))
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.data, range(args.seeds))
    median, p99 = latency_ms(args.data)
    learners = {g: int(v["learners"][0]) for g, v in results["popularity"].items()}
    print(f"\nheld-out learners {learners}; {args.seeds} seeds\n")
    print(table(results))
    print(f"\nscoring 200 candidates for 50 liked pages: median {median:.3f} ms, p99 {p99:.3f} ms; "
          f"total {time.perf_counter() - started:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"protocol": __doc__, "seeds": args.seeds, "learners": learners,
                                    "scoring_ms": {"median": median, "p99": p99}, "results": results}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
