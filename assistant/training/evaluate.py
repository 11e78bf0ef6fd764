"""`assistant train --eval`: the base model and base + adapter on the held-out split and the dev dialogues."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from assistant.config import PROJECT_ROOT, LLMSettings
from assistant.explain.reasons import clean_draft as clean_reason  # the trimming serving applies before its check
from assistant.llm import LLM, GenerationLimits, GenerationRequest, Message, build_llm
from assistant.llm.prompts import load_prompts
from assistant.profile import rules
from assistant.profile.schema import LearnerProfile, ProfileDelta
from assistant.tasks.render import dialogue_inputs
from assistant.training.examples import Example, read_jsonl
from assistant.training.metrics import auc, dev_profile_accuracy, faithful, parse_delta, slot_accuracy
from assistant.training.model_card import write_model_card

DEFAULT_DEV = PROJECT_ROOT.parent / "shared" / "data" / "eval" / "dev_dialogues.jsonl"
_BATCH = 8
_MAX_NEW = {"profile": 64, "reason": 48}  # reason: Settings.max_new_tokens, as served
_LATENCY_SAMPLES = 2  # batch-1 generations timed per generative task
_SCORER_VERSION = "serving hf backend, fp16 decode"  # part of the base-score cache key: change it, rescore
_NO_TIME_LIMIT = 600.0  # evaluation measures what the model writes, not what a deadline would cut


@dataclass
class Runner:
    """One model as serving loads it (base, or base with the adapter merged in), in length-sorted batches."""

    llm: LLM

    def _batches(self, conversations: list[list[Message]], desc: str | None) -> Iterator[list[int]]:
        order = sorted(range(len(conversations)), key=lambda i: len(str(conversations[i])))
        for start in tqdm(range(0, len(order), _BATCH), desc=desc, unit="batch", disable=desc is None):
            yield order[start:start + _BATCH]

    def generate(self, conversations: list[list[Message]], max_new_tokens: int, desc: str | None = None) -> list[str]:
        """Greedy answers, returned in input order, decoded exactly as serving decodes them."""
        answers: list[str] = [""] * len(conversations)
        limits = GenerationLimits(max_new_tokens, max_time_s=_NO_TIME_LIMIT)
        for chunk in self._batches(conversations, desc):
            for i, text in zip(chunk, self.llm.generate([GenerationRequest(conversations[i]) for i in chunk], limits)):
                answers[i] = text
        return answers

    def latency(self, conversations: list[list[Message]], max_new_tokens: int) -> float:
        """Mean seconds for one answer generated alone (what one learner waits for)."""
        started = time.perf_counter()
        for conversation in conversations:
            self.generate([conversation], max_new_tokens)
        return (time.perf_counter() - started) / max(1, len(conversations))

    def p_yes(self, conversations: list[list[Message]]) -> list[float]:
        """P(yes) of the first answer token, as the serving ranker reads it."""
        scores: list[float] = [0.0] * len(conversations)
        for chunk in self._batches(conversations, "relevance"):
            for i, p in zip(chunk, self.llm.yes_probability([conversations[i] for i in chunk])):
                scores[i] = p
        return scores


def load_runner(base_dir: Path, adapter_dir: Path | None, serving: LLMSettings | None = None) -> Runner:
    """The model as `serving` (the configured LLM settings: precision, decoding) serves it, on this base and adapter."""
    settings = (serving or LLMSettings()).model_copy(update={
        "backend": "hf", "model": str(base_dir), "adapter": str(adapter_dir.resolve()) if adapter_dir else "",
        "batching": False})
    llm = build_llm(settings, Path(base_dir).parent)
    info = llm.describe()
    if adapter_dir is not None and info.adapter is None:
        raise SystemExit(f"error: {info.adapter_error}")  # evaluating the base model twice would mislead
    return Runner(llm)


def _pick(examples: list[Example], task: str, limit: int | None) -> list[Example]:
    chosen = [e for e in examples if e.task == task]
    return chosen[:limit] if limit else chosen


def heldout_metrics(runner: Runner, examples: list[Example], limit: int | None) -> tuple[dict, dict]:
    profile, relevance, reason = (_pick(examples, t, limit) for t in ("profile", "relevance", "reason"))
    metrics: dict[str, float] = {}
    samples: dict[str, list] = {}

    answers = runner.generate([e.messages for e in profile], _MAX_NEW["profile"], "profile")
    deltas = [parse_delta(a) for a in answers]
    metrics["json_validity"] = sum(d is not None for d in deltas) / max(1, len(deltas))
    scores = slot_accuracy([(d, ProfileDelta.model_validate_json(e.answer)) for d, e in zip(deltas, profile)])
    metrics["slot_accuracy"] = scores.pop("all")
    metrics.update({f"slot_accuracy/{slot}": value for slot, value in scores.items()})
    samples["profile"] = [{"message": e.meta["message"], "target": e.answer, "answer": a} for e, a in zip(profile[:5], answers)]

    p_yes = runner.p_yes([e.messages for e in relevance])
    labels = [e.answer == "yes" for e in relevance]
    metrics["relevance_auc"] = auc(p_yes, labels)
    metrics["relevance_accuracy"] = sum((p >= 0.5) == y for p, y in zip(p_yes, labels)) / max(1, len(labels))

    drafts = [clean_reason(a) for a in runner.generate([e.messages for e in reason], _MAX_NEW["reason"], "reason")]
    ok = [faithful(d, e.meta) for d, e in zip(drafts, reason)]
    metrics["reason_faithfulness"] = sum(ok) / max(1, len(ok))
    samples["reason"] = [{"facts": e.meta["facts"], "answer": d, "passes": k} for e, d, k in zip(reason[:5], drafts, ok)]

    metrics["latency_s/profile"] = runner.latency([e.messages for e in profile[:_LATENCY_SAMPLES]], _MAX_NEW["profile"])
    metrics["latency_s/reason"] = runner.latency([e.messages for e in reason[:_LATENCY_SAMPLES]], _MAX_NEW["reason"])
    return metrics, samples


def _dev_profiles(dialogues: list[dict], extract) -> tuple[list[LearnerProfile], int, int]:
    """Each dialogue read turn by turn, every delta merged; `extract` answers one batch of (history, message)."""
    profiles = [LearnerProfile(learner_id=d["id"]) for d in dialogues]
    valid = total = 0
    for turn in range(max(len(d["turns"]) for d in dialogues)):
        active = [i for i, d in enumerate(dialogues) if turn < len(d["turns"])]
        deltas = extract([(dialogues[i]["turns"][:turn], dialogues[i]["turns"][turn]) for i in active])
        for i, delta in zip(active, deltas):
            total += 1
            valid += delta is not None
            profiles[i] = profiles[i].merge(delta or ProfileDelta())
    return profiles, valid, total


def dev_metrics(runner: Runner | None, dialogues: list[dict], prompt) -> dict:
    """Profile slots on the dev dialogues; runner None = the rule extractor, for reference."""
    if runner is None:
        def extract(batch):
            return [rules.extract(message) for _, message in batch]
    else:
        def extract(batch):
            conversations = [prompt.render(**dialogue_inputs(history, message)) for history, message in batch]
            return [parse_delta(a) for a in runner.generate(conversations, _MAX_NEW["profile"], "dev turn")]
    profiles, valid, total = _dev_profiles(dialogues, extract)
    scores = dev_profile_accuracy(profiles, [d.get("expected_profile", {}) for d in dialogues])
    metrics = {"json_validity": valid / max(1, total)} if runner is not None else {}
    metrics["slot_accuracy"] = scores.pop("all")
    metrics.update({f"slot_accuracy/{slot}": value for slot, value in scores.items()})
    return metrics


def _pairs(results: dict[str, dict]) -> dict:
    """{metric: {variant: value}} from {variant: {metric: value}}."""
    names = list(dict.fromkeys(name for metrics in results.values() for name in metrics))
    return {name: {variant: metrics.get(name) for variant, metrics in results.items()} for name in names}


def _plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [("heldout", "json_validity"), ("heldout", "slot_accuracy"), ("heldout", "relevance_auc"),
             ("heldout", "reason_faithfulness"), ("dev", "json_validity"), ("dev", "slot_accuracy")]
    labels = [f"{split}\n{name.replace('_', ' ')}" for split, name in names]
    fig, ax = plt.subplots(figsize=(10, 4))
    for offset, variant in ((-0.2, "base"), (0.2, "adapter")):
        values = [summary[split][name][variant] or 0.0 for split, name in names]
        ax.bar([i + offset for i in range(len(names))], values, width=0.4, label=variant)
    ax.set_xticks(range(len(names)), labels, fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_title("SmolLM2-135M-Instruct: base vs LoRA adapter")
    ax.legend(loc="upper right", ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _print(summary: dict) -> None:
    table = Table(title="base vs adapter")
    for column in ("split", "metric", "base", "adapter", "rules"):
        table.add_column(column)
    for split in ("heldout", "dev"):
        for name, values in summary[split].items():
            cells = [values.get(v) for v in ("base", "adapter", "rules")]
            table.add_row(split, name, *("" if c is None or (isinstance(c, float) and math.isnan(c)) else f"{c:.3f}" for c in cells))
    Console().print(table)


def _inputs_key(*parts) -> str:
    """A fingerprint of everything the base model's scores depend on."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path) and part.is_dir():
            for file in sorted(part.glob("*.yaml")) + sorted(part.glob("*.json")):
                digest.update(file.read_bytes())
        elif isinstance(part, Path) and part.is_file():
            digest.update(part.read_bytes())
        else:
            digest.update(str(part).encode())
    return digest.hexdigest()


def evaluate(adapter_dir: Path | None, data_dir: Path, base_dir: Path, prompts_dir: Path, limit: int | None,
             dev_path: Path | None, report_path: Path, serving: LLMSettings | None = None) -> dict:
    """Score both variants, write the report JSON + PNG, store the summary beside the adapter and refresh its card.
    `serving` is how the model runs (the configured LLM settings); the base model's scores are cached per setting."""
    heldout = read_jsonl(data_dir / "heldout.jsonl")
    dev_path = dev_path or DEFAULT_DEV
    dialogues = [json.loads(line) for line in dev_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    prompt = load_prompts(prompts_dir)["profile"]
    results: dict[str, dict] = {"heldout": {}, "dev": {"rules": dev_metrics(None, dialogues, prompt)}}
    samples = {}
    # The base model's scores depend only on the inputs: kept beside the report, they are computed once.
    base_cache = report_path.with_name("base_eval.json")
    key = _inputs_key(data_dir / "heldout.jsonl", dev_path, prompts_dir, Path(base_dir), limit, _SCORER_VERSION,
                      (serving or LLMSettings()).model_dump_json(include={"fp16_decode", "bf16_wide", "dtype"}))
    cached = json.loads(base_cache.read_text(encoding="utf-8")) if base_cache.is_file() else {}
    for variant in ("base", "adapter") if adapter_dir else ("base",):
        if variant == "base" and cached.get("key") == key:
            results["heldout"]["base"], results["dev"]["base"], samples["base"] = cached["results"]
            continue
        runner = load_runner(base_dir, adapter_dir if variant == "adapter" else None, serving)
        results["heldout"][variant], samples[variant] = heldout_metrics(runner, heldout, limit)
        results["dev"][variant] = dev_metrics(runner, dialogues, prompt)
        if variant == "base":
            base_cache.parent.mkdir(parents=True, exist_ok=True)
            entry = {"key": key, "results": [results["heldout"]["base"], results["dev"]["base"], samples["base"]]}
            base_cache.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    if adapter_dir is None:
        return results
    n = {t: len(_pick(heldout, t, limit)) for t in ("profile", "relevance", "reason")}
    n["dev_dialogues"] = len(dialogues)
    summary = {"heldout": _pairs(results["heldout"]), "dev": _pairs(results["dev"]), "n": n}
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report = {"adapter": str(adapter_dir), "base_model": Path(base_dir).name, **summary, "samples": samples}
    report_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    _plot(summary, report_path.with_suffix(".png"))
    (adapter_dir / "eval_summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if (adapter_dir / "training_run.json").is_file():
        write_model_card(adapter_dir)
    _print(summary)
    return report
