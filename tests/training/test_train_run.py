"""A tiny real LoRA run on the real base model: a loadable adapter that names its base, and a resumable run."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

from assistant.llm.hf.loader import resolve_model_dir
from assistant.llm.hf.lora import TrainSettings, train
from assistant.training.examples import read_jsonl

TINY = TrainSettings(steps=2, batch_size=2, warmup_steps=1, max_length=220, checkpoint_every=1)


def test_a_few_steps_give_a_loadable_adapter_that_names_the_base_model(small_data, tmp_path: Path):
    base_dir = Path(resolve_model_dir("", Path(".cache/models"), "float32"))
    out = tmp_path / "adapter"
    examples = read_jsonl(small_data / "train.jsonl")[:6]
    run = train(examples, out, base_dir, TINY)
    assert run["steps"] == 2 and len(run["losses"]) == 2

    config = json.loads((out / "adapter_config.json").read_text())
    assert "SmolLM2-135M-Instruct" in config["base_model_name_or_path"]
    weights = load_file(out / "adapter_model.safetensors")
    assert any("lora_B" in k and v.abs().sum() > 0 for k, v in weights.items())  # B starts at zero: it was trained
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32), out)
    assert model.peft_config["default"].r == TINY.rank

    resumed = train(examples, out, base_dir, TrainSettings(**{**TINY.__dict__, "steps": 3}), resume=True)
    assert resumed["steps"] == 3 and resumed["losses"][:2] == run["losses"]
