"""Build the index from the catalog sources when it is missing or stale (the sources are the truth)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.catalog import RowError, load_catalog, source_files
from assistant.config import Settings
from assistant.vectorstore import VectorStore, fingerprint


@dataclass
class IndexReport:
    resources: int
    documents: int
    seconds: float
    rebuilt: bool
    errors: list[RowError] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.resources / self.seconds if self.seconds > 0 else 0.0


def ensure_index(settings: Settings, extra: list[Path] | None = None, force: bool = False,
                 progress: bool = True, store: VectorStore | None = None) -> IndexReport:
    catalogs = list(settings.catalogs) + list(extra or [])
    store = store or VectorStore(settings)
    expected = fingerprint(source_files(settings.sources_dir, catalogs), store.embedding, settings)
    if not force and store.is_current(expected):
        return IndexReport(resources=store.count(), documents=store.count(), seconds=0.0, rebuilt=False)
    catalog = load_catalog(settings.sources_dir, catalogs)
    if not catalog.resources:
        raise RuntimeError(f"No resources found under {settings.sources_dir} or in {catalogs}; nothing to index.")
    started = time.perf_counter()
    documents = store.rebuild(catalog.resources, expected, progress=progress)
    return IndexReport(len(catalog.resources), documents, time.perf_counter() - started, True, catalog.errors)
