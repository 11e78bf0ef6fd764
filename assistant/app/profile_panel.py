"""'What I know about you': the profile in plain words, and the form that edits it (only changed fields are sent)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistant.app.cards import escape
from assistant.app.words import word
from assistant.catalog.schema import Resource
from assistant.locale import locale
from assistant.profile.edits import ProfileEdit
from assistant.profile.schema import FORMATS, LearnerProfile

# The form's fields, in the order the UI lays them out and passes their values.
FORM_FIELDS = ("topics", "level", "formats", "avoid_formats", "time_budget_minutes", "device", "language", "free_only")
# Each language named in itself, as language pickers do.
LANGUAGE_CHOICES = [("English", "en"), ("中文", "zh"), ("Français", "fr"), ("Deutsch", "de"), ("Español", "es"),
                    ("日本語", "ja")]
_SEPARATORS = re.compile(r"[,，、;；\n]")
_SHOWN_TITLES = 3


def _titles(ids: list[str], lookup: Callable[[str], Resource | None], language: str) -> str:
    """The most recent few titles, then how many more."""
    titles = [r.title for r in map(lookup, reversed(ids)) if r is not None]
    text = locale(language).list_separator.join(titles[:_SHOWN_TITLES])
    return text + (f" (+{len(titles) - _SHOWN_TITLES})" if len(titles) > _SHOWN_TITLES else "")


def describe(profile: LearnerProfile | None, lookup: Callable[[str], Resource | None]) -> str:
    """The profile as a short list of plain sentences in the learner's language; every stored string escaped."""
    if profile is None:
        return f"<p>{word('empty', None)}</p>"
    language = profile.language or "en"
    table = locale(language)
    comma = table.list_separator
    lines: list[tuple[str, str]] = []
    if profile.topics:
        lines.append(("wants", comma.join(profile.current_topics(0.0))))
    for key, values in (("knows", profile.known_topics), ("gaps", profile.gaps), ("goals", profile.goals)):
        if values:
            lines.append((key, comma.join(values)))
    if profile.level in table.level_words:
        lines.append(("level", table.level_words[profile.level]))
    for key, formats in (("likes", profile.liked_formats), ("avoids", profile.avoided_formats)):
        if formats:
            lines.append((key, comma.join(table.format_plurals[f] for f in formats if f in table.format_plurals)))
    if profile.time_budget_minutes:
        lines.append(("budget", str(profile.time_budget_minutes)))
    if profile.device:
        lines.append(("device", table.name_of("device_words", profile.device)))
    if profile.language:
        lines.append(("language", table.name_of("language_names", profile.language)))
    if profile.free_only:
        lines.append(("free_only", "✓"))
    for key, ids in (("liked", profile.liked), ("disliked", profile.disliked), ("done", profile.completed)):
        if ids:
            lines.append((key, _titles(ids, lookup, language)))
    if not lines:
        return f"<p>{word('empty', language)}</p>"
    colon = word("colon", language)
    items = "".join(f"<li><strong>{word(key, language)}</strong>{colon}{escape(text)}</li>" for key, text in lines)
    return f'<ul class="profile-facts">{items}</ul>'


def form_values(profile: LearnerProfile | None) -> list[Any]:
    """The form's values for this profile, in FORM_FIELDS order (an empty string or None means not set)."""
    profile = profile or LearnerProfile(learner_id="new")
    return [
        ", ".join(profile.current_topics(0.0)), profile.level,
        [f for f in profile.liked_formats if f in FORMATS], [f for f in profile.avoided_formats if f in FORMATS],
        profile.time_budget_minutes, profile.device or "", profile.language or "", profile.free_only is True,
    ]


def edit_from_form(profile: LearnerProfile | None, values: list[Any]) -> ProfileEdit:
    """A ProfileEdit holding only the fields the learner changed, so untouched ones (topic weights) stay as they are.

    Raises pydantic.ValidationError for a value out of range.
    """
    changed = {}
    for name, before, after in zip(FORM_FIELDS, form_values(profile), values):
        if name == "time_budget_minutes" and after is not None:
            after = int(after)
        if after == before or (not after and not before):
            continue
        if name == "topics":
            changed[name] = [t.strip() for t in _SEPARATORS.split(after or "") if t.strip()]
        elif name == "level":
            changed[name] = None if after == "unknown" else after
        elif name == "free_only":
            changed[name] = True if after else None  # unticked means "no preference", not "paid only"
        else:
            changed[name] = after or None
    return ProfileEdit(**changed)
