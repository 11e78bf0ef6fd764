"""Recommendation cards and the learning path as HTML; every catalog string is escaped (titles can be hostile)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from assistant.app.words import word
from assistant.catalog.schema import Resource
from assistant.locale import locale
from assistant.reply import Recommendation, Reply

# The learner's reactions offered on every card (engine.feedback kinds); "opened" is sent when the title is clicked.
FEEDBACK_BUTTONS = ("helpful", "not_for_me", "already_know", "completed")

_ICONS = {"book": "📘", "course": "🎓", "video": "🎬", "podcast": "🎧", "interactive": "⌨️", "textbook_section": "📖",
          "paper": "📄", "lecture_notes": "📝", "other": "🔗"}

CSS = """
.rec-card {border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 14px; margin: 8px 0;}
.rec-card h3 {font-size: 1.05em; margin: 0; overflow-wrap: anywhere;}
.rec-meta {opacity: .8; font-size: .9em; margin: 2px 0 6px;}
.rec-reason {margin: 0 0 8px;}
.rec-pending {opacity: .6; font-style: italic;}
.rec-actions {display: flex; flex-wrap: wrap; gap: 6px;}
.rec-actions button {border: 1px solid var(--border-color-primary); border-radius: 999px; padding: 4px 12px;
  background: var(--background-fill-secondary); cursor: pointer; min-height: 32px;}
.rec-actions button[aria-pressed="true"] {background: var(--color-accent-soft); border-color: var(--color-accent);}
.rec-actions button:focus-visible, .rec-card a:focus-visible {outline: 2px solid var(--color-accent);
  outline-offset: 2px;}
.rec-path ol {margin: 4px 0 8px 1.2em;}
.profile-facts {margin: 0; padding-left: 1.1em;}
"""

# Clicks on a card's buttons and title become one `click` event carrying the resource id and feedback kind.
CARD_EVENTS_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-kind]');
  const link = event.target.closest('a.rec-link');
  const source = button || link;
  if (!source) return;
  if (button) {
    button.closest('.rec-actions').querySelectorAll('button').forEach(b => b.setAttribute('aria-pressed', 'false'));
    button.setAttribute('aria-pressed', 'true');
  }
  trigger('click', {resource_id: source.dataset.resourceId, kind: button ? button.dataset.kind : 'opened'});
});
"""


def escape(text: object) -> str:
    """HTML-escaped text; `$`, `{` and `}` too, so no template syntax in catalog text can ever be evaluated."""
    return html.escape(str(text)).replace("$", "&#36;").replace("{", "&#123;").replace("}", "&#125;")


def _meta(resource: Resource, language: str) -> str:
    """Only what the data says: an unknown level, length or price is left out, never guessed."""
    table = locale(language)
    kind = resource.resource_type if resource.resource_type in _ICONS else "other"
    parts = [table.type_labels[kind]]
    if resource.modality in table.modality_words and resource.modality != resource.resource_type:
        parts.append(table.modality_words[resource.modality])
    if resource.level in table.level_words:
        parts.append(table.level_words[resource.level])
    if resource.duration_minutes:
        parts.append(f"~{resource.duration_minutes} {word('minutes', language)}")
    if resource.free is not None:
        parts.append(word("free" if resource.free else "paid", language))
    parts.append(resource.language)
    return f'<span aria-hidden="true">{_ICONS[kind]}</span> {escape(" · ".join(parts))}'


def _card(rec: Recommendation, language: str, given: str | None = None) -> str:
    r = rec.resource
    rid, title = escape(r.id), escape(r.title)
    if rec.reason is None:
        reason = f'<p class="rec-reason rec-pending">{word("pending", language)}</p>'
    else:
        reason = f'<p class="rec-reason">{escape(rec.reason.text)}</p>'
    buttons = "".join(
        f'<button type="button" data-kind="{kind}" data-resource-id="{rid}" '
        f'aria-pressed="{"true" if kind == given else "false"}">{word(kind, language)}</button>'
        for kind in FEEDBACK_BUTTONS
    )
    return (
        f'<article class="rec-card" data-resource-id="{rid}">'
        f'<h3>{rec.rank}. <a class="rec-link" data-resource-id="{rid}" href="{escape(r.url)}" target="_blank" '
        f'rel="noopener noreferrer">{title}</a></h3>'
        f'<p class="rec-meta">{_meta(r, language)}</p>{reason}'
        f'<div class="rec-actions" role="group" aria-label="{word("feedback_on", language)} {title}">{buttons}</div>'
        "</article>"
    )


def _path(reply: Reply, lookup: Callable[[str], Resource | None]) -> str:
    items = []
    for step in reply.learning_path:
        resource = lookup(step.resource_id) if step.resource_id else None
        item = f"<strong>{escape(step.concept)}</strong>"
        if resource is not None:
            item += (f' — <a href="{escape(resource.url)}" target="_blank" rel="noopener noreferrer">'
                     f"{escape(resource.title)}</a>")
        if step.why:
            item += f" <span class=\"rec-meta\">({escape(step.why)})</span>"
        items.append(f"<li>{item}</li>")
    heading = word("path", reply.language)
    return f'<section class="rec-path" aria-label="{heading}"><h3>{heading}</h3><ol>{"".join(items)}</ol></section>'


def render_reply(reply: Reply | None, lookup: Callable[[str], Resource | None] = lambda _: None,
                 given: Mapping[str, str] | None = None) -> str:
    """The learning path (when the learner lacks prerequisites), then one card per recommendation; `given` (resource
    id -> feedback kind) shows the learner's reactions as pressed buttons."""
    if reply is None or not reply.recommendations:
        return ""
    given = given or {}
    parts = [_path(reply, lookup)] if reply.learning_path else []
    heading = word("recommendations", reply.language)
    cards = "".join(_card(rec, reply.language, given.get(rec.resource.id)) for rec in reply.recommendations)
    parts.append(f'<section aria-label="{heading}">{cards}</section>')
    return "\n".join(parts)
