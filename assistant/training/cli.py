"""`assistant train`: --build-data, training an adapter (--out), or --eval of one against the base model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.config import Settings

DEFAULT_DATA = Path(".cache/training-data")


def _base_dir(settings: Settings) -> Path:
    from assistant.llm.hf.loader import resolve_model_dir

    return Path(resolve_model_dir(settings.llm.model, settings.model_cache_dir, "float32"))


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.build_data:
        from assistant.training.build import build_data

        out = args.out or DEFAULT_DATA
        manifest = build_data(out, args.seed, settings.sources_dir, settings.prompts_dir)
        for split, counts in manifest["counts"].items():
            print(f"{split:8s} " + "  ".join(f"{k}={v}" for k, v in counts.items()) + f"  total={sum(counts.values())}")
        print(f"{len(manifest['heldout_topics'])} held-out topics; written to {out}")
        return 0
    if args.eval:
        from assistant.training.evaluate import evaluate

        adapter = None if str(args.eval) == "base" else args.eval
        evaluate(adapter, args.data, _base_dir(settings), settings.prompts_dir, args.limit, args.dev, args.report,
                 settings.llm)
        return 0
    if args.out is None:
        print("error: give --build-data, --eval ADAPTER, or --out adapters/NAME to train", file=sys.stderr)
        return 2
    from assistant.llm.hf.lora import ALL_LINEAR, TrainSettings, train
    from assistant.training.examples import read_jsonl
    from assistant.training.model_card import write_model_card

    train_settings = TrainSettings(
        steps=args.steps, batch_size=args.batch_size, learning_rate=args.lr, rank=args.rank, alpha=2 * args.rank,
        target_modules=ALL_LINEAR if args.modules == "all-linear" else tuple(args.modules.split(",")),
        top_layers=args.top_layers, max_length=args.max_length, dtype=args.dtype, max_minutes=args.max_minutes,
        seed=args.seed,
    )
    examples = read_jsonl(args.data / "train.jsonl")[:args.limit]
    run = train(examples, args.out, _base_dir(settings), train_settings, resume=args.resume)
    write_model_card(args.out)
    print(json.dumps({k: v for k, v in run.items() if k != "losses"}, indent=1))
    return 0


def add_train_parser(subparsers) -> None:
    """Register `assistant train` on the main command's subparsers."""
    p = subparsers.add_parser("train", help="build adapter training data, train a LoRA adapter, or evaluate one")
    p.add_argument("--build-data", action="store_true", help="write instruction data (default out: .cache/training-data)")
    p.add_argument("--eval", type=Path, metavar="ADAPTER",
                   help='compare this adapter with the base model ("base": score, and cache, the base model only)')
    p.add_argument("--out", type=Path, help="data folder (--build-data) or adapter folder to train into")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="training data folder")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=900)
    p.add_argument("--resume", action="store_true", help="continue from the adapter folder's last checkpoint")
    p.add_argument("--limit", type=int, help="train: use the first N examples; eval: N examples per task")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--modules", default="all-linear", help='"all-linear" or a comma list such as q_proj,v_proj')
    p.add_argument("--top-layers", type=int, help="LoRA only in the top N layers (default: all layers)")
    p.add_argument("--max-length", type=int, default=384, help="longer examples are dropped, never cut")
    p.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    p.add_argument("--max-minutes", type=float, help="stop and save when this much training time is spent")
    p.add_argument("--dev", type=Path, help="dev dialogues (default: ../shared/data/eval/dev_dialogues.jsonl)")
    p.add_argument("--report", type=Path, default=Path("reports/adapter_eval.json"))
    p.set_defaults(run=_run)
