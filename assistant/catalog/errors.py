"""Per-row load problems: reported with file and line, never fatal to the rows that are good."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.catalog.schema import Resource


@dataclass(frozen=True)
class RowError:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.resources.extend(other.resources)
        self.errors.extend(other.errors)


def describe_validation_error(exc: Exception) -> str:
    """One line naming each bad field, for an operator reading a load report."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    parts = []
    for err in errors():
        where = ".".join(str(p) for p in err.get("loc", ())) or "row"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)
