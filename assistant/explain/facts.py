"""Facts in words: each Fact kind rendered in English or Chinese from its values, and nothing else."""

from __future__ import annotations

import re

from assistant.catalog.schema import Resource
from assistant.reply import Fact

LANGUAGE_NAMES = {"en": ("English", "英文"), "zh": ("Chinese", "中文"), "fr": ("French", "法文"),
                  "de": ("German", "德文"), "es": ("Spanish", "西班牙文"), "ja": ("Japanese", "日文")}
FORMAT_NOUNS = {
    "book": ("a book", "书"), "course": ("a course", "课程"), "video": ("a video", "视频"),
    "podcast": ("a podcast", "播客"), "interactive": ("an interactive tutorial", "交互式教程"),
    "paper": ("a paper", "论文"),
}
LEVEL_WORDS = {"beginner": ("beginner", "入门"), "intermediate": ("intermediate", "中级"), "advanced": ("advanced", "高级")}
MODALITY_WORDS = {"audio": ("audio", "音频"), "video": ("video", "视频")}

# (kind, supports, variant) -> (English, Chinese) templates over the fact's values (plus the derived names below).
_TEMPLATES: dict[tuple[str, bool, str], tuple[str, str]] = {
    ("topic", True, "asked"): ("it is about {topic}, which you asked for", "它讲的是你想学的 {topic}"),
    ("topic", True, "inferred"): ("it is filed under {topic}, which matches what you described",
                                  "它属于 {topic}，与你描述的需求相符"),
    ("topic", False, ""): ("it is about {topic}, which you already know", "它讲的是你已经掌握的 {topic}"),
    ("topic", False, "missing"): ("it is not filed under {topic}, which you asked for", "它不属于你想学的 {topic}"),
    ("concept", True, ""): ("it teaches {concept}, the concept you asked about", "它讲解你问到的概念 {concept}"),
    ("prerequisite", True, "target"): ("it teaches {concept}, which you need before {target}",
                                       "它讲解 {concept}，这是学习 {target} 之前需要掌握的"),
    ("prerequisite", True, "why"): ("it teaches {concept}, which you need before {target} ({why})",
                                    "它讲解 {concept}，这是学习 {target} 之前需要掌握的（{why}）"),
    ("prerequisite", True, "gap"): ("it teaches {concept}, which you said you have not learned yet",
                                    "它讲解你说还没掌握的 {concept}"),
    ("format", True, ""): ("it is {format_noun}, the format you prefer", "它是你偏好的形式：{format_noun}"),
    ("format", False, ""): ("it is {format_noun}, a format you wanted to avoid", "它是{format_noun}，是你不想要的形式"),
    ("language", True, ""): ("it is in {language_name}, the language you use", "它是{language_name}资源，与你使用的语言一致"),
    ("language", False, ""): ("it is in {language_name}, not the language you use", "它是{language_name}资源，不是你使用的语言"),
    ("level", True, ""): ("it is marked {level_word} level, matching your level", "它标注为{level_word}水平，与你的水平相符"),
    ("level", False, ""): ("it is marked {level_word} level, far from your {learner_level_word} level",
                       "它标注为{level_word}水平，与你的{learner_level_word}水平相差较大"),
    ("length", True, ""): ("it takes about {minutes} minutes, within your {budget}-minute sessions",
                       "大约需要 {minutes} 分钟，适合你每次 {budget} 分钟的学习时间"),
    ("length", False, ""): ("it takes about {minutes} minutes, much longer than your {budget}-minute sessions",
                        "大约需要 {minutes} 分钟，远超过你每次 {budget} 分钟的学习时间"),
    ("device", True, ""): ("it is {modality_word}, easy to follow on your {device}", "它是{modality_word}，适合在{device_zh}上学习"),
    ("free", True, ""): ("it is free, as you asked", "它是免费的，符合你的要求"),
    ("collaborative", True, ""): ("learners who found {liked} helpful also used it", "觉得《{liked}》有用的学习者也用过它"),
    ("similar_liked", True, ""): ("it is similar to {liked}, which you found helpful", "它和你觉得有用的《{liked}》相似"),
    ("content", True, ""): ("it covers {phrase}, which you mentioned", "它涉及你提到的 {phrase}"),
    ("excluded", False, ""): ("you marked it as {mark}", "你已把它标记为{mark_zh}"),
    # What the catalog record says about the item itself: these set one item apart from the others in a list.
    ("author", True, ""): ("it is made by {authors}", "作者是 {authors}"),
    ("duration", True, ""): ("it takes about {minutes} minutes", "大约需要 {minutes} 分钟"),
    ("marked_level", True, ""): ("it is marked {level_word} level", "它标注为{level_word}水平"),
}
_DEVICE_ZH = {"phone": "手机", "tablet": "平板", "desktop": "电脑"}
_MARK_ZH = {"not for me": "不适合我", "completed": "已完成"}


# Author strings that read as names; anything longer or odder (a sentence, a link) is not told to the learner.
_AUTHORS = re.compile(r"[^\W\d_][\w .,'&()\-]{1,58}[\w.)]")
# A web address among the authors ("freeCodeCamp.org") would read as a link in the reason: that part is left out.
_LINKLIKE = re.compile(r"https?:|www\.|\.(?:com|org|net|io|dev|edu|cn)\b", re.I)


def record_facts(resource: Resource, told: list[Fact]) -> list[Fact]:
    """Facts from the item's own record (author, length, level) that the ranking's facts do not already tell."""
    kinds = {f.kind for f in told}
    facts = []
    names = [a.strip() for a in (resource.authors or "").split(",") if a.strip() and not _LINKLIKE.search(a)]
    authors = ", ".join(names[:2])
    if authors and _AUTHORS.fullmatch(authors):
        facts.append(Fact(kind="author", values={"authors": authors}, learner_specific=False))
    if resource.duration_minutes and "length" not in kinds:
        facts.append(Fact(kind="duration", values={"minutes": resource.duration_minutes}, learner_specific=False))
    if resource.level in LEVEL_WORDS and "level" not in kinds:
        facts.append(Fact(kind="marked_level", values={"level": resource.level}, learner_specific=False))
    return facts


def _names(values: dict) -> dict:
    """The values plus their learner-facing words in both languages (index 0 = English, 1 = Chinese)."""
    names = dict(values)
    lang = values.get("language")
    if lang:
        names["language_name"] = LANGUAGE_NAMES.get(str(lang), (str(lang), str(lang)))
    if values.get("format"):
        names["format_noun"] = FORMAT_NOUNS.get(str(values["format"]), (str(values["format"]),) * 2)
    for key, target in (("level", "level_word"), ("learner_level", "learner_level_word")):
        if values.get(key):
            names[target] = LEVEL_WORDS.get(str(values[key]), (str(values[key]),) * 2)
    if values.get("modality"):
        names["modality_word"] = MODALITY_WORDS.get(str(values["modality"]), (str(values["modality"]),) * 2)
    if values.get("device"):
        names["device_zh"] = _DEVICE_ZH.get(str(values["device"]), str(values["device"]))
    if values.get("mark"):
        names["mark_zh"] = _MARK_ZH.get(str(values["mark"]), str(values["mark"]))
    return names


def _variant(fact: Fact) -> str:
    if fact.kind == "topic":
        return str(fact.values.get("how", "asked" if fact.supports else ""))
    if fact.kind == "prerequisite":
        return "why" if fact.values.get("why") else "target" if fact.values.get("target") else "gap"
    return ""


def fact_words(fact: Fact, language: str = "en") -> dict:
    """The fact's values plus the learner-facing words for them (format noun, level word...) in the language."""
    index = 1 if language == "zh" else 0
    return {k: (v[index] if isinstance(v, tuple) else v) for k, v in _names(fact.values).items()}


def render(fact: Fact, language: str = "en") -> str:
    """The fact as a clause in the learner's language (English for any language without templates)."""
    templates = _TEMPLATES.get((fact.kind, fact.supports, _variant(fact)))
    if templates is None:
        raise KeyError(f"no wording for fact kind {fact.kind!r} (supports={fact.supports}, {_variant(fact)!r})")
    return templates[1 if language == "zh" else 0].format(**fact_words(fact, language))


def render_all(facts: list[Fact], language: str = "en") -> list[str]:
    return [render(f, language) for f in facts]
