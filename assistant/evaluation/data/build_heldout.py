#!/usr/bin/env python3
"""Build heldout_dialogues.jsonl from the hand-written heldout_spec.yaml.

`relevant` is derived by rule from the catalogs' own labels (see shared/data/README.md):
  * free-programming-books items whose topic_path contains one of the case's fpb_headings
    (element equality, so sub-headings count), minus items whose topic_path contains one of
    exclude_headings, restricted to the case's language and, if the learner stated formats,
    to items whose format set meets them:
        book -> {book}; course -> {course, video}; interactive_tutorial -> {interactive};
        podcast_or_screencast -> {video} if its notes (or raw annotation) say "screencast",
                                 else {podcast}
  * Metacademy items (mc-N) of the concepts asked about and of their missing prerequisites.
`prerequisite_relevant` = the Metacademy items of the missing prerequisites.

Usage (from the repository root):
    .venv/bin/python assistant/evaluation/data/build_heldout.py [--check] [--spec PATH] [--out PATH]
--check rebuilds in memory and fails if the committed jsonl differs.
--spec / --out choose another spec and output file (default: heldout_spec.yaml -> heldout_dialogues.jsonl
next to this script); the second held-out set is built with
    --spec assistant/evaluation/data/heldout2_spec.yaml --out assistant/evaluation/data/heldout2_dialogues.jsonl
Needs PyYAML (only for reading the spec); everything else is the standard library.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SPEC = HERE / "heldout_spec.yaml"
OUT = HERE / "heldout_dialogues.jsonl"
FPB = ROOT / "vectorstore/sources/free-programming-books/fpb_catalog.jsonl"
MC_DIR = ROOT / "vectorstore/sources/metacademy"

FORMATS = {"book", "course", "video", "podcast", "interactive"}
LEVELS = {"beginner", "intermediate", "advanced"}
KINDS = {"topic", "paraphrase", "format", "multi-turn", "time", "zh", "concept", "prerequisite"}
PROFILE_KEYS = {"level", "formats", "language", "time_budget_minutes"}


def item_formats(item: dict) -> set[str]:
    rt = item["resource_type"]
    if rt == "book":
        return {"book"}
    if rt == "course":
        return {"course", "video"}
    if rt == "interactive_tutorial":
        return {"interactive"}
    if rt == "podcast_or_screencast":
        # the raw annotation is read too: one parenthesised group, "(screencast, [code](...)",
        # is unbalanced in the source list and its "screencast" did not reach `notes`
        notes = " ".join(item.get("notes") or []) + " " + (item.get("annotation") or "")
        return {"video"} if "screencast" in notes.lower() else {"podcast"}
    raise ValueError(f"unknown resource_type {rt!r} on {item['id']}")


def id_key(i: str) -> tuple[str, int]:
    prefix, n = i.rsplit("-", 1)
    return prefix, int(n)


def load():
    fpb = [json.loads(line) for line in FPB.open(encoding="utf-8")]
    mc = [json.loads(line) for line in (MC_DIR / "metacademy_concept_resources.jsonl").open(encoding="utf-8")]
    concepts = {json.loads(line)["tag"] for line in (MC_DIR / "metacademy_concepts.jsonl").open(encoding="utf-8")}
    edges = set()
    with (MC_DIR / "metacademy_prerequisites.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["prerequisite_resolved"] == "1":
                edges.add((row["prerequisite_tag_normalized"], row["concept_tag"]))
    return fpb, mc, concepts, edges


def build_case(spec: dict, fpb, mc, concepts, edges) -> dict:
    cid = spec["id"]
    err = lambda msg: SystemExit(f"{cid}: {msg}")  # noqa: E731

    kind = spec["kind"]
    if kind not in KINDS:
        raise err(f"bad kind {kind!r}")
    turns = spec["turns"]
    if not turns or not all(isinstance(t, str) and t.strip() for t in turns):
        raise err("turns must be non-empty strings")

    profile = spec["expected_profile"]
    if set(profile) - PROFILE_KEYS:
        raise err(f"unknown profile keys {set(profile) - PROFILE_KEYS}")
    if "level" in profile and profile["level"] not in LEVELS:
        raise err("bad level")
    language = spec["language"]
    if profile.get("language") != language:
        raise err("expected_profile.language must equal language")
    formats = list(spec.get("formats") or [])
    if set(formats) - FORMATS:
        raise err(f"bad formats {formats}")
    if formats != list(profile.get("formats") or []):
        raise err("formats must equal expected_profile.formats")
    if "time_budget_minutes" in profile and not isinstance(profile["time_budget_minutes"], int):
        raise err("time_budget_minutes must be an int")

    headings = [str(h) for h in spec.get("fpb_headings") or []]
    excluded = {str(h) for h in spec.get("exclude_headings") or []}
    asked = list(spec.get("concepts") or [])
    missing = list(spec.get("missing_prerequisites") or [])

    all_headings = {h for it in fpb for h in it["topic_path"]}
    for h in headings + sorted(excluded):
        if h not in all_headings:
            raise err(f"heading {h!r} not in catalog")
    for t in asked + missing:
        if t not in concepts:
            raise err(f"concept {t!r} not in metacademy_concepts")
    for p in missing:
        if not any((p, c) in edges for c in asked):
            raise err(f"{p!r} is not a prerequisite of {asked}")

    fpb_ids = []
    per_heading = {h: 0 for h in headings}
    for it in fpb:
        path = set(it["topic_path"])
        hits = [h for h in headings if h in path]
        if not hits or path & excluded or it["language"] != language:
            continue
        for h in hits:  # counted before the format filter: a heading may hold none of the stated formats
            per_heading[h] += 1
        if formats and not (item_formats(it) & set(formats)):
            continue
        fpb_ids.append(it["id"])
    for h, n in per_heading.items():
        if n == 0:
            raise err(f"heading {h!r} has no item in language {language!r}")

    mc_ids = [r["id"] for r in mc if r["concept_tag"] in set(asked) | set(missing)]
    prereq_ids = [r["id"] for r in mc if r["concept_tag"] in set(missing)]
    for t in asked + missing:
        if not any(r["concept_tag"] == t for r in mc):
            raise err(f"concept {t!r} has no Metacademy resources")

    relevant = sorted(set(fpb_ids), key=id_key) + sorted(set(mc_ids), key=id_key)
    if len(relevant) < 3:
        raise err(f"only {len(relevant)} relevant ids")

    case = {"id": cid, "kind": kind, "turns": turns, "relevant": relevant}
    if missing:
        if kind != "prerequisite":
            raise err("missing_prerequisites only for prerequisite cases")
        case["prerequisite_relevant"] = sorted(set(prereq_ids), key=id_key)
    elif kind == "prerequisite":
        raise err("prerequisite case without missing_prerequisites")
    ordered = {k: profile[k] for k in ("level", "formats", "language", "time_budget_minutes") if k in profile}
    case["expected_profile"] = ordered
    return case


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Build held-out dialogues from a hand-written spec.")
    ap.add_argument("--check", action="store_true", help="fail if the output file is out of date")
    ap.add_argument("--spec", type=Path, default=SPEC, help=f"spec YAML (default: {SPEC.name})")
    ap.add_argument("--out", type=Path, default=OUT, help=f"output JSONL (default: {OUT.name})")
    return ap.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    spec_path, out_path = args.spec, args.out
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    fpb, mc, concepts, edges = load()
    cases = [build_case(c, fpb, mc, concepts, edges) for c in spec["cases"]]
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate case ids")
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    if args.check:
        if not out_path.exists() or out_path.read_text(encoding="utf-8") != text:
            print(f"{out_path.name} is out of date; rebuild it", file=sys.stderr)
            return 1
        print(f"{out_path.name} is up to date ({len(cases)} cases)")
        return 0
    out_path.write_text(text, encoding="utf-8")
    counts: dict[str, int] = {}
    for c in cases:
        counts[c["kind"]] = counts.get(c["kind"], 0) + 1
    print(f"wrote {out_path} ({len(cases)} cases): {counts}")
    for c in cases:
        extra = f" prereq={len(c['prerequisite_relevant'])}" if "prerequisite_relevant" in c else ""
        print(f"  {c['id']:6} {c['kind']:12} relevant={len(c['relevant'])}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
