"""The named JSON endpoints an LMS calls: thin wrappers over the engine, each scoped to the caller's learner id."""

# No `from __future__ import annotations`: gradio reads return annotations unevaluated, and the API docs
# should say the endpoints return JSON objects rather than "Any".
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import gradio as gr
from pydantic import BaseModel, ValidationError

from assistant.engine import Engine
from assistant.fair_use import Caller
from assistant.profile.edits import ProfileEdit
from assistant.profile.store import StoreWriteError
from assistant.reply import TurnContext
from assistant.validation import InputError

CONTEXT_KEYS = tuple(TurnContext.model_fields)
PROFILE_FIELDS = tuple(ProfileEdit.model_fields)
Model = TypeVar("Model", bound=BaseModel)


def refuse(message: str) -> gr.Error:
    """A caller's mistake, shown to the caller as is; no server traceback, since nothing went wrong here."""
    return gr.Error(message, print_exception=False)


@contextmanager
def caller_errors() -> Iterator[None]:
    """The engine's InputError (a bad id, message or resource) and a store that could not save reach the caller as a
    readable gr.Error."""
    try:
        yield
    except InputError as exc:
        raise refuse(str(exc)) from exc
    except StoreWriteError as exc:  # not the caller's mistake: the server log keeps the traceback
        raise gr.Error(str(exc)) from exc


def _validated(model: type[Model], value: Any, what: str, keys: tuple[str, ...]) -> Model:
    """A JSON object as `model`; a misspelt key or a bad value is refused by name (never silently ignored)."""
    if not isinstance(value, dict):
        raise refuse(f"{what} must be a JSON object with any of the keys {', '.join(keys)}.")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise refuse(f"Unknown {what} key(s) {', '.join(unknown)}; allowed: {', '.join(keys)}.")
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or what
        raise refuse(f"Invalid {what} value for {field}: {error['msg']}.") from exc


def parse_context(context: Any) -> TurnContext:
    """The caller's context object as a TurnContext; anything malformed becomes a readable gr.Error."""
    if context is None or context == {}:
        return TurnContext()
    return _validated(TurnContext, context, "context", CONTEXT_KEYS)


def parse_edit(changes: Any) -> ProfileEdit:
    """The caller's partial profile as a ProfileEdit: only the keys sent change; unknown keys are refused."""
    return _validated(ProfileEdit, changes, "profile", PROFILE_FIELDS)


class Api:
    """Each public method is one endpoint; its docstring is the endpoint's description in the API docs."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def _authorize(self, request: gr.Request | None) -> Caller:
        """The caller, named by the key it sent (each key has its own fair-use count); refused without a valid
        key when keys are configured."""
        serving = self.engine.settings.serving
        keys = {**({"default": serving.api_key} if serving.api_key else {}), **serving.api_keys}
        if not keys:
            return Caller()
        headers = request.headers if request is not None else {}
        given = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ").strip()
        # Constant-time comparisons (every key is compared) so no key can be guessed from response times.
        matches = [name for name, key in keys.items() if hmac.compare_digest(given.encode(), key.encode())]
        if not matches:
            raise refuse("Missing or wrong API key: send it in the X-API-Key header (or Authorization: Bearer KEY).")
        return Caller(api_key=matches[0])

    def chat(self, learner_id: str, message: str, context: dict | None = None, session_id: str | None = None,
             request: gr.Request | None = None) -> Iterator[dict]:
        """Run one turn and stream the reply: first the ranked cards (reason null), then the same cards with reasons
        (reasons_ready true). context: optional {device, local_time "HH:MM", session_minutes, locale}. session_id:
        optional conversation id (a new id starts a conversation; none continues the learner's latest)."""
        caller = self._authorize(request)
        turn_context = parse_context(context)
        with caller_errors():
            for reply in self.engine.turns.stream(learner_id, message, turn_context, session_id=session_id or None,
                                                  caller=caller):
                yield reply.model_dump(mode="json")

    def recommend(self, learner_id: str, message: str, context: dict | None = None, session_id: str | None = None,
                  request: gr.Request | None = None) -> dict:
        """Run one turn; returns the final reply (ranked recommendations with reasons, learning path, profile,
        session_id). session_id: optional conversation id, as for /chat."""
        caller = self._authorize(request)
        turn_context = parse_context(context)
        with caller_errors():
            return self.engine.turns.turn(learner_id, message, turn_context, session_id=session_id or None,
                                          caller=caller).model_dump(mode="json")

    def feedback(self, learner_id: str, resource_id: str, kind: str, request: gr.Request | None = None) -> dict:
        """Record the learner's reaction to a resource (helpful, not_for_me, already_know, completed, opened); the
        next turn reflects it at once. Returns the updated profile."""
        self._authorize(request)
        with caller_errors():
            return self.engine.learner_data.feedback(learner_id, resource_id, kind).model_dump(mode="json")

    def profile(self, learner_id: str, request: gr.Request | None = None) -> dict:
        """The learner's profile as the assistant has it."""
        self._authorize(request)
        with caller_errors():
            return self.engine.learner_data.profile(learner_id).model_dump(mode="json")

    def update_profile(self, learner_id: str, changes: dict, request: gr.Request | None = None) -> dict:
        """Change some profile fields; only the keys sent change, null clears one. Keys: topics, known_topics,
        gaps, goals, level, formats, avoid_formats, time_budget_minutes, device, language, free_only."""
        self._authorize(request)
        edit = parse_edit(changes)
        with caller_errors():
            return self.engine.learner_data.update_profile(learner_id, edit).model_dump(mode="json")

    def sessions(self, learner_id: str, request: gr.Request | None = None) -> dict:
        """The learner's conversations, latest first: id, started_at, last_at, first_message, turns."""
        self._authorize(request)
        with caller_errors():
            found = self.engine.learner_data.sessions(learner_id)
        return {"learner_id": learner_id, "sessions": [s.model_dump(mode="json") for s in found]}

    def session(self, learner_id: str, session_id: str, request: gr.Request | None = None) -> dict:
        """One conversation: its turns in order, each assistant turn with its reply (cards, reasons, facts)."""
        self._authorize(request)
        with caller_errors():
            turns = self.engine.learner_data.session(learner_id, session_id)
        return {"learner_id": learner_id, "session_id": session_id, "turns": [
            {"role": t.role, "text": t.text, "created_at": t.created_at.isoformat(),
             "reply": json.loads(t.reply_json) if t.reply_json else None} for t in turns]}

    def delete_session(self, learner_id: str, session_id: str, request: gr.Request | None = None) -> dict:
        """Delete one conversation (the profile and feedback stay); returns how many stored records were removed."""
        self._authorize(request)
        with caller_errors():
            removed = self.engine.learner_data.delete_session(learner_id, session_id)
        return {"learner_id": learner_id, "session_id": session_id, "deleted_records": removed}

    def export(self, learner_id: str, request: gr.Request | None = None) -> dict:
        """Everything stored about the learner: profile, conversation turns and feedback events."""
        self._authorize(request)
        with caller_errors():
            return self.engine.learner_data.export(learner_id).model_dump(mode="json")

    def forget(self, learner_id: str, request: gr.Request | None = None) -> dict:
        """Delete everything stored about the learner; returns how many stored records were removed."""
        self._authorize(request)
        with caller_errors():
            return {"learner_id": learner_id, "deleted_records": self.engine.learner_data.forget(learner_id)}
