"""LoRA adapters: a good one is merged (different logits), a broken one is reported and the base model is served."""

import shutil
from pathlib import Path

import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

from assistant.llm.hf.prefill import prefill
from assistant.llm.hf.model import HFLLM

PROMPT = [{"role": "user", "content": "Recommend a book about Rust."}]
LORA = dict(r=2, target_modules=["q_proj", "v_proj"], init_lora_weights=False)  # random A and B: a visible change


@pytest.fixture(scope="module")
def base(llm) -> HFLLM:
    return HFLLM(llm.name, adapter=None)


@pytest.fixture(scope="module")
def adapters(llm, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("adapters")
    torch.manual_seed(0)
    get_peft_model(AutoModelForCausalLM.from_pretrained(llm.name), LoraConfig(**LORA)).save_pretrained(root / "good")
    small = LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                        num_key_value_heads=2, vocab_size=llm.model.config.vocab_size)
    get_peft_model(LlamaForCausalLM(small), LoraConfig(**LORA)).save_pretrained(root / "wrong_shapes")
    shutil.copytree(root / "good", root / "bad_json")
    (root / "bad_json" / "adapter_config.json").write_text("{not json", encoding="utf-8")
    shutil.copytree(root / "good", root / "truncated")
    weights = root / "truncated" / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    return {name: root / name for name in ("good", "wrong_shapes", "bad_json", "truncated")} | {"missing": root / "none"}


def last_logits(llm: HFLLM) -> torch.Tensor:
    hidden = prefill(llm.lean, llm._sequences([PROMPT]), llm.tokenizer.pad_token_id).hidden
    return llm.lean.head(hidden)[0]


def test_the_shipped_adapter_is_served_by_default(llm):
    assert llm.adapter is not None and llm.adapter.endswith("smollm2-135m-assistant") and llm.adapter_error is None


def test_without_an_adapter_the_base_model_is_served(base):
    assert base.adapter is None and base.adapter_error is None


def test_a_lora_adapter_is_merged_into_the_weights(base, adapters):
    tuned = HFLLM(base.name, adapter=adapters["good"])
    assert tuned.adapter == str(adapters["good"]) and tuned.adapter_error is None
    assert not any("lora" in name for name, _ in tuned.model.named_modules())  # merged: no adapter layers left
    assert (last_logits(tuned) - last_logits(base)).abs().max() > 1e-2


@pytest.mark.parametrize("broken", ["wrong_shapes", "bad_json", "truncated", "missing"])
def test_a_broken_adapter_is_reported_and_the_base_model_served(base, adapters, broken, caplog):
    fallback = HFLLM(base.name, adapter=adapters[broken])
    assert fallback.adapter is None and str(adapters[broken]) in fallback.adapter_error
    assert "adapter not used" in caplog.text
    assert torch.allclose(last_logits(fallback), last_logits(base), atol=1e-4)


def test_settings_name_the_adapter(settings, adapters):
    tuned = HFLLM.from_settings(settings.with_changes(llm={"adapter": str(adapters["good"])}).llm, settings.cache_dir)
    assert tuned.adapter == str(adapters["good"])
