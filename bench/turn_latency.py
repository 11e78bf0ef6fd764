"""Median time of one turn with the model loaded: until the cards are ranked, and until all reasons are written.

Run: .venv/bin/python bench/turn_latency.py [--reps 5]   (uses the default index; build it with `make index`)
"""

from __future__ import annotations

import argparse
import statistics
import time

from assistant.config import Settings
from assistant.engine import Engine

MESSAGES = [
    "I'm new to programming and want to learn Rust. Books please.",
    "Any podcasts about JavaScript?",
    "I need to really understand linear regression for my statistics class.",
    "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    engine = Engine.from_settings(Settings())
    print(f"engine start (index open, LLM loaded): {time.perf_counter() - started:.1f} s")
    engine.turn("bench-warmup", MESSAGES[0])
    cards, full = [], []
    for rep in range(args.reps):
        for i, message in enumerate(MESSAGES):
            t0 = time.perf_counter()
            stream = engine.stream_turn(f"bench-{rep}-{i}", message)
            next(stream)
            cards.append(time.perf_counter() - t0)
            for _ in stream:
                pass
            full.append(time.perf_counter() - t0)
    print(f"turns: {len(full)}; cards ready median {statistics.median(cards):.2f} s, "
          f"p90 {statistics.quantiles(cards, n=10)[-1]:.2f} s; full turn median {statistics.median(full):.2f} s, "
          f"p90 {statistics.quantiles(full, n=10)[-1]:.2f} s")
    stats = engine.reasons.stats
    print(f"reasons replaced by templates: {stats.templated}/{stats.written} (retried {stats.retried})")


if __name__ == "__main__":
    main()
