"""Median time of one turn with the model loaded: until the cards are ranked, and until all reasons are written.

Run: .venv/bin/python bench/turn_latency.py   (uses the default index; build it with `make index`)

Every timed turn asks a message no earlier turn asked (the model drafts from its earlier answers, and a repeated
request would be unfairly fast); the warm-up turns ask others still.
"""

from __future__ import annotations

import re
import statistics
import time
import uuid

from assistant.config import Settings
from assistant.engine import Engine
from assistant.explain.reasons import ReasonStats

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
    "Teach me about neural networks with videos, I have an hour each evening.",
    "有没有讲数据结构的免费课程？",
    "I want to get into web development with Django, I know some Python.",
    "Intermediate material on operating systems, textbooks preferred.",
    "What's a good way to learn statistics for data science on my tablet?",
    "I'd like an interactive tutorial for learning Go.",
    "推荐一些关于算法的视频，我是初学者。",
    "Papers or notes on reinforcement learning, I'm advanced.",
    "How do I learn Excel quickly? Ten minutes a day.",
    "I keep hearing about Markov chains; where do I start?",
    "Beginner-friendly podcasts on cybersecurity?",
    "我想学 C++，我已经会 C 了。",
]


def turn_times(engine: Engine, learner: str, message: str) -> tuple[float, float]:
    """Seconds until the cards, and until the last reason."""
    t0 = time.perf_counter()
    stream = engine.turns.stream(learner, message)
    next(stream)
    cards = time.perf_counter() - t0
    for _ in stream:
        pass
    return cards, time.perf_counter() - t0


def main() -> None:
    variants = {"default (LLM judges the best 10, checked vocabulary, lookup drafts)": Settings(),
                "no LLM relevance (ranking weight llm 0)": Settings().with_changes(ranking={"weights": {"llm": 0.0}}),
                "any token": Settings().with_changes(reason={"vocabulary": False})}
    run = uuid.uuid4().hex[:6]  # fresh learners every run: a stored profile would carry an earlier run's requests
    learners: list[str] = []
    engines = {}
    for n, (name, settings) in enumerate(variants.items()):
        started = time.perf_counter()
        engines[name] = Engine.from_settings(settings)
        print(f"{name}: engine start (index open, LLM loaded) {time.perf_counter() - started:.1f} s")
        for i, message in enumerate(WARMUP):
            learners.append(f"bench-{run}-warmup-{n}-{i}")
            engines[name].turns.turn(learners[-1], message)
        engines[name].turns.reasons.stats = ReasonStats()  # count only the timed turns
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for i, message in enumerate(MESSAGES):  # variants alternate, so all see the same load on the machine
        for n, (name, engine) in enumerate(engines.items()):
            learners.append(f"bench-{run}-{n}-{i}")
            times[name].append(turn_times(engine, learners[-1], message))
    for learner in learners:
        next(iter(engines.values())).learners.forget(learner)
    for name, engine in engines.items():
        cards, full = [c for c, _ in times[name]], [f for _, f in times[name]]
        reasons = [f - c for c, f in times[name]]
        stats = engine.turns.reasons.stats
        print(f"{name}: {len(full)} turns; cards median {statistics.median(cards):.2f} s, p90 "
              f"{statistics.quantiles(cards, n=10)[-1]:.2f} s; full turn median {statistics.median(full):.2f} s, p90 "
              f"{statistics.quantiles(full, n=10)[-1]:.2f} s; reasons add median {statistics.median(reasons):.2f} s, "
              f"p90 {statistics.quantiles(reasons, n=10)[-1]:.2f} s; templated {stats.templated}/{stats.written} "
              f"(retried {stats.retried})")
        by_language = {"Chinese": [r for r, m in zip(reasons, MESSAGES) if re.search(r"[\u4e00-\u9fff]", m)]}
        by_language["English"] = [r for r, m in zip(reasons, MESSAGES) if not re.search(r"[\u4e00-\u9fff]", m)]
        print("    reasons add, median / max: " + "; ".join(
            f"{lang} ({len(t)} turns) {statistics.median(t):.2f} s / {max(t):.2f} s" for lang, t in by_language.items())
            + f"; turns over 2 s: {sum(r > 2.0 for r in reasons)}/{len(reasons)}")
    first = next(iter(times))
    for name in list(times)[1:]:  # paired by message: the same request through each variant
        ratios = [(f - c) / (f0 - c0) for (c, f), (c0, f0) in zip(times[name], times[first]) if f0 - c0 > 0.05]
        print(f"reasons time, {name} / {first}: median ratio {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
