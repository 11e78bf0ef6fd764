"""Checks on what learners and API callers send; a refusal's message is safe to show them."""

from __future__ import annotations

import re

_LEARNER_ID = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")
_SESSION_ID = re.compile(r"^[A-Za-z0-9_.:@\-]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|<\|im_(?:start|end)\|>|<\|endoftext\|>|<\|[a-z_]+\|>")


class InputError(ValueError):
    """Bad input from a learner or an API caller; the message is safe to show them."""


def check_learner_id(learner_id: object) -> str:
    if not isinstance(learner_id, str) or not _LEARNER_ID.match(learner_id):
        raise InputError("learner_id must be 1-128 characters: letters, digits and . _ - : @")
    return learner_id


def check_session_id(session_id: object) -> str:
    """A conversation's id: the page's are 32 hex digits; an LMS may name its own in the learner id's alphabet."""
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        raise InputError("session_id must be 1-64 characters: letters, digits and . _ - : @")
    return session_id


def clean_message(message: object, max_chars: int) -> str:
    """The message as it may be stored and shown to the LLM; refused when empty or too long."""
    if not isinstance(message, str) or not message.strip():
        raise InputError("The message is empty: tell me what you would like to learn.")
    if len(message) > max_chars:
        raise InputError(f"The message is {len(message)} characters long; the limit is {max_chars}.")
    # Lone surrogates (invalid UTF-8 sent as JSON escapes) cannot be stored; chat-template control tokens in
    # learner text could end the learner's turn early. Neither is ever meaningful here.
    message = message.encode("utf-8", "replace").decode("utf-8")
    message = _CONTROL.sub(" ", message).strip()
    if not message:
        raise InputError("The message is empty: tell me what you would like to learn.")
    return message
