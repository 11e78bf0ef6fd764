"""Retrieval latency as the catalog grows (~6k real documents, 60k, 600k synthetic), and index build rates.

Run: .venv/bin/python bench/retrieval_scale.py [--sizes 6k,60k,600k] [--reps 5] [--no-embed-build]

The larger catalogs are copies of the real index rows with new ids and a marked text. Their embeddings are the real
ones plus Gaussian noise of norm 0.3, renormalised (cosine to the original about 0.96), instead of re-encoding the
copies: encoding 600k texts would take days on this CPU and would not change what a search costs. Every search is
`VectorStore.search` as the ranker calls it (120 resources, so up to 360 chunks, with metadata parsed). The build
rate with the real embedding function is measured once, on the real catalog (encoding + writing).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import psutil
from common import quantile, ready_index, table

from assistant.catalog import load_catalog
from assistant.catalog.filters import AllOf, Equals, Filter, Has, OneOf
from assistant.config import Settings
from assistant.vectorstore import VectorStore

QUERIES = [
    "I'm new to programming and want to learn Rust",
    "podcasts about JavaScript",
    "linear regression for my statistics class",
    "Git 版本控制 中文书",
    "machine learning with Python for beginners",
    "how databases store data, SQL joins",
    "web development with React",
    "operating systems and concurrency",
]
FILTERS: dict[str, Filter | None] = {
    "unfiltered": None,
    "1 filter (language)": Equals("language", "en"),
    "3 filters (language, formats $contains, level $in)": AllOf((
        Equals("language", "en"), Has("formats", "book"), OneOf("level", ("beginner", "unknown")))),
    "1 filter (topics $contains)": Has("topics", "Python"),
}
NOISE_NORM = 0.3


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def fill(store: VectorStore, real: dict, copies: int, seed: int = 0) -> float:
    """Write the real rows `copies` times (copy 0 unchanged, the others perturbed); returns documents per second."""
    rng = np.random.default_rng(seed)
    vectors = np.asarray(real["embeddings"], dtype=np.float32)
    batch = store.client.get_max_batch_size()
    started = time.perf_counter()
    for copy in range(copies):
        ids, metas, docs = real["ids"], real["metadatas"], real["documents"]
        emb = vectors
        if copy:
            noise = rng.normal(size=vectors.shape).astype(np.float32)
            emb = vectors + NOISE_NORM * noise / np.linalg.norm(noise, axis=1, keepdims=True)
            emb /= np.linalg.norm(emb, axis=1, keepdims=True)
            metas = [_renamed(m, copy) for m in metas]
            ids = [f"{m['resource_id']}#{m['part']}" for m in metas]
            docs = [f"{d} (copy {copy})" for d in docs]
        for start in range(0, len(ids), batch):
            end = start + batch
            store.collection.add(ids=ids[start:end], embeddings=emb[start:end], metadatas=metas[start:end],
                                 documents=docs[start:end])
    return copies * len(real["ids"]) / (time.perf_counter() - started)


def _renamed(meta: dict, copy: int) -> dict:
    old, new = meta["resource_id"], f"{meta['resource_id']}.c{copy}"
    return {**meta, "resource_id": new, "resource": meta["resource"].replace(f'"id":"{old}"', f'"id":"{new}"', 1)}


def measure(store: VectorStore, vectors: list[np.ndarray], reps: int, limit: int) -> dict[str, list[float]]:
    """Milliseconds per search for each filter; queries and filters interleaved, one untimed warm-up pass."""
    times: dict[str, list[float]] = defaultdict(list)
    for rep in range(reps + 1):
        for vector in vectors:
            for name, where in FILTERS.items():
                t0 = time.perf_counter()
                store.search(vector, where, limit)
                if rep:
                    times[name].append((time.perf_counter() - t0) * 1000)
    return times


def embed_build_rate(settings: Settings, real_store: VectorStore, scratch: Path) -> tuple[int, float]:
    """Documents per second of a full build of the real catalog with the real embedding function."""
    resources = load_catalog(settings.sources_dir, settings.catalogs).resources
    store = VectorStore(settings.index.model_copy(update={"dir": scratch / "embed"}), embedding=real_store.embedding)
    started = time.perf_counter()
    written = store.upsert(resources, progress=False)
    rate = written / (time.perf_counter() - started)
    store.close()
    return written, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6k,60k", help="documents per catalog, e.g. 6k,60k,600k (default 6k,60k)")
    parser.add_argument("--reps", type=int, default=5, help=f"passes over the {len(QUERIES)} queries (default 5)")
    parser.add_argument("--no-embed-build", action="store_true", help="skip the build with the real embedding function")
    parser.add_argument("--scratch", type=Path, default=None, help="folder for the synthetic indexes (default: tmp)")
    args = parser.parse_args()
    settings = Settings()
    ready_index(settings)
    real_store = VectorStore(settings.index)
    real = real_store.collection.get(include=["embeddings", "metadatas", "documents"])
    vectors = [real_store.encode(q) for q in QUERIES]
    scratch = Path(tempfile.mkdtemp(prefix="bench-retrieval-", dir=args.scratch))
    latency_rows, build_rows, base = [], [], None
    try:
        if not args.no_embed_build:
            written, rate = embed_build_rate(settings, real_store, scratch)
            build_rows.append([f"{written:,}", "real embedding function (encode + write)", f"{rate:.1f}"])
        for size in [parse_size(s) for s in args.sizes.split(",")]:
            copies = max(1, round(size / len(real["ids"])))
            sized = settings.index.model_copy(update={"dir": scratch / f"x{copies}"})
            store = VectorStore(sized, embedding=real_store.embedding)
            rate = fill(store, real, copies)
            documents = store.count()
            build_rows.append([f"{documents:,}", "precomputed embeddings (write only)", f"{rate:.0f}"])
            times = measure(store, vectors, args.reps, settings.ranking.candidate_pool)
            base = base or quantile(times["unfiltered"], 0.5)
            rss = psutil.Process().memory_info().rss / 2**30
            for name, values in times.items():
                p50 = quantile(values, 0.5)
                latency_rows.append([f"{documents:,}", name, f"{p50:.0f}", f"{quantile(values, 0.95):.0f}",
                                     f"{p50 / base:.1f}x", f"{rss:.1f}"])
            print(f"done: {documents:,} documents, {rate:.0f} documents/s written; "
                  + "; ".join(f"{row[1]} p50 {row[2]} ms" for row in latency_rows[-len(FILTERS):]), flush=True)
            store.close()  # frees the HNSW index before the next size is loaded
            shutil.rmtree(sized.index_dir, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nSearch latency, {len(QUERIES)} queries x {args.reps} passes per row, 120 resources (<= 360 chunks):\n")
    print(table(["documents", "filter", "p50 ms", "p95 ms", "p50 vs smallest unfiltered", "process RSS GB"],
                latency_rows))
    print("\nIndex build rate:\n")
    print(table(["documents", "how", "documents/s"], build_rows))


if __name__ == "__main__":
    main()
