"""The named JSON endpoints an LMS calls (chat, recommend, profile): thin wrappers over the engine."""

# No `from __future__ import annotations`: gradio reads return annotations unevaluated, and the API docs
# should say the endpoints return JSON objects rather than "Any".
import hmac
from collections.abc import Iterator
from typing import Any

import gradio as gr
from pydantic import ValidationError

from assistant.engine import Engine, InputError
from assistant.reply import TurnContext

CONTEXT_KEYS = tuple(TurnContext.model_fields)


def refuse(message: str) -> gr.Error:
    """A caller's mistake, shown to the caller as is; no server traceback, since nothing went wrong here."""
    return gr.Error(message, print_exception=False)


def parse_context(context: Any) -> TurnContext:
    """The caller's context object as a TurnContext; anything malformed becomes a readable gr.Error."""
    if context is None or context == {}:
        return TurnContext()
    if not isinstance(context, dict):
        raise refuse(f"context must be a JSON object with any of the keys {', '.join(CONTEXT_KEYS)}.")
    # TurnContext ignores unknown keys; an LMS that misspells one should hear about it, not be ignored silently.
    unknown = sorted(set(context) - set(CONTEXT_KEYS))
    if unknown:
        raise refuse(f"Unknown context key(s) {', '.join(unknown)}; allowed: {', '.join(CONTEXT_KEYS)}.")
    try:
        return TurnContext.model_validate(context)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "context"
        raise refuse(f"Invalid context value for {field}: {error['msg']}.") from exc


class Api:
    """Each method is one endpoint; errors reach the caller as gr.Error with a readable message."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def _authorize(self, request: gr.Request | None) -> None:
        expected = self.engine.settings.api_key
        if not expected:
            return
        headers = request.headers if request is not None else {}
        given = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ").strip()
        # Constant-time comparison so the key cannot be guessed byte by byte from response times.
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise refuse("Missing or wrong API key: send it in the X-API-Key header.")

    def chat(self, learner_id: str, message: str, context: dict | None = None,
             request: gr.Request | None = None) -> Iterator[dict]:
        """Stream the reply: first the ranked cards (reason null), then the same cards with reasons (reasons_ready true)."""
        self._authorize(request)
        turn_context = parse_context(context)
        try:
            for reply in self.engine.stream_turn(learner_id, message, turn_context):
                yield reply.model_dump(mode="json")
        except InputError as exc:
            raise refuse(str(exc)) from exc

    def recommend(self, learner_id: str, message: str, context: dict | None = None,
                  request: gr.Request | None = None) -> dict:
        """One turn; returns the final reply (recommendations with reasons) as JSON."""
        self._authorize(request)
        turn_context = parse_context(context)
        try:
            return self.engine.turn(learner_id, message, turn_context).model_dump(mode="json")
        except InputError as exc:
            raise refuse(str(exc)) from exc

    def profile(self, learner_id: str, request: gr.Request | None = None) -> dict:
        """The learner's profile as the assistant has it."""
        self._authorize(request)
        try:
            return self.engine.profile(learner_id).model_dump(mode="json")
        except InputError as exc:
            raise refuse(str(exc)) from exc
