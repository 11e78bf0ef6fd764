"""Loader for free-programming-books (EbookFoundation, CC BY 4.0): one resource per listed link."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from assistant.catalog.errors import LoadResult, RowError, describe_validation_error
from assistant.catalog.schema import Resource

# Headings that group topics without being one.
_CONTAINER_HEADINGS = {"BY PROGRAMMING LANGUAGE", "BY SUBJECT", "语言相关", "语言无关", "0 - MOOC", "Misc", "Index"}

_TYPES = {
    "book": ("book", "text"),
    # The free-courses lists are overwhelmingly recorded lectures and video playlists.
    "course": ("course", "video"),
    "interactive_tutorial": ("interactive", "interactive"),
}

_BEGINNER = re.compile(r"\b(beginners?|newbies?|novices?|absolute basics|getting started|first steps|for dummies|from scratch|crash course|introduction|intro to|learn \w+ the hard way)\b|入门|初学|新手|零基础", re.I)
_ADVANCED = re.compile(r"\b(advanced|expert|mastering|in depth|internals|high performance)\b|高级|进阶|深入", re.I)


def level_from_title(title: str) -> str:
    """A level only when the title says it outright; anything else stays unknown."""
    if _ADVANCED.search(title):
        return "advanced"
    if _BEGINNER.search(title):
        return "beginner"
    return "unknown"


def _type_and_modality(row: dict) -> tuple[str, str]:
    raw = row.get("resource_type", "")
    if raw == "podcast_or_screencast":
        notes = {n.strip().lower() for n in row.get("notes") or []}
        return ("video", "video") if "screencast" in notes else ("podcast", "audio")
    return _TYPES.get(raw, ("other", "unknown"))


def _topics(row: dict) -> list[str]:
    topics: list[str] = []
    for heading in row.get("topic_path") or []:
        heading = heading.replace("\\", "").strip()
        if heading and heading not in _CONTAINER_HEADINGS and heading not in topics:
            topics.append(heading)
    if row.get("parent_title"):
        topics.append(row["parent_title"])
    return topics


def _description(row: dict) -> str:
    notes = [n.strip() for n in row.get("notes") or [] if n.strip() and ":" not in n]
    parts = []
    if notes:
        parts.append("Notes: " + ", ".join(notes) + ".")
    if row.get("archived"):
        parts.append("Original link is dead; this is an archived copy.")
    if row.get("in_progress"):
        parts.append("Still being written.")
    return " ".join(parts)


def to_resource(row: dict) -> Resource:
    resource_type, modality = _type_and_modality(row)
    return Resource(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        description=_description(row),
        topics=_topics(row),
        resource_type=resource_type,
        modality=modality,
        level=level_from_title(row["title"]),
        language=row.get("language") or "en",
        free=True,  # the list only admits resources that are free to read
        authors=(row.get("authors") or "").strip() or None,
        source="free-programming-books",
    )


def load(path: Path) -> LoadResult:
    result = LoadResult()
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                result.resources.append(to_resource(json.loads(line)))
            except (ValidationError, KeyError, json.JSONDecodeError) as exc:
                result.errors.append(RowError(path, line_no, describe_validation_error(exc)))
    return result
