"""The catalog: resources from the shipped sources and operators' own files."""

from __future__ import annotations

from pathlib import Path

from assistant.catalog import free_programming_books, generic, metacademy
from assistant.catalog.dedupe import merge_duplicates
from assistant.catalog.errors import LoadResult, RowError
from assistant.catalog.schema import Resource

__all__ = ["LoadResult", "Resource", "RowError", "load_catalog", "source_files"]


def source_files(sources_dir: Path, extra: list[Path] | None = None) -> list[Path]:
    """Every file whose content the index is derived from (its fingerprint hashes these)."""
    files = [sources_dir / "free-programming-books" / "fpb_catalog.jsonl"]
    files += sorted((sources_dir / "metacademy").glob("metacademy_*"))
    return [f for f in files if f.is_file()] + list(extra or [])


def load_catalog(sources_dir: Path, extra: list[Path] | None = None) -> LoadResult:
    """The shipped sources plus any operator catalogs, duplicates (same URL) merged into aliases."""
    result = LoadResult()
    fpb = sources_dir / "free-programming-books" / "fpb_catalog.jsonl"
    if fpb.is_file():
        result.extend(free_programming_books.load(fpb))
    if (sources_dir / "metacademy" / "metacademy_concept_resources.jsonl").is_file():
        result.extend(metacademy.load(sources_dir / "metacademy"))
    for path in extra or []:
        result.extend(generic.load(Path(path)))
    result.resources = merge_duplicates(result.resources)
    return result
