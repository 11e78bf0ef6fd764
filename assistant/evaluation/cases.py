"""Evaluation cases: learner dialogues with the catalog ids a good answer contains (JSONL, one case per line)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from assistant.catalog.errors import describe_validation_error

EXPECTED_SLOTS = ("level", "formats", "language", "time_budget_minutes")


class EvalCase(BaseModel):
    id: str
    kind: str = "unspecified"
    turns: list[str] = Field(min_length=1)
    relevant: list[str] = Field(default_factory=list)
    prerequisite_relevant: list[str] = Field(default_factory=list)
    expected_profile: dict[str, object] = Field(default_factory=dict)


class CaseFileError(ValueError):
    """The dialogue file cannot be used; the message names the file and line."""


def load_cases(path: Path) -> list[EvalCase]:
    """Every case in the file; a malformed line stops the run with its line number (a metric on half a file misleads)."""
    if not path.is_file():
        raise CaseFileError(f"{path}: no such dialogue file")
    cases: list[EvalCase] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                case = EvalCase.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                raise CaseFileError(f"{path}:{line_no}: invalid JSON: {exc.msg}") from exc
            except ValidationError as exc:
                raise CaseFileError(f"{path}:{line_no}: {describe_validation_error(exc)}") from exc
            if case.id in seen:
                raise CaseFileError(f"{path}:{line_no}: duplicate case id {case.id!r}")
            seen.add(case.id)
            cases.append(case)
    if not cases:
        raise CaseFileError(f"{path}: no cases")
    return cases
