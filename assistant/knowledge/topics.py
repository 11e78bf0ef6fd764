"""The catalog's topic vocabulary, and finding those topics in a learner's words (English and Chinese)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

from assistant.catalog.schema import Resource

# Headings that name a section of a list, not something a learner studies.
_GENERIC = {"language agnostic", "misc", "other", "others", "general", "tools", "resources", "index", "miscellaneous",
            "free", "books", "courses", "podcasts", "screencasts", "introduction", "learning", "programming",
            "0 - meta-lists", "meta-lists", "mooc", "0 - mooc", "references", "reference", "theory", "basics",
            "tutorials", "exercises", "beginner", "advanced", "course", "book", "video", "videos", "guide", "other topics",
            "其它", "其他"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PARTS = re.compile(r"\s*[/()]\s*")  # between the parts of a composite heading ("PCA (proof)" has no slash: one name)
_EVERYDAY_PARTS = {"harbour", "clipper"}  # parts of composite headings that are mostly ordinary words
_SHORT = 2  # names this short ("Go", "R", "C") match only with their catalog spelling and a cue word beside them
_CUE_BEFORE = r"(?:\b(?:learn|learning|study|studying|in|with|about|using|try|trying|know|to|program)\s+(?:some\s+|a bit of\s+|a little\s+|the\s+)?|学习?\s*|用\s*)"
_CUE_AFTER = r"\s*(?:language|programming|lang\b|code|developer|programmer|语言)"


ALIASES_FILE = Path(__file__).with_name("aliases.yaml")
HOMONYMS_FILE = Path(__file__).with_name("homonyms.yaml")
GLOSSES_FILE = Path(__file__).with_name("topic_glosses.yaml")
# After one of these a homonym names the topic in any case ("learn swift"); before one of the second ("swift podcasts").
_STRONG_CUE = (r"\b(?:learn|learning|study|studying|pick(?:ing)? up|get(?:ting)? into|dabbl(?:e|ing) (?:in|with))\s+"
               r"(?:some\s+|a bit of\s+|a little\s+)?")
_SUBJECT_AFTER = (r"\s+(?:language|programming|lang\b|framework|podcasts?|books?|courses?|tutorials?|videos?|docs|"
                  r"documentation|screencasts?)")


def load_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    """The curated everyday names for catalog topics (alias -> topic)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(alias): str(topic) for alias, topic in data.items()}


def load_glosses(path: Path = GLOSSES_FILE) -> dict[str, str]:
    """A plain-words description of each catalog heading (heading -> gloss); empty when the file is absent."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(topic): str(gloss) for topic, gloss in data.items() if gloss}


def load_homonyms(path: Path = HOMONYMS_FILE) -> list[str]:
    """Topic names that are also everyday English words (see the file's header)."""
    return [str(name) for name in yaml.safe_load(path.read_text(encoding="utf-8")) or []]


def normalise(topic: str) -> str:
    return " ".join(topic.lower().replace("\\", "").split())


def _singular(key: str) -> str:
    """'decision trees' -> 'decision tree': learners write either."""
    if key.endswith("ies") and len(key) > 4:
        return key[:-3] + "y"
    if key.endswith("s") and not key.endswith(("ss", "us", "is")) and len(key) > 3:
        return key[:-1]
    return key


def _pattern(name: str) -> str:
    escaped = re.escape(name)
    if _CJK.search(name):
        return escaped  # Chinese has no spaces between words: match anywhere
    # Latin letters, digits, + and # bound a name ("Rust" is not in "rusty", "C" is not in "C++").
    # A plural in the text names the topic too ("determinants", "hash tables").
    plural = "(?:s|es)?" if name[-1:].isalpha() else ""
    return rf"(?<![A-Za-z0-9+#]){escaped}{plural}(?![A-Za-z0-9+#])"


class TopicMatcher:
    """Finds catalog topics named in a message, longest names first so "machine learning" beats "learning"."""

    def __init__(self, topics: Iterable[str], aliases: dict[str, str] | None = None,
                 homonyms: Iterable[str] = ()):
        canonical: dict[str, str] = {}
        for topic in topics:
            key = normalise(topic)
            if key in _GENERIC or key.isdigit():
                continue
            canonical.setdefault(key, topic)
            canonical.setdefault(_singular(key), topic)
        # A learner names one part of a composite heading ("Delphi" for "Delphi / Pascal", "dBase" for "xBase (dBase /
        # Clipper / Harbour)"); a part that is a heading of its own keeps it, and one that is an everyday word is left.
        everyday = {normalise(h) for h in homonyms} | _EVERYDAY_PARTS
        for topic in list(canonical.values()):
            for part in _PARTS.split(topic) if "/" in topic else ():
                key = normalise(part)
                if len(key) > _SHORT and key != normalise(topic) and key not in everyday and key not in _GENERIC:
                    canonical.setdefault(key, topic)
        # Lowercase aliases join the vocabulary; those with capitals are matched exactly (below).
        for alias, topic in (aliases or {}).items():
            if alias == alias.lower() and normalise(topic) in canonical:
                canonical.setdefault(normalise(alias), canonical[normalise(topic)])
        self._canonical = canonical
        self._topics = sorted(set(canonical.values()))
        is_word = {k for k in canonical if normalise(canonical[k]) in everyday}
        # Two Chinese characters are a whole word ("安卓"); two Latin letters may be anything ("Go", "R").
        long = {k for k in canonical if (len(k) > _SHORT or _CJK.search(k)) and k not in is_word}
        long_names = sorted(long, key=len, reverse=True)
        self._pattern = re.compile("|".join(_pattern(n) for n in long_names), re.I) if long_names else None
        short = "|".join(re.escape(n) for n in sorted({canonical[k] for k in canonical
                                                        if len(k) <= _SHORT and not _CJK.search(k)},
                                                        key=len, reverse=True))
        self._short = re.compile(
            rf"{_CUE_BEFORE}(?P<name>{short})(?![A-Za-z0-9+#])|(?<![A-Za-z0-9+#])(?P<after>{short}){_CUE_AFTER}"
        ) if short else None
        words = sorted({canonical[k] for k in is_word}, key=len, reverse=True)
        written = "|".join(re.escape(w) for w in words if w != w.lower())
        spoken = "|".join(re.escape(w) for w in words)
        self._words = re.compile(
            (rf"(?:(?<=[a-z0-9,;:)] )|(?<=[\u3000-\u9fff])|(?<=[\u3000-\u9fff] ))"
             rf"(?P<written>{written})(?![A-Za-z0-9+#])|" if written else "")
            + rf"(?i:{_STRONG_CUE})(?P<cued>(?i:{spoken}))(?![A-Za-z0-9+#])"
            rf"|(?<![A-Za-z0-9+#])(?P<named>(?i:{spoken}))(?=(?i:{_SUBJECT_AFTER}))"
        ) if words else None
        # Abbreviations ("PCA") match only in capitals: "map" is a word, "MAP" an estimate.
        self._aliases = {a: canonical[normalise(t)] for a, t in (aliases or {}).items()
                         if a != a.lower() and normalise(t) in canonical}
        self._alias_pattern = re.compile(
            "|".join(rf"(?<![A-Za-z0-9]){re.escape(a)}s?(?![A-Za-z0-9])" for a in sorted(self._aliases, key=len, reverse=True))
        ) if self._aliases else None

    @classmethod
    def from_resources(cls, resources: Iterable[Resource], aliases: dict[str, str] | None = None,
                       homonyms: Iterable[str] = ()) -> TopicMatcher:
        return cls(Counter(t for r in resources for t in r.topics), aliases, homonyms)

    @property
    def topics(self) -> list[str]:
        return self._topics

    def canonical(self, phrase: str) -> str | None:
        """The catalog's spelling of a topic name, if the phrase is exactly one."""
        key = normalise(phrase)
        return self._canonical.get(key) or self._canonical.get(_singular(key))

    def __call__(self, text: str) -> list[str]:
        """Topics named in the text, in the order written; a text that is exactly a name is that topic ("C")."""
        whole = self.canonical(text.strip(" '\"")) if len(text) <= 60 else None
        if whole:
            return [whole]
        found: list[str] = []
        spans: list[tuple[int, int]] = []
        for pattern in (self._pattern, self._alias_pattern, self._words, self._short):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                group = (match.lastgroup or 0) if pattern in (self._short, self._words) else 0
                start, end = match.span(group)
                if any(s <= start < e for s, e in spans):
                    continue  # inside a longer name already found ("C" in "Objective-C")
                if pattern is self._alias_pattern:
                    topic = self._aliases.get(match.group(0).rstrip("s"), self._aliases.get(match.group(0)))
                else:
                    topic = self.canonical(match.group(group))
                if topic and topic not in found:
                    found.append(topic)
                    spans.append((start, end))
        return [t for _, t in sorted(zip((s for s, _ in spans), found))]  # in the order the learner wrote them

    def __len__(self) -> int:
        return len(self._topics)


class LanguageCoverage:
    """How many of a language's resources cover given topics: filed under one, or naming one in their title
    ("Docker 入门实战" is filed under a Chinese heading). Titles are read once per language, when first needed."""

    def __init__(self, resources: Iterable[Resource], matcher: TopicMatcher):
        self._by_language: dict[str, list[Resource]] = {}
        for resource in resources:
            self._by_language.setdefault(resource.language, []).append(resource)
        self._matcher = matcher
        self._named: dict[str, list[set[str]]] = {}

    @property
    def languages(self) -> list[str]:
        return sorted(self._by_language)

    def count(self, language: str, topics: Iterable[str], enough: int) -> int:
        """Resources in `language` about any of `topics`, counted up to `enough`."""
        wanted = set(topics)
        resources = self._by_language.get(language, [])
        filed = sum(1 for r in resources if wanted.intersection(r.topics))
        if filed >= enough:
            return filed
        if language not in self._named:
            self._named[language] = [set(r.topics) | set(self._matcher(f"{r.title} {r.description}"))
                                     for r in resources]
        return sum(1 for covered in self._named[language] if covered & wanted)
