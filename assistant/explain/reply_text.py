"""The assistant's own words around the cards, in the learner's language."""

from __future__ import annotations

from assistant.locale import locale
from assistant.profile.schema import LearnerProfile
from assistant.reply import PathStep

RELAXABLE = ("language", "formats", "free", "level")  # filters whose dropping the reply explains


def compose(profile: LearnerProfile, count: int, language: str, relaxed: list[str],
            path: list[PathStep] | None = None) -> str:
    table = locale(language)
    if count == 0:
        return table.phrase("found_none")
    topics = profile.current_topics(0.7)[:3]
    formats = profile.liked_formats
    about = table.phrase("found_about", topics=table.list_separator.join(topics)) if topics else ""
    named = table.list_separator.join(table.name_of("format_words", f) for f in formats)
    fmt = table.phrase("found_formats", formats=named) if formats else ""
    level = table.phrase("found_level", level=table.level_words[profile.level]) if profile.level in table.level_words else ""
    text = table.phrase("found", count=count, about=about, formats=fmt, level=level)
    if path:
        text += "\n" + table.phrase("suggested_order", steps=" → ".join(step.concept for step in path))
    notes = [table.phrase(f"relaxed_{name}") for name in relaxed if name in RELAXABLE]
    if notes:
        text += "\n" + " ".join(notes)
    return text
