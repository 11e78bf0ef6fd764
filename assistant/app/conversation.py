"""The conversation as one HTML block (each learner message, then the reply with its learning path and cards, in
order, the feedback given shown on the cards) and the list of the learner's earlier conversations."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.app.cards import CARD_EVENTS_JS, escape, render_reply
from assistant.app.words import word
from assistant.catalog.schema import Resource
from assistant.profile.store import SessionSummary, StoredTurn
from assistant.reply import Reply

FIRST_MESSAGE_CHARS = 60  # of an earlier conversation's first message, in the list

CSS = """
.conv-scroll {max-height: 72vh; overflow-y: auto; scroll-behavior: smooth; padding-right: 4px;}
.msg {border-radius: 12px; padding: 8px 12px; margin: 8px 0; overflow-wrap: anywhere;}
.msg p {margin: 0 0 6px;}
.msg-learner {background: var(--color-accent-soft); margin-left: 12%;}
.msg-assistant {background: var(--background-fill-secondary); margin-right: 4%;}
.msg-notice {border: 1px solid var(--color-accent); margin-right: 4%;}
.sr-only {position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;}
.sessions {list-style: none; margin: 0; padding: 0;}
.sessions li {display: flex; gap: 4px; align-items: stretch; margin: 4px 0;}
.sessions button {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 8px;
  background: var(--background-fill-secondary); cursor: pointer; min-height: 32px; text-align: left;}
.sessions .session-open {flex: 1; min-width: 0; overflow-wrap: anywhere;}
.sessions .session-open[aria-current="true"] {border-color: var(--color-accent);}
.sessions time {display: block; opacity: .75; font-size: .85em;}
.sessions button:focus-visible {outline: 2px solid var(--color-accent); outline-offset: 2px;}
@media (max-width: 700px) {#history-column {order: 2;} #profile-column {order: 3;}}
"""

# The card clicks of cards.py, and: the conversation scrolls inside its own box, to the newest message the learner
# sent (its reply and cards follow below it), or to the top when another conversation is opened.
CONVERSATION_JS = CARD_EVENTS_JS + """
element.classList.add('conv-scroll');
element.tabIndex = 0;
let shown = '';
new MutationObserver(() => {
  const asked = element.querySelectorAll('.msg-learner');
  const first = asked.length ? asked[0].textContent : '';
  const key = asked.length + '|' + first;
  if (key === shown) return;
  const sameConversation = shown.split('|').slice(1).join('|') === first;
  shown = key;
  if (!asked.length || !sameConversation) { element.scrollTop = 0; return; }
  const last = asked[asked.length - 1];
  element.scrollTop += last.getBoundingClientRect().top - element.getBoundingClientRect().top - 8;
}).observe(element, {childList: true, subtree: true});
"""

# A click on an earlier conversation (or its delete button) becomes one `click` event with its id and the action.
SESSIONS_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-session-id]');
  if (!button) return;
  trigger('click', {session_id: button.dataset.sessionId, action: button.dataset.action});
});
"""


@dataclass(frozen=True)
class Entry:
    """One bubble: a learner's message, an assistant's reply (with its cards), or a notice (refused, slow down)."""

    role: str  # learner | assistant | notice
    text: str
    reply: Reply | None = None


def entries_of(turns: Sequence[StoredTurn]) -> list[Entry]:
    """A stored conversation as bubbles; a reply stored with its cards shows them again."""
    entries = []
    for turn in turns:
        reply = Reply.model_validate_json(turn.reply_json) if turn.role == "assistant" and turn.reply_json else None
        entries.append(Entry(turn.role, turn.text, reply))
    return entries


def render_conversation(entries: Sequence[Entry], language: str | None, given: Mapping[str, str],
                        lookup: Callable[[str], Resource | None]) -> str:
    """Every bubble in order; each reply's learning path and cards directly under its text."""
    parts = []
    for entry in entries:
        if entry.role == "learner":
            parts.append(f'<div class="msg msg-learner"><span class="sr-only">{word("you_said", language)}: </span>'
                         f"<p>{escape(entry.text)}</p></div>")
        elif entry.role == "notice":
            parts.append(f'<div class="msg msg-notice" role="status"><p>{escape(entry.text)}</p></div>')
        else:
            reply_language = entry.reply.language if entry.reply else language
            # A "why?" answer speaks of the cards above it; they are not shown twice.
            with_cards = entry.reply is not None and entry.reply.report.kind == "recommend"
            cards = render_reply(entry.reply, lookup, given) if with_cards else ""
            parts.append(f'<div class="msg msg-assistant"><span class="sr-only">'
                         f'{word("assistant_said", reply_language)}: </span><p>{escape(entry.text)}</p>{cards}</div>')
    return "\n".join(parts)


def render_sessions(sessions: Sequence[SessionSummary], current: str | None, language: str | None) -> str:
    """The learner's conversations, latest first: each opens with its first message and date, and can be deleted."""
    if not sessions:
        return f'<p class="sessions-empty">{word("no_sessions", language)}</p>'
    items = []
    for session in sessions:
        first = session.first_message
        first = first if len(first) <= FIRST_MESSAGE_CHARS else first[: FIRST_MESSAGE_CHARS - 1] + "…"
        here = session.id == current
        note = f' <span class="session-here">({word("current_session", language)})</span>' if here else ""
        sid = escape(session.id)
        items.append(
            f'<li><button type="button" class="session-open" data-session-id="{sid}" data-action="open" '
            f'aria-current="{"true" if here else "false"}" aria-label="{word("open_session", language)}: '
            f'{escape(first)}, {session.started_at:%Y-%m-%d}"><span>{escape(first)}</span>{note}'
            f'<time datetime="{session.started_at.isoformat()}">{session.started_at:%Y-%m-%d}</time></button>'
            f'<button type="button" class="session-delete" data-session-id="{sid}" data-action="delete" '
            f'aria-label="{word("delete_session_of", language)}: {escape(first)}">'
            f'{word("delete_session", language)}</button></li>')
    return f'<ul class="sessions">{"".join(items)}</ul>'
