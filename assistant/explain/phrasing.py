"""How the tuned model words a reason: the subjects and per-fact predicates its training sentences were built from.

Training writes its target sentences from these (assistant/training/reason_data.py); serving offers them, filled
with each item's facts, as guesses for lookup decoding, since the model's sentences mostly follow them."""

from __future__ import annotations

from assistant.explain.facts import fact_words
from assistant.reply import Fact

# Reason sentences: a subject, then one predicate per fact, each wording only what the fact says.
REASON_SUBJECTS = {"en": ["It", "This resource", "This one", "This"], "zh": ["它", "这份资源", "这个资源"]}
REASON_PREDICATES = {
    "en": {
        "topic": ["is about {topic}, which you asked for", "covers {topic}, the topic you want to learn",
                  "teaches {topic}, just what you asked about"],
        "concept": ["teaches {concept}, the concept you asked about", "explains {concept}, which you asked about"],
        "prerequisite": ["teaches {concept}, which you need before {target}",
                         "covers {concept}, a step you need before {target}"],
        "format": ["is {format_noun}, the format you prefer", "comes as {format_noun}, as you like"],
        "language": ["is in {language_name}, the language you use", "is written in {language_name}, your language"],
        "level": ["is marked {level_word} level, matching your level", "is pitched at the {level_word} level, like you"],
        "length": ["takes about {minutes} minutes, within your {budget}-minute sessions",
                   "fits in your {budget}-minute sessions at about {minutes} minutes"],
        "device": ["is {modality_word}, easy to follow on your {device}", "works well on your {device} as {modality_word}"],
        "free": ["is free, as you asked", "costs nothing, as you wanted: it is free"],
        "collaborative": ["was also used by learners who found {liked} helpful"],
        "similar_liked": ["is similar to {liked}, which you found helpful"],
        "content": ["covers {phrase}, which you mentioned"],
        "author": ["is made by {authors}", "comes from {authors}"],
        "duration": ["takes about {minutes} minutes", "runs about {minutes} minutes"],
        "marked_level": ["is marked {level_word} level", "is pitched at the {level_word} level"],
    },
    "zh": {
        "topic": ["讲的是你想学的 {topic}", "正是关于你要学的 {topic}"],
        "concept": ["讲解你问到的概念 {concept}", "专门讲你问的 {concept}"],
        "prerequisite": ["讲解 {concept}，这是学习 {target} 之前需要掌握的", "先帮你补上学 {target} 前需要的 {concept}"],
        "format": ["是你偏好的{format_noun}", "是{format_noun}，正合你的偏好"],
        "language": ["是{language_name}资源，与你使用的语言一致", "用{language_name}写成，方便你阅读"],
        "level": ["标注为{level_word}水平，与你的水平相符", "是{level_word}水平，适合你"],
        "length": ["大约需要 {minutes} 分钟，适合你每次 {budget} 分钟的学习时间", "约 {minutes} 分钟，放得进你每次 {budget} 分钟的时间"],
        "device": ["是{modality_word}，适合在{device_zh}上学习", "是{modality_word}，方便你用{device_zh}学"],
        "free": ["是免费的，符合你的要求", "免费，正如你要求的"],
        "collaborative": ["也被觉得《{liked}》有用的学习者用过"],
        "similar_liked": ["和你觉得有用的《{liked}》相似"],
        "content": ["涉及你提到的 {phrase}"],
        "author": ["作者是 {authors}", "出自 {authors}"],
        "duration": ["大约需要 {minutes} 分钟", "约 {minutes} 分钟"],
        "marked_level": ["标注为{level_word}水平", "是{level_word}水平的"],
    },
}


def phrasings(facts: list[Fact], language: str) -> list[str]:
    """Every way the training sentences put these facts: each subject and joiner before each predicate."""
    bank = REASON_PREDICATES["zh" if language == "zh" else "en"]
    subjects = REASON_SUBJECTS["zh" if language == "zh" else "en"]
    joiners = ["，", "，而且"] if language == "zh" else [", and it ", "; it ", "; and it "]
    texts = []
    for fact in facts:
        for predicate in bank.get(fact.kind, []) if fact.supports else []:
            try:
                filled = predicate.format(**fact_words(fact, language))
            except (KeyError, IndexError):  # a fact without the value this wording needs
                continue
            space = "" if language == "zh" else " "
            texts += [f"{subject}{space}{filled}" for subject in subjects] + [f"{j}{filled}" for j in joiners]
    return texts
