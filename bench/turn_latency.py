"""Median time of one turn with the model loaded: until the cards are ranked, and until all reasons are written.

Run: .venv/bin/python bench/turn_latency.py   (uses the default index; build it with `make index`)

Every timed turn asks a message no earlier turn asked (the model drafts from its earlier answers, and a repeated
request would be unfairly fast); the warm-up turns ask others still.
"""

from __future__ import annotations

import statistics
import time

from assistant.config import Settings
from assistant.engine import Engine

WARMUP = [
    "Recommend a course on Docker for beginners.",
    "我想学 Python，有没有免费的视频？",
    "What should I read to understand Bayes' rule?",
]
MESSAGES = [
    "I'm new to programming and want to learn Rust. Books please.",
    "Any podcasts about JavaScript?",
    "I need to really understand linear regression for my statistics class.",
    "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。",
    "I have 15 minutes a day on my phone and want to learn SQL.",
    "Something advanced on compilers, please, I already know C.",
    "I want to learn Haskell from a free book.",
    "请推荐一些关于机器学习的中文课程。",
    "Videos about React for someone who knows JavaScript.",
    "I never understood eigenvalues; what should I study first?",
    "Short tutorials on Kubernetes, I'm a beginner.",
    "我想提高 Java 水平，有进阶的书吗？",
]


def turn_times(engine: Engine, learner: str, message: str) -> tuple[float, float]:
    """Seconds until the cards, and until the last reason."""
    t0 = time.perf_counter()
    stream = engine.stream_turn(learner, message)
    next(stream)
    cards = time.perf_counter() - t0
    for _ in stream:
        pass
    return cards, time.perf_counter() - t0


def main() -> None:
    variants = {"lookup drafts (default)": Settings(), "one token per step": Settings(llm_draft_tokens=0)}
    engines = {}
    for name, settings in variants.items():
        started = time.perf_counter()
        engines[name] = Engine.from_settings(settings)
        print(f"{name}: engine start (index open, LLM loaded) {time.perf_counter() - started:.1f} s")
        for i, message in enumerate(WARMUP):
            engines[name].turn(f"bench-warmup-{name.split()[0]}-{i}", message)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for i, message in enumerate(MESSAGES):  # variants alternate, so both see the same load on the machine
        for name, engine in engines.items():
            times[name].append(turn_times(engine, f"bench-{name.split()[0]}-{i}", message))
    for name, engine in engines.items():
        cards, full = [c for c, _ in times[name]], [f for _, f in times[name]]
        reasons = [f - c for c, f in times[name]]
        stats = engine.reasons.stats
        print(f"{name}: {len(full)} turns; cards median {statistics.median(cards):.2f} s, p90 "
              f"{statistics.quantiles(cards, n=10)[-1]:.2f} s; full turn median {statistics.median(full):.2f} s, p90 "
              f"{statistics.quantiles(full, n=10)[-1]:.2f} s; reasons add median {statistics.median(reasons):.2f} s, "
              f"p90 {statistics.quantiles(reasons, n=10)[-1]:.2f} s; templated {stats.templated}/{stats.written} "
              f"(retried {stats.retried})")


if __name__ == "__main__":
    main()
