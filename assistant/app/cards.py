"""Recommendation cards as HTML. Every catalog string is escaped: titles can carry hostile text."""

from __future__ import annotations

from html import escape

from assistant.reply import Reply

_TYPE_LABELS = {
    "book": "📘 Book", "course": "🎓 Course", "video": "🎬 Video", "podcast": "🎧 Podcast",
    "interactive": "⌨️ Interactive", "textbook_section": "📖 Textbook section", "paper": "📄 Paper",
    "lecture_notes": "📝 Lecture notes", "other": "🔗 Resource",
}

CSS = """
.rec-card {border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 14px; margin: 8px 0;}
.rec-card a {font-weight: 600; font-size: 1.05em;}
.rec-meta {opacity: .75; font-size: .9em; margin: 2px 0 6px;}
.rec-reason {margin: 0;}
.rec-pending {opacity: .6; font-style: italic;}
"""


def render_cards(reply: Reply | None) -> str:
    """One card per recommendation; a card whose reason is still being written says so."""
    if reply is None or not reply.recommendations:
        return ""
    cards = []
    for rec in reply.recommendations:
        r = rec.resource
        meta = [_TYPE_LABELS.get(r.resource_type, r.resource_type)]
        if r.level != "unknown":
            meta.append(r.level)
        if r.duration_minutes is not None:
            meta.append(f"~{r.duration_minutes} min")
        if r.free is not None:
            meta.append("free" if r.free else "paid")
        meta.append(r.language)
        if rec.reason is None:
            reason = '<p class="rec-reason rec-pending">writing the reason…</p>'
        else:
            reason = f'<p class="rec-reason">{escape(rec.reason.text)}</p>'
        cards.append(
            f'<div class="rec-card" data-resource-id="{escape(r.id)}">'
            f'<div>{rec.rank}. <a href="{escape(str(r.url))}" target="_blank" rel="noopener noreferrer">{escape(r.title)}</a></div>'
            f'<div class="rec-meta">{escape(" · ".join(meta))}</div>{reason}</div>'
        )
    return "\n".join(cards)
