"""The LLM: one interface (`base.LLM`), a backend per folder or file, and the one place that picks the backend."""

from __future__ import annotations

from pathlib import Path

from assistant.llm.base import LLM, Capability, GenerationLimits, GenerationRequest, LLMInfo, Message

__all__ = ["LLM", "Capability", "GenerationLimits", "GenerationRequest", "LLMInfo", "Message", "build_llm"]


def build_llm(settings, cache_dir: Path) -> LLM:
    """The backend `settings.backend` names (an `LLMSettings`), loaded from local files only."""
    match settings.backend:
        case "hf":
            from assistant.llm.hf import HFLLM  # imports torch: only the backend that needs it pays for it

            return HFLLM.from_settings(settings, cache_dir)
        case "openai":
            from assistant.llm.openai_http import OpenAILLM

            return OpenAILLM(settings)
        case "fake":
            from assistant.llm.fake import FakeLLM

            return FakeLLM()
    raise ValueError(f"unknown LLM backend {settings.backend!r}")
