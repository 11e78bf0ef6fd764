"""`assistant` commands: index, ask, serve, analytics, eval, prompts, train, lti."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from assistant.config import Settings
from assistant.errors import ConfigurationError
from assistant.evaluation.cli import add_eval_parser
from assistant.prompts_cli import add_prompts_parser
from assistant.training.cli import add_train_parser

if TYPE_CHECKING:
    from assistant.indexing import IndexReport


# Commands that read the index: it is checked, and rebuilt if missing, stale or damaged, before they start.
USES_INDEX = {"ask", "eval", "serve"}


def _ready_index(settings: Settings, extra: list[Path] | None = None, force: bool = False) -> IndexReport | None:
    """The index report, or None after printing why the index cannot be made ready (nothing was changed then)."""
    from assistant.catalog.generic import CatalogFormatError
    from assistant.indexing import NothingToIndex, ensure_index
    from assistant.vectorstore import StoreUnavailable

    try:
        report = ensure_index(settings, extra, force=force)
    except (CatalogFormatError, NothingToIndex, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    return report


def _index(args: argparse.Namespace, settings: Settings) -> int:
    report = _ready_index(settings, [Path(p) for p in args.catalog], force=args.force)
    if report is None:
        return 2
    if report.rebuilt:
        print(f"Indexed {report.resources} resources ({report.documents} documents) in {report.seconds:.1f} s "
              f"({report.rate:.0f} resources/s) into {settings.index.dir}")
    else:
        print(f"Index is up to date ({report.documents} documents in {settings.index.dir})")
    return 0


def _say_which_llm(engine) -> None:
    """One stderr line naming the model and adapter in use, or why the configured adapter was not used."""
    if engine.llm is not None:
        print(engine.llm.describe().banner(), file=sys.stderr)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.engine import Engine
    from assistant.validation import InputError, check_learner_id, clean_message

    try:  # refused before the model loads: a typo should not cost the half minute that takes
        check_learner_id(args.learner)
        clean_message(args.message, settings.serving.max_message_chars)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = Engine.from_settings(settings)
    _say_which_llm(engine)
    try:
        reply = engine.turns.turn(args.learner, args.message)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(reply.model_dump_json(indent=2))
        return 0
    print(reply.text)
    for rec in reply.recommendations:
        print(f"{rec.rank}. {rec.resource.title} [{rec.resource.resource_type}] <{rec.resource.url}>")
        if rec.reason:
            print(f"   {rec.reason.text}")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.app import serve
    from assistant.engine import Engine

    engine = Engine.from_settings(settings)
    _say_which_llm(engine)
    serve(engine)
    return 0


def _analytics(args: argparse.Namespace, settings: Settings) -> int:
    """The curators' tables (CSV) and charts (PNG) from the learner store, without loading the model or the index."""
    from datetime import timedelta

    from assistant.analytics.files import write
    from assistant.analytics.tables import Analytics
    from assistant.catalog import load_catalog
    from assistant.profile.schema import utcnow
    from assistant.profile.store import open_store

    store = open_store(settings.store)
    try:
        resources = {rid: r for r in load_catalog(settings.sources_dir, settings.catalogs).resources
                     for rid in r.all_ids}
        aggregates = Analytics(store, resources).compute(utcnow() - timedelta(days=args.days) if args.days else None)
        written = write(aggregates, args.out)
    finally:
        store.close()
    print(f"{aggregates.turns} turns and {aggregates.events} feedback events counted; wrote {len(written)} files to "
          f"{args.out}: " + ", ".join(p.name for p in written))
    return 0


def _lti_config(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from assistant.lms import registration

    base = args.url or settings.serving.public_url
    if not base.startswith(("https://", "http://")):
        print("error: give the tool's public address: assistant lti config --url https://assistant.example.edu",
              file=sys.stderr)
        return 2
    if args.only == "canvas":
        print(json.dumps(registration.canvas_developer_key(base), indent=2))
    elif args.only == "moodle":
        print("\n".join(f"{name}: {value}" for name, value in registration.moodle_values(base)))
    else:
        print(registration.describe(base), end="")
    return 0


def _export_gguf(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.config import PROJECT_ROOT
    from assistant.llm.hf.export import export_gguf
    from assistant.llm.hf.loader import resolve_model_dir

    base = Path(resolve_model_dir(settings.llm.model, settings.model_cache_dir, "float32"))
    adapter = Path(settings.llm.adapter) if settings.llm.adapter else None
    if adapter is not None and not adapter.is_absolute():
        adapter = PROJECT_ROOT / adapter
    out = export_gguf(base, adapter, args.converter, args.out, args.quantisation)
    print(f"Wrote {out} ({out.stat().st_size / 2**20:.0f} MB): {base.name}" + (f" + {adapter.name}" if adapter else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assistant", description="Conversational learning assistant")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or update the resource index (derived from the catalog sources)")
    p.add_argument("--catalog", action="append", default=[], metavar="PATH", help="an extra catalog (.jsonl/.csv)")
    p.add_argument("--force", action="store_true", help="rebuild even if the index is up to date")
    p.set_defaults(run=_index)

    p = sub.add_parser("ask", help="run one turn through the engine and print the reply")
    p.add_argument("message")
    p.add_argument("--learner", default="cli-learner")
    p.add_argument("--json", action="store_true", help="print the structured reply")
    p.set_defaults(run=_ask)

    p = sub.add_parser("serve", help="start the web app and API")
    p.add_argument("--no-index", action="store_true", help="do not check the index before starting")
    p.set_defaults(run=_serve)

    p = sub.add_parser("analytics", help="the curators' aggregates (demand, unmet demand, learning gaps, reception) "
                       "as CSV tables and PNG charts")
    p.add_argument("--out", type=Path, required=True, help="the folder to write NAME.csv and NAME.png into")
    p.add_argument("--days", type=int, default=None, help="count only the last N days (default: all that is kept)")
    p.set_defaults(run=_analytics)

    p = sub.add_parser("lti", help="LTI 1.3: what an LMS administrator pastes to register the tool")
    lti = p.add_subparsers(dest="lti_command", required=True)
    p = lti.add_parser("config", help="print Canvas's developer-key JSON and Moodle's registration values")
    p.add_argument("--url", default="", help="the tool's public base URL (default: ASSISTANT_SERVING_PUBLIC_URL)")
    p.add_argument("--only", choices=["canvas", "moodle"], help="print only one LMS's values")
    p.set_defaults(run=_lti_config)

    p = sub.add_parser("export-gguf", help="write the model with its LoRA adapter merged as one GGUF file "
                       "(for llama.cpp's server)")
    p.add_argument("--converter", type=Path, required=True, help="llama.cpp source folder (convert_hf_to_gguf.py)")
    p.add_argument("--out", type=Path, required=True, help="the .gguf file to write")
    p.add_argument("--quantisation", default="q8_0", help="f16, q8_0 ... (default q8_0)")
    p.set_defaults(run=_export_gguf)

    add_eval_parser(sub)
    add_prompts_parser(sub)
    add_train_parser(sub)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
    except ValidationError as exc:  # a bad ASSISTANT_* variable or .env line: say which, not a traceback
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            print(f"error: setting {where}: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    if args.command in USES_INDEX and not getattr(args, "no_index", False):
        report = _ready_index(settings)
        if report is None:
            return 2
        if report.rebuilt:  # on stderr: `ask --json` keeps stdout for the reply
            print(f"Indexed {report.resources} resources in {report.seconds:.0f} s.", file=sys.stderr)
    try:
        return args.run(args, settings)
    except ConfigurationError as exc:  # an unreachable server, a missing model: one line naming it
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
