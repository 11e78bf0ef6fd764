"""LLM speed on this machine: decode tokens/s at batch 1 and 5, five reason-like generations, yes_probability latency.

Run: .venv/bin/python bench/llm_speed.py [--reps 5] [--all]
Variants run round-robin within each repetition (other processes share the CPU), and every figure is a median.
`--all` adds options measured and not kept (int8 dynamic quantisation, static cache); bf16 is left out because it is
5-20x slower than fp32 on this CPU (no native bf16 matmul) and would dominate the run.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time
import warnings
from collections.abc import Callable

import torch

from assistant.config import PROJECT_ROOT, Settings
from assistant.llm.base import GenerationLimits
from assistant.llm.hf.decode import REPETITION_PENALTY, GreedyDecoder, prefill
from assistant.llm.hf.half import use_half_gemv
from assistant.llm.hf.model import HFLLM
from assistant.llm.prompts import load_prompt

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
    """One way of running the model: a decode function over (conversations, limits) and the model it uses."""

    def __init__(self, name: str, llm: HFLLM, model, use_loop: bool, threads: int = 0, cache: str | None = None):
        self.name, self.llm, self.model, self.use_loop, self.threads, self.cache = name, llm, model, use_loop, threads, cache

    def generate(self, conversations, limits: GenerationLimits) -> tuple[list[str], int]:
        """Texts and the number of new tokens produced."""
        sequences = self.llm._sequences(conversations)
        if self.use_loop:
            decoder = GreedyDecoder(self.model, self.llm.tokenizer, sequences, limits, draft_tokens=0)
            for _ in decoder.steps():
                pass
            return [decoder.text(r).strip() for r in range(len(sequences))], sum(map(len, decoder.tokens))
        tok = self.llm.tokenizer
        inputs = tok.pad({"input_ids": sequences}, return_tensors="pt")
        with torch.inference_mode():
            out = self.model.generate(**inputs, max_new_tokens=limits.max_new_tokens, do_sample=False,
                                      repetition_penalty=REPETITION_PENALTY, pad_token_id=tok.pad_token_id,
                                      cache_implementation=self.cache)
        new = out[:, inputs["input_ids"].shape[1]:]
        count = int((new != tok.pad_token_id).sum())
        return [t.strip() for t in tok.batch_decode(new, skip_special_tokens=True)], count

    def yes_latency(self, conversations, shared_prefix: bool = True) -> float:
        sequences = self.llm._sequences(conversations)
        started = time.perf_counter()
        prefill(self.model, sequences, self.llm.tokenizer.pad_token_id, min_shared=16 if shared_prefix else 10**9)
        return time.perf_counter() - started


def timed(variant: Variant, run: Callable[[], object]) -> float:
    previous = torch.get_num_threads()
    if variant.threads:
        torch.set_num_threads(variant.threads)
    try:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started
    finally:
        torch.set_num_threads(previous)


def build_variants(llm: HFLLM, everything: bool) -> list[Variant]:
    plain = llm.model
    half = copy.deepcopy(plain)
    use_half_gemv(half)
    variants = [Variant("generate() fp32 (before)", llm, plain, False), Variant("loop fp32", llm, plain, True),
                Variant("loop + fp16 decode weights (kept)", llm, half, True),
                Variant("loop + fp16 decode weights, 1 thread", llm, half, True, threads=1)]
    if everything:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated but still ships in torch 2.13
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            int8 = copy.deepcopy(plain)
            int8.model = quantize_dynamic(int8.model, {torch.nn.Linear: per_channel_dynamic_qconfig})
        variants += [
            Variant("loop + int8 dynamic (layers)", llm, int8, True),
            Variant("generate() static cache", llm, plain, False, cache="static"),
        ]
    return variants


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also the options that were measured and not kept")
    args = parser.parse_args()
    settings = Settings().with_changes(llm={"fp16_decode": False, "adapter": ""})
    llm = HFLLM.from_settings(settings.llm, settings.cache_dir)
    variants = build_variants(llm, args.all)
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
                seconds = timed(v, lambda: count.append(v.generate([STORY] * batch, speed_limits)[1]))
                r.setdefault(f"b{batch}", []).append(count[0] / seconds)
            r.setdefault("reasons", []).append(timed(v, lambda: v.generate(reasons, reason_limits)))
            for n in (10, 20):
                r.setdefault(f"yes{n}", []).append(timed(v, lambda: v.yes_latency(relevance[:n])))
            if v.name.endswith("(kept)"):
                for n in (10, 20):
                    r.setdefault(f"yes{n}-noshare", []).append(timed(v, lambda: v.yes_latency(relevance[:n], False)))
        print(f"rep {rep + 1}/{args.reps} done", flush=True)
    reference = texts["loop fp32"]
    print("\n| variant | tokens/s batch 1 | tokens/s batch 5 (all rows) | 5 reasons x 25 tokens | yes_probability 10 / 20 "
          "| reasons same as fp32 |")
    print("|---|---|---|---|---|---|")
    for v in variants:
        m = {k: statistics.median(x) for k, x in results[v.name].items()}
        same = sum(a == b for a, b in zip(texts[v.name], reference))
        print(f"| {v.name} | {m['b1']:.1f} | {m['b5']:.1f} | {m['reasons']:.2f} s | {m['yes10']:.2f} s / "
              f"{m['yes20']:.2f} s | {same}/5 |")
        if "yes10-noshare" in m:
            print(f"| ... yes_probability without the shared-prefix cache | | | | {m['yes10-noshare']:.2f} s / "
                  f"{m['yes20-noshare']:.2f} s | |")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}\nreasons written with fp32 weights:")
    for text in reference:
        print(" -", text)
    for v in variants:
        for text in (t for t, r in zip(texts[v.name], reference) if t != r):
            print(f"   {v.name}: {text}")


if __name__ == "__main__":
    main()
