"""The faithfulness check: a reason may say only what its facts and the resource's catalog record say.

A reason is rejected when it names a format, level, language, topic, number, link or name that the facts and the
record do not support, praises without grounds, speaks as someone other than the assistant, is not in the learner's
language, is unfinished, repeats itself or strays into words neither its facts nor the words joining them use, or
uses none of the learner-specific facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain

from assistant.catalog.schema import Resource
from assistant.locale import LOCALES, Locale, locale
from assistant.reply import Fact

_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|org|net|io|dev|edu|cn)\b", re.I)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_SPELLED = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
                      r"forty|fifty|sixty|hundred|thousand|dozens?)\b", re.I)
_CHATTY = re.compile(r"as an ai|i'?m sorry|i cannot|i can'?t|language model|sorry|抱歉|对不起|作为(?:一个)?AI", re.I)
SENTENCE_ENDS = ".!?。！？"
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|my|me|mine|we|our|us)\b|我", re.I)
# Praise and claims the catalog never records: the small base model adds these freely.
_PRAISE = re.compile(
    r"\b(comprehensive|perfect(?:ly)?|best|excellent|great|amazing|awesome|popular|highly[- ]rated|in-depth|"
    r"thorough|complete|acclaimed|renowned|famous|award\w*|step-by-step|hands-on|practical|must-read|classic|"
    r"essential|definitive|ultimate|top|favou?rite|engaging|fun|easy|clear|well[- ]written|updated|latest|"
    r"exercises|projects?|quizz?e?s?|certificates?)\b|最好|完美|全面|经典|权威|热门|畅销|必读|有趣|简单易懂", re.I)
_FORMAT_WORDS = {
    "book": r"\bbooks?\b|\be-?books?\b|\btextbooks?\b|书", "video": r"\bvideos?\b|\bscreencasts?\b|视频",
    "course": r"\bcourses?\b|\bmoocs?\b|课程", "podcast": r"\bpodcasts?\b|\bepisodes?\b|播客",
    "interactive": r"\binteractive\b|\btutorials?\b|交互", "paper": r"\bpapers?\b|论文",
}
_LEVEL_WORDS = {"beginner": r"\bbeginners?\b|\bintroductory\b|入门|初学", "intermediate": r"\bintermediate\b|中级",
                "advanced": r"\badvanced\b|\bexpert\b|高级|进阶"}
_LANGUAGE_WORDS = {"en": r"\benglish\b|英文|英语", "zh": r"\bchinese\b|中文|汉语", "fr": r"\bfrench\b|法语",
                   "de": r"\bgerman\b|德语", "es": r"\bspanish\b|西班牙语", "ja": r"\bjapanese\b|日语"}
# "pitched at X" / "marked X" state a level: the small model sometimes puts an author or a topic there.
_LEVEL_CLAIM = re.compile(r"\b(?:pitched at|(?:is|are|was) marked)\s+(?:(?:as|at)\s+)?(?:(?:the|an?)\s+)?"
                          r"(?!(?:the|an?|as|at)\b)([\w'-]+)", re.I)
_LEVEL_CLAIM_OK = frozenset({"beginner", "beginners", "introductory", "intermediate", "advanced", "expert", "your",
                             "right", "same"})
# "This teaches English" turns the language a resource is written in into its subject.
_LANGUAGE_AS_SUBJECT = re.compile(r"\b(?:teach(?:es)?|covers?|is (?:all )?about|introduces)\s+(?:the\s+)?"
                                  r"(english|chinese|mandarin|french|german|spanish|japanese)\b", re.I)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z+#]*(?:\s+[A-Z][a-zA-Z+#]*)*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Claims about where or how the learner studies, and about price: they need a fact (or, for price, the record).
_DEVICE = re.compile(r"\b(?:phones?|mobile|smartphones?|computers?|laptops?|desktops?|tablets?|commute|on the go)\b|"
                     r"手机|电脑|平板|通勤", re.I)
_AUTHOR = re.compile(r"\b(?:written|authored|created|made) by\b|\bby you\b|作者", re.I)
_FREE = re.compile(r"\bfree\b|costs? nothing|no cost|without paying|免费|不花钱", re.I)
_ALWAYS_OK = {"you", "your", "it", "this", "the", "a", "an", "and", "learn", "learning"}
_TO_LEARNER = re.compile(r"\byou(?:r|'re|'ll|'d)?\b|你", re.I)
_WORDS = re.compile(r"[a-z0-9+#]+|[\u4e00-\u9fff]", re.I)
# Words that join facts into a sentence (the wording of the facts themselves is added below): an English reason may
# use these and the words of its facts and record, nothing else. The small model otherwise fills sentences with
# claims no check can list in advance ("as a solution to your issue", "released at the end of the year").
_GLUE = frozenset("""
about after again all already also and any are ask asked available because been before both but can comes concept
cost costs could cover covers described does each easy every explain explains filed first fit fits fitting follow
for format found free from good had has have help helpful helps here its just know known language learn learned
learners learning level like liked made marked match matched matches matching mentioned might minute minutes more
much need needed needs next not nothing one only part pitched prefer preferred resource right run runs said session
sessions should similar since step study suit suited suits take takes teach teaches than that the their them then
there these this those time topic under use used uses want wanted wants was way well were what when where which
while why will with within work works would written yet you your yours yourself
""".split())

# The same for a reason in an unspaced language (Chinese), which has no spaces to find its words by: each run of
# Chinese characters must split into pieces of its facts and record, the joining phrases the adapter was trained on
# (the locale's reason phrasings, or two or more characters of one), and the locale's function characters. Catches
# invented content ("正合你的健康") and mashed phrases ("是先如").
_ZH_RUN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class _Glue:
    phrases: tuple[str, ...]  # the pieces of the reason phrasings between their slots and marks
    function: frozenset[str]  # single characters any reason may use
    characters: frozenset[str]  # every character a reason may be decoded from besides its facts


def _glue(table: Locale) -> _Glue:
    texts = [*table.reason_subjects, *table.reason_joiners, *chain(*table.reason_predicates.values())]
    phrases = tuple(dict.fromkeys(piece for text in texts for piece in re.split(r"\{\w+\}|[，。：\s]", text) if piece))
    function = frozenset(table.function_characters)
    return _Glue(phrases, function, function | set("".join(phrases)))


_GLUE_OF = {code: _glue(table) for code, table in LOCALES.items() if not table.spaced}


def _unspaced_pieces(nameable: str, glue: _Glue) -> Callable[[str], bool]:
    """Whether a piece of Chinese text may stand in a reason: copied from the facts or record, two or more
    characters of a joining phrase, or one function character."""
    return lambda piece: (piece in nameable or (len(piece) == 1 and piece in glue.function)
                          or (len(piece) > 1 and any(piece in phrase for phrase in glue.phrases)))


def _unsplittable(run: str, allowed: Callable[[str], bool]) -> str:
    """The part of a run of Chinese characters after the longest prefix that splits into allowed pieces ('' = all)."""
    reach = [True] + [False] * len(run)
    for end in range(1, len(run) + 1):
        reach[end] = any(reach[start] and allowed(run[start:end]) for start in range(end))
    if reach[-1]:
        return ""
    furthest = max(i for i, ok in enumerate(reach) if ok)
    return run[furthest:furthest + 2]


_SHORT = ("a", "an", "as", "at", "be", "by", "do", "if", "in", "is", "it", "no", "of", "on", "or", "so", "to", "up",
          "'s", "'re", "'ll")
_MARKS = tuple(".,;:!?-()'\"") + tuple("，。；、：！？（）")


def _known(word: str, allowed: set[str]) -> bool:
    """The word or its singular/plural is allowed."""
    return (word in allowed or f"{word}s" in allowed or f"{word}es" in allowed
            or (word.endswith("s") and (word[:-1] in allowed or word[:-2] in allowed)))


@dataclass(frozen=True)
class Evidence:
    """What a reason about one resource may rest on: the rendered facts, the facts' values and the record."""

    facts: list[str]
    resource: Resource
    language: str = "en"
    values: list[Fact] = field(default_factory=list)

    @property
    def grounded_text(self) -> str:
        """What claims may rest on: the facts and the record's fields, not its title (titles can carry any text)."""
        r = self.resource
        return " ".join(self.facts + [*r.topics, r.resource_type.replace("_", " ")]).lower()

    @property
    def nameable_text(self) -> str:
        """What a reason may name or quote: the grounded text plus the title and section."""
        return f"{self.grounded_text} {self.resource.title} {self.resource.section or ''}".lower()

    def ungrounded_words(self, text: str) -> list[str]:
        """English words and Chinese characters of the text that neither join facts nor come from the facts or record."""
        nameable = self.nameable_text
        allowed = _GLUE | set(re.findall(r"[a-z]+", nameable))
        words = [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and not _known(w, allowed)]
        allowed_cjk = _unspaced_pieces(nameable, _GLUE_OF.get(self.language, _GLUE_OF["zh"]))
        return words + [piece for run in _ZH_RUN.findall(text) if (piece := _unsplittable(run, allowed_cjk))]

    def vocabulary(self) -> list[str]:
        """What a reason may be spelled from, for decoding limited to it: the facts, record and title, their words
        (and plurals), the joining words or characters and punctuation. The check still reads every reason."""
        r = self.resource
        texts = [*self.facts, *r.topics, r.resource_type.replace("_", " "), r.title, r.section or ""]
        words = {w for text in texts for w in re.findall(r"[^\W_]+|[+#]+", text)}
        glue = _GLUE_OF[self.language].characters if self.language in _GLUE_OF else _GLUE
        characters = _CJK.findall(" ".join(texts))  # a Chinese word's characters may be used one by one
        return [*texts, *words, *(f"{w}s" for w in words if w.isascii()), *characters, *glue, *_SHORT, *_MARKS]

    def learner_markers(self) -> list[str]:
        """Words that show a reason used a learner-specific fact (a topic, a format, a length...)."""
        values: list[str] = []
        for fact in self.values:
            if fact.supports and fact.learner_specific:
                values += [str(v) for k, v in fact.values.items() if k not in ("how", "why") and str(v).strip()]
        words = list(values)
        for table in LOCALES.values():  # a format or level may be named in any language
            for names in (table.format_nouns, table.language_names, table.level_words):
                words += [names[v] for v in values if v in names]
        return [w.lower().removeprefix("a ").removeprefix("an ") for w in words if w.strip()]

    def names_a_learner_fact(self, text: str) -> bool:
        """Whether the text names one of the learner-specific facts (True when there is none to name)."""
        markers, lowered = self.learner_markers(), text.lower()
        return not markers or any(_contains(lowered, m) for m in markers)

    def topics(self, topics_in: Callable[[str], list[str]]) -> set[str]:
        """The topics the facts and the record name, as the matcher spells them ("AI" -> Artificial Intelligence)."""
        r = self.resource
        return {t.lower() for t in topics_in(" ".join([*self.facts, *r.topics, r.title, r.section or ""]))}


def _contains(lowered: str, marker: str) -> bool:
    """A short marker ("AI", "OS", "15") counts only as a word of its own: inside "mail" or "150" it is not named."""
    if len(marker) >= 3 or _CJK.search(marker):
        return marker in lowered
    return re.search(rf"(?<![a-z0-9]){re.escape(marker)}(?![a-z0-9])", lowered) is not None


# Problems that more text cannot undo once the words that caused them are written: a draft showing one is ended.
_LASTING = ("mentions a link", "numbers not in the facts", "not a reason", "repeats itself", "claims not in the facts",
            "format not in the record", "level not in the record", "calls the language", "calls something a level", "language not in the record",
            "device or setting", "says who made it", "says it is free", "words not in the facts", "names not in the facts")
# A draft's unfinished last word: any run of letters, digits or marks not yet ended by a space or a CJK character.
_OPEN_WORD = re.compile(r"[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*$")


def _mentioned(patterns: dict[str, str], text: str) -> set[str]:
    return {key for key, pattern in patterns.items() if re.search(pattern, text, re.I)}


def problems(reason: str, evidence: Evidence, topics_in: Callable[[str], list[str]] | None = None) -> list[str]:
    """Why a reason cannot be shown (empty list = acceptable)."""
    text = reason.strip()
    if not text:
        return ["empty"]
    issues: list[str] = []
    grounded = evidence.grounded_text
    nameable = evidence.nameable_text
    resource = evidence.resource
    spaced = locale(evidence.language).spaced
    if len(text) > (320 if spaced else 160):
        issues.append("too long")
    if spaced == bool(_CJK.search(text)):
        issues.append(f"not written in the learner's language ({evidence.language})")
    if any(m.group(0).lower() not in nameable for m in _URL.finditer(text)):  # "Boot.dev" may be an author's name
        issues.append("mentions a link")
    stray = [n for n in _DIGITS.findall(text) if n not in nameable] + \
            [w for w in _SPELLED.findall(text) if w.lower() not in nameable]
    if stray:
        issues.append(f"numbers not in the facts: {', '.join(stray)}")
    if _CHATTY.search(text):
        issues.append("not a reason")
    # Names the facts give ("Michael I Jordan", "My Lesson") are not the first person.
    names = [str(f.values["authors"]) for f in evidence.values if f.kind == "author"]
    unnamed = re.sub("|".join(map(re.escape, names)), "", text) if names else text
    if _FIRST_PERSON.search(unnamed):
        issues.append("speaks as the learner or the assistant, not to the learner")
    if not _TO_LEARNER.search(text):
        issues.append("does not speak to the learner")
    if text[-1] not in SENTENCE_ENDS:
        issues.append("unfinished sentence")
    words = _WORDS.findall(text.lower())
    grams = [tuple(words[i:i + 4]) for i in range(len(words) - 3)]
    if len(set(grams)) < len(grams):
        issues.append("repeats itself")
    title_words = set(_WORDS.findall(resource.title.lower()))
    if words and sum(w in title_words for w in words) / len(words) > 0.6:
        issues.append("mostly repeats the title")
    claims = [m.group(0) for m in _PRAISE.finditer(text) if m.group(0).lower() not in grounded]
    if claims:
        issues.append(f"claims not in the facts: {', '.join(claims)}")
    for what, patterns, recorded in (("format", _FORMAT_WORDS, resource.formats), ("level", _LEVEL_WORDS, {resource.level}),
                                      ("language", _LANGUAGE_WORDS, {resource.language})):
        wrong = [key for key in _mentioned(patterns, text)
                 if key not in recorded and not re.search(patterns[key], grounded, re.I)]
        if wrong:
            issues.append(f"{what} not in the record: {', '.join(sorted(wrong))}")
    subjects = [m.group(1) for m in _LANGUAGE_AS_SUBJECT.finditer(text)
                if not any(m.group(1).lower() in t.lower() for t in resource.topics)]
    if subjects:
        issues.append(f"calls the language it is written in its subject: {', '.join(subjects)}")
    not_levels = [m.group(1) for m in _LEVEL_CLAIM.finditer(text) if m.group(1).lower() not in _LEVEL_CLAIM_OK]
    if not_levels:
        issues.append(f"calls something a level that is not one: {', '.join(not_levels)}")
    devices = [m.group(0) for m in _DEVICE.finditer(text) if m.group(0).lower() not in grounded]
    if devices:
        issues.append(f"device or setting not in the facts: {', '.join(devices)}")
    if _AUTHOR.search(text) and not _AUTHOR.search(grounded):
        issues.append("says who made it, which the facts do not")
    if _FREE.search(text) and resource.free is not True and not _FREE.search(grounded):
        issues.append("says it is free, which the record does not say")
    foreign = evidence.ungrounded_words(text)
    if foreign:
        issues.append(f"words not in the facts: {', '.join(dict.fromkeys(foreign))}")
    if topics_in is not None:
        foreign = [t for t in topics_in(text) if t.lower() not in nameable]
        if foreign:  # only then read the facts for topics (a matcher pass costs a few ms)
            named = evidence.topics(topics_in)
            foreign = [t for t in foreign if t.lower() not in named]
        if foreign:
            issues.append(f"topics not in the facts: {', '.join(foreign)}")
    names = [m.group(0) for m in _NAME.finditer(text)
             if m.group(0).lower() not in nameable and m.group(0).lower() not in _ALWAYS_OK
             and m.start() > 0 and not re.search(r"[.!?:]\s*$", text[: m.start()])]
    if names:
        issues.append(f"names not in the facts: {', '.join(names)}")
    if not evidence.names_a_learner_fact(text):
        issues.append("uses none of the learner-specific facts")
    return issues


def lasting_problems(partial: str, evidence: Evidence) -> list[str]:
    """Problems of a draft still being written that no continuation can repair (its last, open word is not read)."""
    # Read as clean_draft will: one line, no opening quote (a quote would make the first word look like a name).
    text = " ".join(_OPEN_WORD.sub("", partial.replace("\ufffd", "")).split()).lstrip("\"' ")
    spaced = locale(evidence.language).spaced
    if not spaced:  # the Chinese run being written may still grow into a joining phrase
        text = re.sub(r"[\u4e00-\u9fff]+$", "", text)
    if not text:
        return []
    found = [p for p in problems(text, evidence) if p.startswith(_LASTING)]
    if spaced and _CJK.search(text):  # an English reason never loses the Chinese it has written
        found.append(f"not written in the learner's language ({evidence.language})")
    return found
