"""The LLM's three tasks, each owning its prompt and how its inputs are rendered: profile extraction, relevance
judging and reason drafting. They take typed data in, ask the LLM interface, and give typed data out."""

from assistant.tasks import profile_extraction, reasons, relevance

# The prompts the code renders, with the variables it passes (checked at start and by `assistant prompts check`).
REQUIRED_PROMPTS: dict[str, set[str]] = {**profile_extraction.PROMPTS, **relevance.PROMPTS, **reasons.PROMPTS}
