"""`assistant train --build-data`: all three tasks in both languages, split by topic, deterministic given the seed."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.llm.prompts import load_prompts
from assistant.training.examples import TASKS, Example, write_jsonl
from assistant.training.messages import Composer
from assistant.training.pool import SPLITS, load_training_catalog
from assistant.training.profile_data import profile_example
from assistant.training.reason_data import ReasonBuilder
from assistant.training.relevance_data import RelevanceBuilder

# The variables each prompt gets from the training code: the same as serving passes.
PROMPT_VARIABLES = {"profile": {"history", "message"}, "relevance": {"learner", "resource"},
                    "reason": {"facts", "title", "language_name"}}


@dataclass(frozen=True)
class DataSizes:
    """Examples per task and split (a relevance pair counts two); Chinese gets `zh_share` of each."""

    train: dict[str, int] = field(default_factory=lambda: {"profile": 8000, "relevance": 3600, "reason": 2400})
    heldout: dict[str, int] = field(default_factory=lambda: {"profile": 300, "relevance": 300, "reason": 200})
    zh_share: float = 0.4

    def per_language(self, split: str, task: str) -> dict[str, int]:
        total = getattr(self, split)[task]
        zh = round(total * self.zh_share)
        return {"en": total - zh, "zh": zh}


def _generate(task: str, split: str, language: str, count: int, seed: int, catalog, prompts, progress) -> list[Example]:
    """`count` examples from an rng of their own, so changing one task's size leaves the others identical."""
    rng = random.Random(f"{seed}/{task}/{split}/{language}")
    pool = catalog.splits[split]
    composer = Composer(pool, rng)
    relevance = RelevanceBuilder(composer, prompts["relevance"])
    reasons = ReasonBuilder(pool, prompts["reason"], rng)
    examples: list[Example] = []
    while len(examples) < count:
        if task == "profile":
            made = [profile_example(composer, prompts["profile"], language)]
        elif task == "relevance":
            made = relevance.pair(language)
        else:
            made = [e for e in [reasons.example(language)] if e is not None]
        made = made[: count - len(examples)]
        examples += made
        progress.update(len(made))
    return examples


def build_data(out: Path, seed: int, sources_dir: Path, prompts_dir: Path, sizes: DataSizes = DataSizes()) -> dict:
    """Write train.jsonl, heldout.jsonl and manifest.json (counts, seed, held-out topics) into `out`."""
    catalog = load_training_catalog(sources_dir, seed)
    prompts = load_prompts(prompts_dir, PROMPT_VARIABLES)
    total = sum(sum(getattr(sizes, split).values()) for split in SPLITS)
    by_split: dict[str, list[Example]] = {}
    with tqdm(total=total, desc="building examples", unit="ex") as progress:
        for split in SPLITS:
            examples: list[Example] = []
            for task in TASKS:
                for language, count in sizes.per_language(split, task).items():
                    examples += _generate(task, split, language, count, seed, catalog, prompts, progress)
            random.Random(f"{seed}/{split}/order").shuffle(examples)
            by_split[split] = examples
            write_jsonl(out / f"{split}.jsonl", examples)
    counts = {split: {f"{t}/{lang}": n for (t, lang), n in sorted(Counter((e.task, e.language) for e in ex).items())}
              for split, ex in by_split.items()}
    manifest = {"seed": seed, "counts": counts, "heldout_topics": sorted(catalog.heldout_topics)}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest
