"""An operator's own catalog, JSONL or CSV, validated row by row against the Resource schema.

Columns are Resource fields (`id`, `title`, `url` required). In CSV, list fields (`topics`, `prerequisites`,
`aliases`) are separated by `|`; `free` accepts true/false/yes/no/1/0; empty cells mean unknown.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pydantic import ValidationError

from assistant.catalog.errors import LoadResult, RowError, describe_validation_error
from assistant.catalog.schema import Resource

_LIST_FIELDS = ("topics", "prerequisites", "aliases")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


class CatalogFormatError(ValueError):
    """The file as a whole cannot be read (wrong extension, not UTF-8, no header)."""


def _from_csv_cells(row: dict[str, str | None]) -> dict:
    clean: dict = {}
    for key, value in row.items():
        if key is None:
            raise ValueError("row has more cells than the header has columns")
        key = key.strip()
        value = (value or "").strip()
        if value == "":
            continue
        if key in _LIST_FIELDS:
            clean[key] = [v.strip() for v in value.split("|") if v.strip()]
        elif key == "free":
            lowered = value.lower()
            if lowered not in _TRUE | _FALSE:
                raise ValueError(f"free: expected yes/no, got {value!r}")
            clean[key] = lowered in _TRUE
        else:
            clean[key] = value
    return clean


def _rows(path: Path):
    suffix = path.suffix.lower()
    try:
        if suffix in {".jsonl", ".ndjson"}:
            with path.open(encoding="utf-8") as handle:
                for line_no, line in enumerate(handle, start=1):
                    if line.strip():
                        yield line_no, line
        elif suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                if not reader.fieldnames:
                    raise CatalogFormatError(f"{path}: CSV has no header row")
                for row in reader:
                    yield reader.line_num, row
        else:
            raise CatalogFormatError(f"{path}: unsupported catalog format {suffix!r}; use .jsonl or .csv")
    except UnicodeDecodeError as exc:
        raise CatalogFormatError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def load(path: Path, source: str | None = None) -> LoadResult:
    """Load every valid row; report each bad one with its file and line and skip it."""
    if not path.is_file():
        raise CatalogFormatError(f"{path}: no such catalog file")
    result = LoadResult()
    seen: set[str] = set()
    for line_no, raw in _rows(path):
        try:
            data = json.loads(raw) if isinstance(raw, str) else _from_csv_cells(raw)
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            data.setdefault("source", source or path.stem)
            resource = Resource.model_validate(data)
        except json.JSONDecodeError as exc:
            result.errors.append(RowError(path, line_no, f"invalid JSON: {exc.msg}"))
            continue
        except (ValidationError, ValueError) as exc:
            result.errors.append(RowError(path, line_no, describe_validation_error(exc)))
            continue
        if resource.id in seen:
            result.errors.append(RowError(path, line_no, f"duplicate id {resource.id!r}"))
            continue
        seen.add(resource.id)
        result.resources.append(resource)
    return result
