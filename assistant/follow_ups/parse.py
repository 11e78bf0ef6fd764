"""Follow-up questions about the last answer, in English and Chinese.

"why this one?" / "why number 2?" and "why not <title or number>?" are answered from the same facts and profile;
"something shorter", "more advanced", "easier" change the profile relative to what was just shown, then re-rank
("in Chinese" needs nothing here: the rule extractor already reads a language request).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Literal

from assistant.catalog.schema import Resource
from assistant.profile.schema import LEVEL_ORDER, LearnerProfile, ProfileDelta

_ORDINALS = {"first": 1, "top": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1,
             "第一": 1, "第二": 2, "第三": 3, "第四": 4, "第五": 5, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_NUMBER = re.compile(r"(?:number|no\.?|#|item|第)\s*(\d+)|\b(\d+)\b|(first|second|third|fourth|fifth|top|last)"
                     r"|第([一二三四五])", re.I)
_WHY_NOT = re.compile(r"\bwhy (?:not|no|isn'?t|aren'?t|didn'?t you (?:recommend|suggest|include|pick|show))\b\s*(?P<what>.*)"
                      r"|为什么不(?:推荐|包括|选)?(?P<zh>.*)", re.I)
_WHY = re.compile(r"^\s*(?:and\s+)?why\b|why (?:this|that|these|it|did you (?:pick|choose|recommend|suggest))|为什么(?:推荐|选)?",
                  re.I)
_SHORTER = re.compile(r"\bshorter\b|\bless time\b|\bquicker\b|\btoo long\b|\bsomething short\b|短一点|更短|时间短", re.I)
_HARDER = re.compile(r"\bmore advanced\b|\bharder\b|\bmore challenging\b|\btoo (?:easy|basic)\b|\bnext level\b|"
                     r"难一点|更难|更高级|更进阶|太简单", re.I)
_EASIER = re.compile(r"\beasier\b|\bsimpler\b|\bmore basic\b|\btoo (?:hard|advanced|difficult)\b|\bgentler\b|"
                     r"简单一点|容易一点|更基础|太难", re.I)

Kind = Literal["why", "why_not", "shorter", "harder", "easier"]


@dataclass(frozen=True)
class FollowUp:
    kind: Kind
    rank: int | None = None  # "why number 2": 1-based; -1 = the last one
    title: str | None = None  # "why not Automate the Boring Stuff"


def _rank(text: str) -> int | None:
    match = _NUMBER.search(text)
    if not match:
        return None
    digits = match.group(1) or match.group(2)
    if digits:
        return int(digits)
    word = (match.group(3) or match.group(4) or "").lower()
    return _ORDINALS.get(word) or _ORDINALS.get(f"第{word}")


def parse(message: str) -> FollowUp | None:
    """The follow-up this message asks, or None for an ordinary request."""
    text = message.strip()
    why_not = _WHY_NOT.search(text)
    if why_not:
        what = (why_not.group("what") or why_not.group("zh") or "").strip(" ?？。.!\"'“”")
        rank = _rank(what) if len(what) <= 14 else None
        return FollowUp("why_not", rank=rank, title=None if rank else (what or None))
    if _WHY.search(text) and len(text) <= 80:
        return FollowUp("why", rank=_rank(text) or 1)
    for pattern, kind in ((_SHORTER, "shorter"), (_HARDER, "harder"), (_EASIER, "easier")):
        if pattern.search(text):
            return FollowUp(kind)
    return None


def _shift(level: str, step: int) -> str:
    if level not in LEVEL_ORDER:
        return "intermediate" if step > 0 else "beginner"
    return LEVEL_ORDER[max(0, min(len(LEVEL_ORDER) - 1, LEVEL_ORDER.index(level) + step))]


def adjustment(follow_up: FollowUp, profile: LearnerProfile, shown: list[Resource]) -> ProfileDelta:
    """The profile change a relative request means, measured against what was just shown."""
    if follow_up.kind == "shorter":
        lengths = [r.duration_minutes for r in shown if r.duration_minutes]
        current = profile.time_budget_minutes or (statistics.median(lengths) if lengths else 60)
        return ProfileDelta(time_budget_minutes=max(5, int(current // 2)))
    if follow_up.kind in ("harder", "easier"):
        step = 1 if follow_up.kind == "harder" else -1
        levels = [LEVEL_ORDER.index(r.level) for r in shown if r.level in LEVEL_ORDER]
        base = profile.level if profile.level in LEVEL_ORDER else (
            LEVEL_ORDER[round(statistics.median(levels))] if levels else "unknown")
        return ProfileDelta(level=_shift(base, step))
    return ProfileDelta()
