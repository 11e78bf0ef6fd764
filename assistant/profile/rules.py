"""Deterministic extraction of what a message states outright: formats, level, language, minutes, device.

English and Chinese. A slot is filled only when the words say it; otherwise it stays None (unknown).
"""

from __future__ import annotations

import re

from assistant.profile.schema import ProfileDelta

_FORMAT_WORDS: dict[str, str] = {
    r"books?|e-?books?|reading|read a lot|textbooks?|書|书籍?|电子书|教程书": "book",
    r"video(?:s| courses?| lectures?| tutorials?)?|watching|watch|screencasts?|youtube|视频|影片": "video",
    r"courses?|moocs?|classes|课程|网课|公开课": "course",
    r"podcasts?|listen(?:ing)?|audio|播客|音频": "podcast",
    r"interactive|hands[- ]on|in the browser|practi[sc]e|exercises|write code|coding exercises|playground|交互|互动|动手|练习": "interactive",
    r"papers?|论文": "paper",
}
_NEGATION = r"(?:not|no|don'?t (?:like|want)|hate|without|avoid|never|instead of|rather than|over|不要|不想|别|不喜欢|讨厌)"

_LEVELS: list[tuple[str, str]] = [
    (r"graduate[- ]level|advanced|expert|experienced|senior|deep dive|in[- ]depth|professional|高级|进阶|资深|深入", "advanced"),
    (r"intermediate|some experience|familiar with|know (?:some|the basics)|有一定基础|中级", "intermediate"),
    (r"beginner|new to|never (?:programmed|coded|learned|used)|total novice|novice|from scratch|just start|get started|"
     r"getting started|no experience|basics|first time|入门|零基础|初学|新手|小白|从头", "beginner"),
]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LANG_REQUEST = [(r"in chinese|chinese[- ]language|中文|汉语|普通话", "zh"), (r"in english|english[- ]language|英文|英语", "en")]

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "fifteen": 15,
                 "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60, "ninety": 90,
                 "一": 1, "两": 2, "二": 2, "三": 3, "半": 0.5}
_MINUTES = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty(?:-five)?|sixty|ninety|half an?|[一两二三半])"
    r"\s*(?:个)?\s*(?P<unit>minutes?|mins?|hours?|hrs?|h\b|分钟|小时|钟头)",
    re.I,
)
_HALF_HOUR = re.compile(r"half an? hour|半小时|半个小时|半个钟头", re.I)

_DEVICES = [(r"\b(?:phone|mobile|smartphone|iphone|android phone|on the go)\b|手机", "phone"),
            (r"\b(?:tablet|ipad)\b|平板", "tablet"),
            (r"\b(?:laptop|desktop|computer|pc)\b|电脑|笔记本", "desktop")]
_FREE = re.compile(r"\bfree\b|no money|can'?t pay|免费", re.I)


def detect_language(text: str) -> str:
    """zh when the text is written in Chinese characters, else en (the catalog's two languages)."""
    return "zh" if len(_CJK.findall(text)) >= 2 else "en"


def _formats(text: str) -> tuple[list[str], list[str]]:
    liked: list[str] = []
    disliked: list[str] = []
    for pattern, fmt in _FORMAT_WORDS.items():
        for match in re.finditer(rf"(?<![a-z])(?:{pattern})(?![a-z])", text, re.I):
            before = text[max(0, match.start() - 24):match.start()].lower()
            negated = re.search(rf"(?<![a-z]){_NEGATION}(?![a-z])[^.,;!?，。；！？]*$", before)
            # "X over Y" / "X rather than Y": Y is the one not wanted.
            target = disliked if negated else liked
            if fmt not in target:
                target.append(fmt)
    liked = [f for f in liked if f not in disliked]
    # "video courses" is a wish for videos, not for the course format as such.
    if "video" in liked and "course" in liked and re.search(r"video (?:courses?|lectures?)", text, re.I):
        liked.remove("course")
    return liked, disliked


def _level(text: str) -> str | None:
    for pattern, level in _LEVELS:
        if re.search(rf"(?<![a-z])(?:{pattern})", text, re.I):
            return level
    return None


def _minutes(text: str) -> int | None:
    if _HALF_HOUR.search(text):
        return 30
    match = _MINUTES.search(text)
    if not match:
        return None
    raw = match.group("num").lower()
    value = float(raw) if re.match(r"\d", raw) else 0.5 if raw.startswith("half") else _NUMBER_WORDS.get(raw, 1)
    unit = match.group("unit").lower()
    minutes = value * 60 if unit.startswith(("h", "小", "钟")) else value
    return int(round(minutes)) if 1 <= minutes <= 24 * 60 else None


def extract(message: str, topic_matcher=None) -> ProfileDelta:
    """The slots this message states outright; topics come from the catalog vocabulary when a matcher is given."""
    liked, disliked = _formats(message)
    language = next((lang for pattern, lang in _LANG_REQUEST if re.search(pattern, message, re.I)), None)
    device = next((dev for pattern, dev in _DEVICES if re.search(pattern, message, re.I)), None)
    return ProfileDelta(
        topics=topic_matcher(message) if topic_matcher else [],
        level=_level(message),
        formats_liked=liked,
        formats_disliked=disliked,
        time_budget_minutes=_minutes(message),
        device=device,
        language=language or detect_language(message),
        free_only=True if _FREE.search(message) else None,
    )
