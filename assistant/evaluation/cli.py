"""`assistant eval`: run dialogue cases through the engine with one or more rankers and write the reports."""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from assistant.config import Settings

RANKERS = ("hybrid", "dense", "bm25", "popularity")


def add_eval_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("eval", help="measure ranking, profile and reason quality on dialogue cases")
    p.add_argument("--dialogues", type=Path, required=True, metavar="FILE", action="append",
                   help="JSONL cases (see README); repeat to pool several files")
    p.add_argument("--k", type=int, default=10, help="list length the metrics look at (default 10)")
    p.add_argument("--ranker", action="append", choices=RANKERS, metavar="NAME",
                   help=f"one of {', '.join(RANKERS)}; repeat to compare (default hybrid)")
    p.add_argument("--out", type=Path, default=Path("reports/eval"), help="folder for report.json and report.png")
    p.add_argument("--split", choices=("all", "fit", "holdout"), default="all",
                   help="all cases, or the half used to fit the ranking weights, or the held-out half")
    p.add_argument("--no-reasons", action="store_true", help="skip writing reasons (ranking and profile only)")
    p.add_argument("--prompts", type=Path, help="an alternative prompts folder, to measure a template change")
    p.add_argument("--weights", type=Path, help="JSON file of ranking weights to use instead of the settings")
    p.add_argument("--fit-weights", type=Path, metavar="OUT.json",
                   help="fit the hybrid weights on the fit split, save them here, then report fit and held-out splits")
    p.set_defaults(run=run_eval)


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.catalog import load_catalog
    from assistant.engine import Engine
    from assistant.evaluation.cases import CaseFileError, load_cases
    from assistant.evaluation.report import plot, print_summary, write_report
    from assistant.evaluation.runner import by_kind, evaluate, select, summarise
    from assistant.knowledge.graph import PrerequisiteGraph
    from assistant.llm import build_llm
    from assistant.llm.prompts import PromptError
    from assistant.profile.sqlite_store import SQLiteStore
    from assistant.validation import InputError
    from assistant.vectorstore import VectorStore

    try:
        all_cases = [case for path in args.dialogues for case in load_cases(path)]
        if len({c.id for c in all_cases}) != len(all_cases):
            raise CaseFileError("case ids repeat across the dialogue files")
        cases = select(all_cases, args.split)
    except CaseFileError as exc:
        print(f"error: {exc}")
        return 2
    if args.k < 1:
        print("error: --k must be at least 1")
        return 2
    ranking: dict = {"top_k": args.k}
    if args.prompts:
        settings = settings.model_copy(update={"prompts_dir": args.prompts})
    if args.weights:
        try:
            ranking["weights"] = settings.with_changes(
                ranking={"weights": json.loads(args.weights.read_text())}).ranking.weights
        except (OSError, ValueError) as exc:
            print(f"error: {args.weights}: {exc}")
            return 2
    rankers = args.ranker or ["hybrid"]
    store = VectorStore(settings.index)
    if store.count() == 0:
        print(f"error: the index at {settings.index.dir} is empty: run `assistant index` first")
        return 2
    catalog = load_catalog(settings.sources_dir, settings.catalogs).resources
    graph = PrerequisiteGraph.from_metacademy(settings.sources_dir / "metacademy")
    weights = ranking.get("weights", settings.ranking.weights)
    needs_llm = not args.no_reasons or settings.llm.profile or (weights.get("llm", 0.0) and settings.llm.judged_per_shown)
    llm = build_llm(settings.llm, settings.cache_dir) if needs_llm else None
    reports: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as scratch:
        learners = SQLiteStore(Path(scratch) / "learners.sqlite3")  # eval learners never touch real ones
        if args.fit_weights:
            from assistant.evaluation.fitting import collect, coordinate_ascent

            fit_settings = settings.with_changes(ranking={**ranking, "ranker": "hybrid"})
            pools = collect(Engine(fit_settings, store, llm, learners, catalog, graph), select(all_cases, "fit"))
            weights, steps = coordinate_ascent(pools, fit_settings.ranking.weights, args.k,
                                               fit_settings.ranking.diversity)
            args.fit_weights.parent.mkdir(parents=True, exist_ok=True)
            args.fit_weights.write_text(json.dumps(weights, indent=2) + "\n", encoding="utf-8")
            print("Fitted on the fit split (NDCG@%d on its cached pools): %s" % (args.k, steps[-1][2]))
            for name, value, result in steps[1:]:
                print(f"  {name} -> {value}: {result}")
            print(f"Wrote {args.fit_weights}; evaluating both splits with these weights")
            ranking["weights"] = weights
            runs = [("fit", select(all_cases, "fit")), ("holdout", select(all_cases, "holdout"))]
        else:
            runs = [(ranker, cases) for ranker in rankers]
        for label, run_cases in runs:
            ranker = label if label in RANKERS else "hybrid"
            run_settings = settings.with_changes(ranking={**ranking, "ranker": ranker})
            try:
                engine = Engine(run_settings, store, llm, learners, catalog, graph)
            except PromptError as exc:
                print(f"error: {exc}")
                return 2
            try:
                results = evaluate(engine, run_cases, args.k, with_reasons=not args.no_reasons)
            except InputError as exc:
                print(f"error: a case was refused by the engine: {exc}")
                return 2
            catalog_size = len({r.id for r in catalog})
            reports[label] = {
                "ranker": ranker, "k": args.k, "dialogues": [str(p) for p in args.dialogues],
                "split": label if args.fit_weights else args.split,
                "cases_count": len(results), "created_at": datetime.now(timezone.utc).isoformat(),
                "settings": {"weights": run_settings.ranking.weights, "prompts_dir": str(run_settings.prompts_dir),
                             "llm": llm.describe().banner() if llm else None,
                             "diversity": run_settings.ranking.diversity},
                "metrics": summarise(results, catalog_size),
                "by_kind": by_kind(results, catalog_size),
                "cases": [r.model_dump() for r in results],
            }
    if len(reports) == 1:
        path = write_report(args.out, next(iter(reports.values())))
    else:
        for label, report in reports.items():
            write_report(args.out / label, report)
        path = write_report(args.out, {"runs": {r: {"metrics": v["metrics"], "by_kind": v["by_kind"]}
                                                for r, v in reports.items()}, "k": args.k})
    chart = plot(args.out, reports, args.k)
    print_summary(reports, args.k)
    print(f"Wrote {path} and {chart}")
    return 0
