"""Loader for Metacademy (CC BY-SA 3.0): one resource per (concept, textbook/lecture section) pointer."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from pydantic import ValidationError

from assistant.catalog.errors import LoadResult, RowError, describe_validation_error
from assistant.catalog.schema import Resource

_TYPES = {
    "textbook": ("textbook_section", "text"), "online textbook": ("textbook_section", "text"),
    "book": ("textbook_section", "text"), "reference": ("textbook_section", "text"),
    "online compendium": ("textbook_section", "text"),
    "online lectures": ("video", "video"), "video lecture": ("video", "video"), "video lectures": ("video", "video"),
    "youtube videos": ("video", "video"), "video tutorials": ("video", "video"), "tutorial video": ("video", "video"),
    "online lecture": ("video", "video"), "video": ("video", "video"),
    "online course": ("course", "video"),
    "lecture notes": ("lecture_notes", "text"), "lecture slide": ("lecture_notes", "text"),
    "presentation slides": ("lecture_notes", "text"),
    "paper": ("paper", "text"), "survey paper": ("paper", "text"), "technical report": ("paper", "text"),
    "review paper": ("paper", "text"), "thesis": ("paper", "text"), "tutorial paper": ("paper", "text"),
    "research paper": ("paper", "text"),
    "interactive demonstration": ("interactive", "interactive"),
}
_LEVELS = {
    "introductory": "beginner", "undergraduate": "intermediate", "advanced undergraduate": "intermediate",
    "graduate": "advanced", "expert": "advanced",
}
_PAGE_ANCHOR = re.compile(r"\[(#page=\d+)\]")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_concepts(folder: Path) -> dict[str, dict]:
    return {c["tag"]: c for c in _read_jsonl(folder / "metacademy_concepts.jsonl")}


def load_prerequisite_edges(folder: Path) -> list[dict]:
    """Resolved edges only: (prerequisite, concept, reason, shortcut)."""
    with (folder / "metacademy_prerequisites.csv").open(encoding="utf-8", newline="") as handle:
        return [
            {"prerequisite": r["prerequisite_tag_normalized"], "concept": r["concept_tag"],
             "reason": (r.get("reason") or "").strip(), "shortcut": r.get("shortcut") == "1"}
            for r in csv.DictReader(handle) if r.get("prerequisite_resolved") == "1"
        ]


def _url(row: dict, source: dict) -> str | None:
    if row.get("url"):
        return row["url"]
    base = source.get("specific_url_base")
    if base:
        for loc in row.get("location") or []:
            anchor = _PAGE_ANCHOR.search(loc)
            if anchor:
                return base + anchor.group(1)
    return source.get("url")


def _section(row: dict) -> str | None:
    locations = [_PAGE_ANCHOR.sub("", loc).strip() for loc in row.get("location") or []]
    return "; ".join(loc for loc in locations if loc) or None


_LINK = re.compile(r'"([^"]+)":\w+')  # Metacademy's "label":concept_tag links


def _plain(markup: str | None) -> str:
    """A bulleted Metacademy field as one sentence: "* Prove that ...\n* Define ..." -> "Prove that ...; Define ..."."""
    items = [_LINK.sub(r"\1", line.lstrip("* ").strip().rstrip(".")) for line in (markup or "").splitlines()]
    return "; ".join(item for item in items if item)


def _teaches(concept: dict) -> str:
    """The concept's summary, then its goals and the topics its resources cover: learners describe a concept by what
    it does ("prove the halting problem is undecidable", "source separation"), and these fields say it."""
    parts = [concept.get("summary") or "", _plain(concept.get("goals")), _plain(concept.get("topics"))]
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts if p)


def to_resource(row: dict, source: dict, concept: dict, prerequisites: list[str]) -> Resource:
    resource_type, modality = _TYPES.get((source.get("resource_type") or "").lower(), ("other", "unknown"))
    free = {"1": True, "0": False}.get(str(source.get("free")), None)
    hours = concept.get("time_estimate_hours")
    concept_title = concept.get("title") or row["concept_tag"].replace("_", " ")
    description = " ".join(
        part for part in [_teaches(concept), source.get("description") or "", *(row.get("extra") or [])] if part
    )
    return Resource(
        id=row["id"],
        title=f"{concept_title[:1].upper()}{concept_title[1:]} — {source['title']}",
        url=_url(row, source),
        description=description,
        section=_section(row),
        topics=[concept_title],
        resource_type=resource_type,
        modality=modality,
        level=_LEVELS.get((source.get("level") or "").lower(), "unknown"),
        # Metacademy's estimate of the time to learn the concept this section teaches.
        duration_minutes=round(float(hours) * 60) if hours else None,
        language="en",
        free=free,
        authors=source.get("authors"),
        source="metacademy",
        concept=row["concept_tag"],
        prerequisites=prerequisites,
    )


def load(folder: Path) -> LoadResult:
    concepts = load_concepts(folder)
    sources = {s["key"]: s for s in _read_jsonl(folder / "metacademy_resource_sources.jsonl")}
    prereqs: dict[str, list[str]] = {}
    for edge in load_prerequisite_edges(folder):
        prereqs.setdefault(edge["concept"], []).append(edge["prerequisite"])
    path = folder / "metacademy_concept_resources.jsonl"
    result = LoadResult()
    for line_no, row in enumerate(_read_jsonl(path), start=1):
        source = row if row.get("title") else sources.get(row.get("source", ""))
        if source is None:
            result.errors.append(RowError(path, line_no, f"unknown source {row.get('source')!r}"))
            continue
        try:
            concept = concepts.get(row["concept_tag"], {})
            result.resources.append(to_resource(row, source, concept, prereqs.get(row["concept_tag"], [])))
        except (ValidationError, KeyError) as exc:
            result.errors.append(RowError(path, line_no, describe_validation_error(exc)))
    return result
