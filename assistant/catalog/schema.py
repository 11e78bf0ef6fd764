"""The Resource every part of the system passes around, and its controlled vocabularies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, HttpUrl, field_validator

ResourceType = Literal[
    "book", "course", "video", "podcast", "interactive", "textbook_section", "paper", "lecture_notes", "other"
]
Modality = Literal["text", "video", "audio", "interactive", "unknown"]
Level = Literal["beginner", "intermediate", "advanced", "unknown"]

RESOURCE_TYPES: tuple[str, ...] = ResourceType.__args__  # type: ignore[attr-defined]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]

# The learner-facing format vocabulary (the one eval files use) and the resource types that satisfy each.
FORMAT_TYPES: dict[str, frozenset[str]] = {
    "book": frozenset({"book", "textbook_section"}),
    "course": frozenset({"course"}),
    "video": frozenset({"video", "course"}),
    "podcast": frozenset({"podcast"}),
    "interactive": frozenset({"interactive"}),
    "paper": frozenset({"paper", "lecture_notes"}),
}


def formats_of(resource_type: str, modality: str) -> set[str]:
    """Learner-facing formats a resource satisfies (a video course is both a course and a video)."""
    found = {fmt for fmt, types in FORMAT_TYPES.items() if resource_type in types}
    if resource_type == "course" and modality != "video":
        found.discard("video")
    if modality == "video":
        found.add("video")
    return found


class Resource(BaseModel):
    """One learning resource. Unknown is a real value: a missing level is "unknown", never a guess."""

    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")
    title: str = Field(min_length=1, max_length=500)
    url: HttpUrl
    description: str = ""
    section: str | None = None  # the part of a larger work this resource points at (a textbook section, a lecture)
    topics: list[str] = Field(default_factory=list)
    resource_type: ResourceType = "other"
    modality: Modality = "unknown"
    level: Level = "unknown"
    duration_minutes: int | None = Field(default=None, ge=0)
    language: str = Field(default="en", min_length=2, max_length=8)
    free: bool | None = None
    authors: str | None = None
    source: str = "custom"
    concept: str | None = None  # a knowledge-graph concept id, when the resource teaches one
    prerequisites: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    transcript: str | None = None
    table_of_contents: str | None = None

    @field_validator("language")
    @classmethod
    def _lower_language(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("title", "description")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())

    @property
    def formats(self) -> set[str]:
        return formats_of(self.resource_type, self.modality)

    @property
    def all_ids(self) -> set[str]:
        return {self.id, *self.aliases}
