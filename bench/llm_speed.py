"""LLM speed on this machine: decode tokens/s at batch 1 and 5, five reason-like generations, yes_probability latency.

Run: .venv/bin/python bench/llm_speed.py [--reps 5]
Variants run round-robin within each repetition (other processes share the CPU), and every figure is a median. The
engine is the project's own decoding loop (no lookup guesses here, so tokens/s are comparable) on transformers'
forward (before) or on the lean forward (`assistant/llm/hf/lean.py`); HF `generate()` in fp32 is the reference.
Threads: torch's default pool (2 on this machine), OMP_WAIT_POLICY=PASSIVE.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import torch  # noqa: E402

from assistant.config import PROJECT_ROOT, Settings  # noqa: E402
from assistant.llm.base import GenerationLimits, GenerationRequest  # noqa: E402
from assistant.llm.hf.decode import REPETITION_PENALTY, DecodeBatch, decode  # noqa: E402
from assistant.llm.hf.lean import LeanLlama, has_amx  # noqa: E402
from assistant.llm.hf.model import HFLLM  # noqa: E402
from assistant.llm.hf.prefill import prefill  # noqa: E402
from assistant.llm.prompts import load_prompt  # noqa: E402

STORY = [{"role": "user", "content": "Write a long, detailed story about a dragon who learns to program."}]
SPEED_TOKENS = 64
REASON_TOKENS = 25
LEARNER = ("Wants to learn: Rust, systems programming\nAlready knows: Python\nLevel: beginner\nPrefers: book\n"
           "Language: en\nMinutes per session: 20\nRequest: I'm new to systems programming and want to learn Rust "
           "from a book I can read on my phone, twenty minutes a day.")
TOPICS = ["Rust", "Python", "Git", "JavaScript", "linear regression", "SQL", "Haskell", "C", "Go", "statistics"]


def resource(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (f"Title: {['The', 'Learning', 'Practical', 'Programming in'][i % 4]} {topic} {['Book', 'Course', 'Guide'][i % 3]}"
            f"\nType: {['book', 'course', 'video'][i % 3]}\nTopics: {topic}, programming\nLevel: "
            f"{['beginner', 'intermediate', 'unknown'][i % 3]}\nLanguage: en\nLength: unknown\nAbout: An introduction "
            f"to {topic} that starts from first principles, with exercises after each chapter and worked examples of "
            f"real projects, written for readers who already know another language.")


def reason_conversations() -> list[list[dict[str, str]]]:
    prompt = load_prompt(PROJECT_ROOT / "prompts" / "reason.yaml")
    facts = ["it is about Rust, which you asked for", "it is a book, the format you prefer",
             "it is marked beginner level, matching your level", "it is in English, the language you use"]
    return [prompt.render(facts="\n".join(f"- {f}" for f in facts),
                          title=resource(i * 10).splitlines()[0][7:] + " (second edition, with exercises and projects)",
                          language_name="English") for i in range(5)]


def relevance_conversations(n: int) -> list[list[dict[str, str]]]:
    prompt = load_prompt(PROJECT_ROOT / "prompts" / "relevance.yaml")
    return [prompt.render(learner=LEARNER, resource=resource(i)) for i in range(n)]


class Variant:
    """One way of running the model: HF generate(), or the project's loop on a lean forward with given weights."""

    def __init__(self, name: str, llm: HFLLM, lean: LeanLlama | None):
        self.name, self.llm, self.lean = name, llm, lean

    def generate(self, conversations, limits: GenerationLimits) -> tuple[list[str], int]:
        """Texts and the number of new tokens produced."""
        if self.lean is not None:
            rows = self.llm._rows([GenerationRequest(c) for c in conversations], limits)
            batch = DecodeBatch(self.lean, self.llm.tokenizer, self.llm._eos, draft_tokens=0)
            decode(batch, rows)
            return [batch.text(r).strip() for r in rows], sum(len(r.tokens) for r in rows)
        tok = self.llm.tokenizer
        inputs = tok.pad({"input_ids": self.llm._sequences(conversations)}, return_tensors="pt")
        with torch.inference_mode():
            out = self.llm.model.generate(**inputs, max_new_tokens=limits.max_new_tokens, do_sample=False,
                                          repetition_penalty=REPETITION_PENALTY, pad_token_id=tok.pad_token_id)
        new = out[:, inputs["input_ids"].shape[1]:]
        count = int((new != tok.pad_token_id).sum())
        return [t.strip() for t in tok.batch_decode(new, skip_special_tokens=True)], count

    def yes_latency(self, conversations) -> float:
        sequences = self.llm._sequences(conversations)
        started = time.perf_counter()
        if self.lean is not None:
            prefill(self.lean, sequences, self.llm.tokenizer.pad_token_id)
        else:
            with torch.inference_mode():
                inputs = self.llm.tokenizer.pad({"input_ids": sequences}, return_tensors="pt")
                self.llm.model(**inputs)
        return time.perf_counter() - started


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def build_variants(llm: HFLLM) -> list[Variant]:
    variants = [Variant("HF generate() fp32 (reference)", llm, None),
                Variant("lean forward, fp32 + fp16 for <= 3 rows", llm, LeanLlama(llm.model, half=True, wide=False))]
    if has_amx():
        variants.append(Variant("lean forward, bf16 for every row count (AMX, default)", llm,
                                LeanLlama(llm.model, half=True, wide=True)))
    return variants


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    settings = Settings().with_changes(llm={"adapter": "", "batching": False, "bf16_wide": False})  # keeps fp32
    llm = HFLLM.from_settings(settings.llm, settings.cache_dir)
    variants = build_variants(llm)
    reasons, relevance = reason_conversations(), relevance_conversations(20)
    speed_limits, reason_limits = GenerationLimits(SPEED_TOKENS, 600), GenerationLimits(REASON_TOKENS, 600)
    print(f"load average {os.getloadavg()[0]:.1f}; threads {torch.get_num_threads()}; reason prompts {statistics.mean(map(len, llm._sequences(reasons))):.0f} "
          f"tokens, relevance prompts {statistics.mean(map(len, llm._sequences(relevance))):.0f} tokens", flush=True)
    results: dict[str, dict[str, list[float]]] = {v.name: {} for v in variants}
    texts: dict[str, list[str]] = {}
    for v in variants:  # warm-up; also the texts each variant writes
        texts[v.name] = v.generate(reasons, reason_limits)[0]
    for rep in range(args.reps):
        for v in variants:
            r = results[v.name]
            for batch in (1, 5):
                count: list[int] = []
                seconds = timed(lambda: count.append(v.generate([STORY] * batch, speed_limits)[1]))
                r.setdefault(f"b{batch}", []).append(count[0] / seconds)
            r.setdefault("reasons", []).append(timed(lambda: v.generate(reasons, reason_limits)))
            for n in (10, 20):
                r.setdefault(f"yes{n}", []).append(v.yes_latency(relevance[:n]))
        print(f"rep {rep + 1}/{args.reps} done", flush=True)
    reference = texts[variants[0].name]
    print("\n| variant | tokens/s batch 1 | tokens/s batch 5 (all rows) | 5 reasons x 25 tokens | yes_probability 10 / 20 "
          "| reasons same as fp32 |")
    print("|---|---|---|---|---|---|")
    for v in variants:
        m = {k: statistics.median(x) for k, x in results[v.name].items()}
        same = sum(a == b for a, b in zip(texts[v.name], reference))
        print(f"| {v.name} | {m['b1']:.1f} | {m['b5']:.1f} | {m['reasons']:.2f} s | {m['yes10']:.2f} s / "
              f"{m['yes20']:.2f} s | {same}/5 |")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}\nreasons written by {variants[0].name}:")
    for text in reference:
        print(" -", text)
    for v in variants:
        for text in (t for t, r in zip(texts[v.name], reference) if t != r):
            print(f"   {v.name}: {text}")


if __name__ == "__main__":
    main()
