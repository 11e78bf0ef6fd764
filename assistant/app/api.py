"""The named JSON endpoints an LMS calls (chat, recommend, profile): thin wrappers over the engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
from pydantic import ValidationError

from assistant.engine import Engine, InputError
from assistant.reply import TurnContext


def _context(context: dict | None) -> TurnContext:
    if context is None or context == {}:
        return TurnContext()
    if not isinstance(context, dict):
        raise gr.Error("context must be a JSON object such as {\"device\": \"phone\", \"session_minutes\": 20}")
    try:
        return TurnContext.model_validate(context)
    except ValidationError as exc:
        raise gr.Error(f"Invalid context: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from exc


class Api:
    """Each method is one endpoint; errors reach the caller as gr.Error with a readable message."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def chat(self, learner_id: str, message: str, context: dict | None = None) -> Iterator[dict[str, Any]]:
        """Stream the reply: first the ranked cards, then the same cards with their reasons."""
        try:
            for reply in self.engine.stream_turn(learner_id, message, _context(context)):
                yield reply.model_dump(mode="json")
        except InputError as exc:
            raise gr.Error(str(exc)) from exc

    def recommend(self, learner_id: str, message: str, context: dict | None = None) -> dict[str, Any]:
        """One turn; returns the final reply (recommendations with reasons) as JSON."""
        try:
            return self.engine.turn(learner_id, message, _context(context)).model_dump(mode="json")
        except InputError as exc:
            raise gr.Error(str(exc)) from exc

    def profile(self, learner_id: str) -> dict[str, Any]:
        """The learner's profile as the assistant has it."""
        try:
            return self.engine.profile(learner_id).model_dump(mode="json")
        except InputError as exc:
            raise gr.Error(str(exc)) from exc
