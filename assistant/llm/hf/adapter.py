"""LoRA adapters (peft): loaded on the base model and merged into its weights, so serving pays nothing for them."""

from __future__ import annotations

from pathlib import Path

from transformers import PreTrainedModel


class AdapterError(RuntimeError):
    """An adapter that cannot be used; the message names the folder and the problem."""


def merge_adapter(model: PreTrainedModel, adapter_dir: Path) -> PreTrainedModel:
    """The model with the adapter merged in. After an AdapterError the model may hold half-injected layers: reload it."""
    from peft import PeftModel  # imported here: only operators who configure an adapter pay for importing peft

    if not (adapter_dir / "adapter_config.json").is_file():
        raise AdapterError(f"{adapter_dir}: no adapter_config.json there")
    try:
        return PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    except Exception as exc:  # bad JSON, truncated safetensors, wrong shapes or modules: each raises its own type
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise AdapterError(f"{adapter_dir}: {type(exc).__name__}: {reason}") from exc
