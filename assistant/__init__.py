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


MMAP_THRESHOLD = 1 << 20  # bytes: the decode steps' tensors stay below it, prompt-wide passes go above


def _tune_malloc(arenas: int = 2, mmap_threshold: int = MMAP_THRESHOLD) -> None:
    """glibc's heap keeps what a busy server frees. Each busy thread gets a heap of its own (with 50 learners' threads
    peak RSS was 2.14 GB, with two heaps 1.91-1.99 GB); and once a large tensor is freed glibc raises its mmap threshold
    to that size, so later prompt-wide tensors come from a heap that never shrinks. A fixed threshold returns them."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        if "MALLOC_ARENA_MAX" not in os.environ:
            libc.mallopt(-8, arenas)  # M_ARENA_MAX
        if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
            libc.mallopt(-3, mmap_threshold)  # M_MMAP_THRESHOLD (fixed: glibc no longer raises it)
    except (OSError, AttributeError):  # not glibc (musl, ...): its allocator does not grow heaps per thread
        pass


_tune_malloc()
