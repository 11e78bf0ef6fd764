"""A first faithfulness check for model-written reasons: reject what the facts cannot support."""

from __future__ import annotations

import re

_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|io)\b", re.I)
_NUMBER = re.compile(r"\d+")
_CHATTY = re.compile(r"\b(as an ai|i'm sorry|i cannot|i can't|language model|sorry)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|my|me|mine|we|our)\b", re.I)
# Praise the data never states: the small base model adds these freely.
_UNSUPPORTED = re.compile(
    r"\b(comprehensive|perfect(?:ly)?|best|excellent|popular|highly rated|in-depth|thorough|complete|acclaimed|"
    r"renowned|famous|award|step-by-step|hands-on|practical examples?|exercises|projects?)\b", re.I)
_WORD = re.compile(r"[a-z][a-z+#]{3,}", re.I)
_STOP = {"this", "that", "with", "your", "which", "about", "asked", "matching", "within", "format", "prefer",
         "resource", "learn", "learning", "because", "will", "help", "great", "good", "from", "have", "they", "them"}


def problems(reason: str, facts: list[str], title: str) -> list[str]:
    """Why a reason cannot be shown (empty list = acceptable)."""
    issues = []
    grounded = " ".join(facts + [title]).lower()
    if not reason.strip():
        return ["empty"]
    if len(reason) > 320:
        issues.append("too long")
    if _URL.search(reason):
        issues.append("mentions a link")
    stray = [n for n in _NUMBER.findall(reason) if n not in grounded]
    if stray:
        issues.append(f"numbers not in the facts: {', '.join(stray)}")
    if _CHATTY.search(reason):
        issues.append("not a reason")
    if _FIRST_PERSON.search(reason):
        issues.append("speaks as the learner or the assistant, not to the learner")
    claims = [m.group(0) for m in _UNSUPPORTED.finditer(reason) if m.group(0).lower() not in grounded]
    if claims:
        issues.append(f"claims not in the facts: {', '.join(claims)}")
    fact_words = {w.lower() for w in _WORD.findall(" ".join(facts))} - _STOP
    if fact_words and not fact_words & {w.lower() for w in _WORD.findall(reason)}:
        issues.append("uses none of the learner-specific facts")
    return issues
