"""One training example: the rendered prompt, the answer to learn, and what it is about (for splits and eval)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.llm.base import Message

Task = Literal["profile", "relevance", "reason"]
TASKS: tuple[str, ...] = Task.__args__  # type: ignore[attr-defined]
Language = Literal["en", "zh"]


class Example(BaseModel):
    task: Task
    language: Language
    split: Literal["train", "heldout"]
    messages: list[Message]  # the prompt exactly as serving renders it (system + user)
    answer: str  # the assistant turn to learn
    topics: list[str] = Field(default_factory=list)  # catalog topics the example names (held-out ones never in train)
    meta: dict[str, Any] = Field(default_factory=dict)  # task details the evaluation needs (label, facts, target delta)


def write_jsonl(path: Path, examples: list[Example]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(example.model_dump_json() + "\n")


def read_jsonl(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as handle:
        return [Example.model_validate(json.loads(line)) for line in handle if line.strip()]
