"""Conversational learning assistant."""

import os

# Nothing in this package may fetch weights at run time: make a stray hub call fail fast instead of hanging.
for _var, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # OpenMP threads otherwise spin while they wait: beside another busy process on 2 cores a 3 s turn took ~60 s.
    # Read when torch first starts its thread pool, so it is set here, before anything imports torch.
    "OMP_WAIT_POLICY": "PASSIVE",
}.items():
    os.environ.setdefault(_var, _value)

__version__ = "0.1.0"


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each busy thread its own heap, which keeps freed memory: with 50 learners' threads the server's
    peak RSS was 2.14 GB, with two heaps 1.91-1.99 GB at the same throughput. (A fixed mmap threshold saved another
    0.19 GB but made P(yes) 1.4x slower: bench/README.md, Load.)"""
    if "MALLOC_ARENA_MAX" in os.environ or not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc (musl, ...): its allocator does not grow heaps per thread
        pass


_limit_malloc_arenas()
