"""LoRA training of the in-process model on CPU: a plain torch loop over length-grouped batches, loss on the answer
tokens, resumable. The examples come from assistant/training/ (prompt messages and the answer to learn)."""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import load_file, save_file
from tqdm import tqdm
from transformers import AutoModelForCausalLM, AutoTokenizer

from assistant.llm.base import Message

ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
_GROUP = 32  # batches per length-sorting window: enough to pad little, small enough to keep tasks mixed


@dataclass(frozen=True)
class TrainSettings:
    steps: int = 900
    batch_size: int = 8
    learning_rate: float = 1e-3
    warmup_steps: int = 10
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.0  # 0 = no extra copy of every LoRA input: measurably faster on this CPU
    target_modules: tuple[str, ...] = ALL_LINEAR
    top_layers: int | None = None  # LoRA only in the top N layers: backward stops there (cheaper, learns slower)
    max_length: int = 384
    dtype: str = "float32"
    checkpoint_every: int = 10
    seed: int = 0
    max_minutes: float | None = None  # stop (and save) when the wall-time budget is spent, whatever `steps` says


class Supervised(Protocol):
    """One training example: the prompt as serving renders it, and the answer to learn."""

    messages: list[Message]
    answer: str


@dataclass
class Encoded:
    input_ids: list[int]
    answer_start: int  # tokens before this index are the prompt (no loss)


def encode(tokenizer, example: Supervised) -> Encoded:
    """Prompt as serving renders it (chat template + generation prompt), then the answer and the end-of-turn token."""
    prompt = tokenizer.apply_chat_template(example.messages, add_generation_prompt=True, tokenize=False)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(example.answer + tokenizer.eos_token, add_special_tokens=False)["input_ids"]
    return Encoded(prompt_ids + answer_ids, len(prompt_ids))


def batch_order(lengths: list[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """One epoch of batches: shuffled, sorted by length within windows so each batch pads to a similar length."""
    rng = random.Random(f"{seed}/epoch/{epoch}")
    indices = list(range(len(lengths)))
    rng.shuffle(indices)
    batches = []
    window = batch_size * _GROUP
    for start in range(0, len(indices), window):
        chunk = sorted(indices[start:start + window], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(items: list[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded to the longest item of this batch (not a fixed length: that cut a step from ~12 s to ~3 s)."""
    width = max(len(e.input_ids) for e in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    labels = torch.full((len(items), width), -100, dtype=torch.long)
    for row, item in enumerate(items):
        n = len(item.input_ids)
        ids[row, :n] = torch.tensor(item.input_ids)
        mask[row, :n] = 1
        labels[row, item.answer_start:n] = ids[row, item.answer_start:n]
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def answer_loss(model: PeftModel, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean over examples of each example's mean answer-token loss.

    Per example, so a one-token "yes" weighs as much as a 40-token JSON answer; the vocabulary projection runs
    only on answer positions, which saves a large share of the compute on prompts of ~200 tokens.
    """
    causal_lm = model.get_base_model()
    hidden = causal_lm.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    targets = batch["labels"][:, 1:]
    selected = targets != -100
    logits = causal_lm.lm_head(hidden[:, :-1][selected]).float()
    token_loss = torch.nn.functional.cross_entropy(logits, targets[selected], reduction="none")
    rows = selected.nonzero()[:, 0]
    per_example = torch.zeros(targets.shape[0]).index_add_(0, rows, token_loss)
    counts = torch.zeros(targets.shape[0]).index_add_(0, rows, torch.ones_like(token_loss))
    return (per_example / counts.clamp(min=1)).mean()


def learning_rate(settings: TrainSettings, step: int, elapsed_s: float) -> float:
    """Linear warm-up, then cosine down to 10 %; with a time budget, progress is whichever of steps or time is further."""
    if step < settings.warmup_steps:
        return settings.learning_rate * (step + 1) / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(1, settings.steps - settings.warmup_steps)
    if settings.max_minutes:
        progress = max(progress, elapsed_s / (settings.max_minutes * 60))
    return settings.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _save_adapter(model: PeftModel, out: Path, base_name: str) -> None:
    """adapter_config.json + adapter_model.safetensors in fp16 (half the size; loading casts back)."""
    model.save_pretrained(out)
    weights = out / "adapter_model.safetensors"
    save_file({k: v.to(torch.float16).contiguous() for k, v in load_file(weights).items()}, weights)
    config_path = out / "adapter_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base_name  # not the local cache path of whoever trained it
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def _checkpoint(model, optimizer, state: dict, folder: Path) -> None:
    """Written beside, then renamed: an interrupted save never replaces the last good checkpoint."""
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    torch.save({"optimizer": optimizer.state_dict(), **state}, tmp / "state.pt")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def train(examples: Sequence[Supervised], out: Path, base_dir: Path, settings: TrainSettings,
          resume: bool = False) -> dict:
    """Train (or resume) an adapter into `out`; returns the run record also written to `out/training_run.json`."""
    torch.manual_seed(settings.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    encoded = [encode(tokenizer, e) for e in examples]
    kept = [e for e in encoded if len(e.input_ids) <= settings.max_length]
    lengths = [len(e.input_ids) for e in kept]

    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=getattr(torch, settings.dtype))
    checkpoint = out / "checkpoint"
    state: dict = {"step": 0, "elapsed_s": 0.0, "losses": []}
    if resume and (checkpoint / "state.pt").is_file():
        model = PeftModel.from_pretrained(base, checkpoint, is_trainable=True)
        saved = torch.load(checkpoint / "state.pt", weights_only=False)
        state = {k: saved[k] for k in state}
    else:
        depth = base.config.num_hidden_layers
        layers = list(range(depth - settings.top_layers, depth)) if settings.top_layers else None
        lora = LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                          target_modules=list(settings.target_modules), layers_to_transform=layers,
                          task_type="CAUSAL_LM")
        model = get_peft_model(base, lora)
        saved = None
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=settings.learning_rate,
                                  weight_decay=0.0)
    if saved is not None:
        optimizer.load_state_dict(saved["optimizer"])
    model.train()

    per_epoch = math.ceil(len(kept) / settings.batch_size)
    step = state["step"]
    progress = tqdm(total=settings.steps, initial=step, desc="training", unit="step")
    started = time.perf_counter() - state["elapsed_s"]
    orders: dict[int, list[list[int]]] = {}
    budget_s = settings.max_minutes * 60 if settings.max_minutes else math.inf
    while step < settings.steps and state["elapsed_s"] < budget_s:
        epoch = step // per_epoch
        if epoch not in orders:
            orders[epoch] = batch_order(lengths, settings.batch_size, settings.seed, epoch)
        batch_ids = orders[epoch][step % per_epoch]
        batch = collate([kept[i] for i in batch_ids], tokenizer.pad_token_id)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(settings, step, state["elapsed_s"])
        loss = answer_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        state["losses"].append(round(loss.item(), 4))
        state["step"], state["elapsed_s"] = step, time.perf_counter() - started
        recent = state["losses"][-20:]
        progress.set_postfix(loss=f"{sum(recent) / len(recent):.3f}", width=batch["input_ids"].shape[1])
        progress.update(1)
        if step % settings.checkpoint_every == 0 and step < settings.steps:
            _checkpoint(model, optimizer, state, checkpoint)
    progress.close()
    _checkpoint(model, optimizer, state, checkpoint)  # a finished run can be extended: --resume with more --steps

    _save_adapter(model, out, Path(base_dir).name)
    run = {
        "settings": {**asdict(settings), "target_modules": list(settings.target_modules)},
        "base_model": Path(base_dir).name,
        "examples": len(kept), "dropped_too_long": len(encoded) - len(kept),
        "epochs": round(step / per_epoch, 2), "steps": step, "stopped_by_time_budget": step < settings.steps,
        "wall_time_s": round(state["elapsed_s"], 1), "s_per_step": round(state["elapsed_s"] / max(1, step), 2),
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "loss_first_20": round(sum(state["losses"][:20]) / max(1, len(state["losses"][:20])), 4),
        "loss_last_20": round(sum(state["losses"][-20:]) / max(1, len(state["losses"][-20:])), 4),
        "losses": state["losses"],
    }
    (out / "training_run.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    return run
