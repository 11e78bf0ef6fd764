"""The in-process backend: transformers on local weights, the project's own decoding loop, LoRA merge and training."""

from assistant.llm.hf.loader import ModelNotFoundError
from assistant.llm.hf.model import HFLLM

__all__ = ["HFLLM", "ModelNotFoundError"]
