"""Build the index from the catalog sources when it is missing, stale or damaged (the sources are the truth)."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.catalog import RowError, load_catalog, source_files
from assistant.catalog.generic import CatalogFormatError
from assistant.config import Settings
from assistant.vectorstore import IndexDamaged, VectorStore, fingerprint, remove_index_files

log = logging.getLogger(__name__)


class NothingToIndex(RuntimeError):
    """Not one valid resource in the sources and catalogs: the existing index is kept."""


@dataclass
class IndexReport:
    resources: int
    documents: int
    seconds: float
    rebuilt: bool
    errors: list[RowError] = field(default_factory=list)
    reason: str = ""  # why it was rebuilt: missing, sources changed, damaged (with the problem), forced

    @property
    def rate(self) -> float:
        return self.resources / self.seconds if self.seconds > 0 else 0.0


def ensure_index(settings: Settings, extra: list[Path] | None = None, force: bool = False,
                 progress: bool = True, store: VectorStore | None = None) -> IndexReport:
    """Rebuild when needed; an operator catalog that cannot be read at all raises before a usable index is touched."""
    catalogs = list(settings.catalogs) + list(extra or [])
    for path in catalogs:
        if not Path(path).is_file():
            raise CatalogFormatError(f"{path}: no such catalog file")
    if store is not None:
        return _ensure(settings, catalogs, force, progress, store, None)
    # A store opened here is closed before returning: the caller (the engine) opens its own client on the same files.
    owned, damage = _open(settings)
    try:
        return _ensure(settings, catalogs, force, progress, owned, damage)
    finally:
        owned.close()


def _ensure(settings: Settings, catalogs: list[Path], force: bool, progress: bool, store: VectorStore,
            damage: str | None) -> IndexReport:
    damage = damage or store.damage()
    expected = fingerprint(source_files(settings.sources_dir, catalogs), store.embedding, settings.index)
    if damage is None and not force and store.is_current(expected):
        documents = store.count()
        resources = (store.collection.metadata or {}).get("resources", documents)
        return IndexReport(resources=resources, documents=documents, seconds=0.0, rebuilt=False)
    reason = (f"the index is damaged ({damage})" if damage else "rebuild forced" if force
              else "no index yet" if store.count() == 0 else "the catalog sources or the embedding settings changed")
    catalog = load_catalog(settings.sources_dir, catalogs)  # a whole-file error stops here, the index untouched
    if not catalog.resources:
        raise NothingToIndex(f"No resources found under {settings.sources_dir} or in {catalogs}; nothing to index.")
    _announce(f"Building the index at {settings.index.dir}: {reason}.", progress, damaged=damage is not None)
    if damage:
        store.reset()
    started = time.perf_counter()
    documents = store.rebuild(catalog.resources, expected, progress=progress)
    return IndexReport(len(catalog.resources), documents, time.perf_counter() - started, True, catalog.errors, reason)


def _open(settings: Settings) -> tuple[VectorStore, str | None]:
    """The store, and the reason its files were thrown away when Chroma could not open them at all."""
    try:
        return VectorStore(settings.index), None
    except IndexDamaged as exc:
        remove_index_files(settings.index.dir)
        return VectorStore(settings.index), f"cannot be opened: {exc.__cause__ or exc}"


def _announce(message: str, progress: bool, damaged: bool) -> None:
    """On a terminal (progress on) say it before the long build starts; otherwise log it."""
    if progress:
        print(message, file=sys.stderr, flush=True)
    else:
        log.log(logging.WARNING if damaged else logging.INFO, message)
