"""Conditions on resource fields, independent of any vector database (vectorstore.py translates them for Chroma)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Equals:
    field: str  # a Resource field: language, level, free, concept
    value: str | bool


@dataclass(frozen=True)
class OneOf:
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Has:
    """A list field (topics, formats) holds the value."""

    field: str
    value: str


@dataclass(frozen=True)
class Lacks:
    """A list field does not hold the value."""

    field: str
    value: str


@dataclass(frozen=True)
class AllOf:
    clauses: tuple[Filter, ...]


@dataclass(frozen=True)
class AnyOf:
    clauses: tuple[Filter, ...]


Filter = Equals | OneOf | Has | Lacks | AllOf | AnyOf


def all_of(*clauses: Filter | None) -> Filter | None:
    """Every clause must hold (None = no condition); one clause stands alone."""
    kept = tuple(c for c in clauses if c is not None)
    return None if not kept else kept[0] if len(kept) == 1 else AllOf(kept)


def any_of(*clauses: Filter) -> Filter | None:
    """At least one clause must hold; one clause stands alone."""
    return None if not clauses else clauses[0] if len(clauses) == 1 else AnyOf(tuple(clauses))
