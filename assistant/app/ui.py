"""The learner's chat page: streamed reply, recommendation cards, and the named API endpoints."""

from __future__ import annotations

import uuid

import gradio as gr

from assistant.app.api import Api
from assistant.app.cards import render_cards
from assistant.engine import Engine, InputError
from assistant.profile.schema import LearnerProfile
from assistant.reply import TurnContext

EXAMPLES = [
    "I'm new to programming and want to learn Rust. Books please.",
    "I only have 15 minutes a day on my phone. Python is what I want to learn.",
    "I want to learn Bayesian networks, but I never understood Bayes' rule.",
    "想系统地学习操作系统原理，有什么中文资源？",
]
EMPTY_PROFILE = "Nothing yet: tell me what you want to learn."
# Every event that runs a turn shares one queue: the local LLM serves one generation at a time.
ENGINE_QUEUE = "engine"


def _profile_text(profile: LearnerProfile) -> str:
    parts = []
    if profile.topics:
        parts.append("**Topics:** " + ", ".join(t for t, _ in sorted(profile.topics.items(), key=lambda kv: -kv[1])[:5]))
    if profile.level != "unknown":
        parts.append(f"**Level:** {profile.level}")
    if profile.liked_formats:
        parts.append("**Prefers:** " + ", ".join(profile.liked_formats))
    if profile.avoided_formats:
        parts.append("**Avoids:** " + ", ".join(profile.avoided_formats))
    if profile.time_budget_minutes:
        parts.append(f"**Time per session:** {profile.time_budget_minutes} min")
    if profile.language:
        parts.append(f"**Language:** {profile.language}")
    return "  \n".join(parts) or EMPTY_PROFILE


def _new_learner_id() -> str:
    return f"web-{uuid.uuid4().hex[:12]}"


def build_app(engine: Engine) -> gr.Blocks:
    """The page for learners plus the public API; the page's own event stays out of the API docs."""
    api = Api(engine)

    def respond(message: str, history: list, learner_id: str, device: str, minutes: float | None):
        context = TurnContext(device=None if device == "unknown" else device,
                              session_minutes=int(minutes) if minutes else None)
        history = list(history or []) + [{"role": "user", "content": message}]
        yield history, gr.skip(), gr.skip(), ""  # show the learner's message at once; ranking takes a moment
        try:
            for reply in engine.stream_turn(learner_id, message, context):
                shown = history + [{"role": "assistant", "content": reply.text}]
                yield shown, render_cards(reply), _profile_text(reply.profile), ""
        except InputError as exc:
            yield history + [{"role": "assistant", "content": str(exc)}], "", gr.skip(), message

    with gr.Blocks(title="Learning assistant", analytics_enabled=False) as app:
        learner_id = gr.State()
        gr.Markdown("## Learning assistant\nTell me what you want to learn, how you like to learn, and how much time you have.")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=320)
                message = gr.Textbox(label="Your message", placeholder="e.g. I want to learn SQL, 20 minutes a day",
                                     max_length=engine.settings.max_message_chars, autofocus=True)
                gr.Examples(EXAMPLES, inputs=message)
                cards = gr.HTML(label="Recommendations")
            with gr.Column(scale=1):
                device = gr.Dropdown(["unknown", "phone", "tablet", "desktop"], value="unknown", label="Device")
                minutes = gr.Number(label="Minutes this session", minimum=1, maximum=600, precision=0)
                gr.Markdown("### What I know about you")
                profile_box = gr.Markdown(EMPTY_PROFILE)
        # A fresh id per browser session; set by a private load event so it does not show up as an API endpoint.
        app.load(_new_learner_id, None, learner_id, api_visibility="private")
        message.submit(respond, [message, chatbot, learner_id, device, minutes], [chatbot, cards, profile_box, message],
                       api_visibility="private", concurrency_id=ENGINE_QUEUE)
        gr.api(api.chat, api_name="chat", concurrency_id=ENGINE_QUEUE)
        gr.api(api.recommend, api_name="recommend", concurrency_id=ENGINE_QUEUE)
        gr.api(api.profile, api_name="profile")
    return app
