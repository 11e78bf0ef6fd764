"""Profile examples: a dialogue (earlier messages as context) -> the JSON delta of what the latest message states."""

from __future__ import annotations

from assistant.llm.prompts import PromptTemplate
from assistant.profile.schema import FORMATS, LEVEL_ORDER
from assistant.tasks.render import dialogue_inputs
from assistant.training.examples import Example
from assistant.training.messages import Composer, Message


def _latest(composer: Composer, language: str, history: list[Message]) -> Message:
    """The message to read: usually a fresh statement, sometimes a correction of the previous one or small talk."""
    rng = composer.rng
    roll = rng.random()
    if roll < 0.08:
        return composer.assemble(language, [composer.nothing(language)], [])
    if roll < 0.2:
        # A correction overrides what an earlier turn said: put that earlier statement into the history first.
        if rng.random() < 0.7:
            before, after = rng.sample([f for f in FORMATS if f != "paper"], 2)
            history.append(composer.random_message(language, {"format": before}))
            fragments = [composer.formats(language, after, None, correction=True)]
        else:
            before, after = rng.sample(LEVEL_ORDER, 2)
            history.append(composer.random_message(language, {"level": before}))
            fragments = [composer.level(language, after, correction=True)]
        if rng.random() < 0.3:
            minutes = rng.choice([15, 20, 30, 45, 60])
            fragments.append(composer.time(language, minutes, None))
        return composer.assemble(language, fragments, [], shuffle=False)
    return composer.random_message(language)


def profile_example(composer: Composer, prompt: PromptTemplate, language: str) -> Example:
    rng = composer.rng
    history = [composer.random_message(language if rng.random() < 0.9 else "en") for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3]))]
    latest = _latest(composer, language, history)
    texts = [m.text for m in history]
    return Example(
        task="profile", language=language, split=composer.pool.name,
        messages=prompt.render(**dialogue_inputs(texts, latest.text)),
        answer=latest.delta.to_json(),
        topics=sorted({t for m in [*history, latest] for t in m.topics}),
        meta={"history": texts, "message": latest.text},
    )
