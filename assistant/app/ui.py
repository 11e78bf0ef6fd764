"""The learner's page (streamed chat, cards with feedback, the editable profile) and the LMS endpoints beside it."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any, get_args

import gradio as gr
from pydantic import ValidationError

from assistant.app.api import Api
from assistant.app.cards import CARD_EVENTS_JS, escape, render_reply
from assistant.app.profile_panel import FORM_FIELDS, LANGUAGE_CHOICES, describe, edit_from_form, form_values
from assistant.app.words import t, word
from assistant.engine import Engine
from assistant.lms.page_session import COOKIE as LTI_COOKIE
from assistant.profile.schema import FORMATS, LEVEL_ORDER, Device, LearnerProfile
from assistant.reply import TurnContext
from assistant.validation import InputError

EXAMPLES = [
    "I'm new to programming and want to learn Rust. Books please.",
    "I only have 15 minutes a day on my phone. Python is what I want to learn.",
    "I want to learn Bayesian networks, but I never understood Bayes' rule.",
    "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。",
    "我是编程新手，想学 Python，每天半小时，最好是视频。",
]
# Every event that runs a turn shares one queue; the engine decides how many run at once (serving.turn_concurrency).
ENGINE_QUEUE = "engine"
# Feedback and profile reads and writes are quick: a few run beside the turns.
LIGHT_QUEUE = {"concurrency_id": "light", "concurrency_limit": 4}
PAGE_LIGHT = {**LIGHT_QUEUE, "api_visibility": "private"}
# Page learners get unguessable ids of their own shape, so the page can never reach an LMS's learners.
_PAGE_LEARNER = re.compile(r"^web-[0-9a-f]{32}$")
# The browser keeps its learner id, or makes one at once (before the learner can type; a server round trip could
# lose that race). 128 random bits from the browser's CSPRNG, the same shape the server makes after "forget me".
LEARNER_JS = ("(stored) => /^web-[0-9a-f]{32}$/.test(stored || '') ? stored : 'web-' + "
              "Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('')")
# The browser adds its local time and language to each message (the server cannot know them).
CONTEXT_JS = ("(message, history, learner, _time, _locale) => "
              "[message, history, learner, new Date().toTimeString().slice(0, 5), navigator.language]")


# Leaves the profile panel (its text and every form field) as it is.
_SKIP_PANEL = [gr.skip()] * (1 + len(FORM_FIELDS))


def _new_learner_id() -> str:
    return f"web-{uuid.uuid4().hex}"


def _page_learner(value: Any) -> str:
    if not isinstance(value, str) or not _PAGE_LEARNER.match(value):
        raise gr.Error("This page's session is not valid any more: please reload the page.", print_exception=False)
    return value


def _device(request: gr.Request | None) -> str | None:
    """The device class the browser says it runs on."""
    agent = request.headers.get("user-agent", "") if request is not None else ""
    if not agent:
        return None
    if "iPad" in agent or "Tablet" in agent:
        return "tablet"
    return "phone" if "Mobi" in agent or "Android" in agent else "desktop"


def _context(local_time: str, locale: str, request: gr.Request | None) -> TurnContext:
    """What the browser says about the learner's situation; a malformed value is dropped, never a reason to refuse."""
    valid = {}
    for key, value in {"device": _device(request), "local_time": local_time, "locale": locale}.items():
        try:
            TurnContext.model_validate({key: value or None})
        except ValidationError:
            continue
        valid[key] = value or None
    return TurnContext(**valid)


def _status(text: str) -> str:
    return f'<p role="status">{escape(text)}</p>' if text else ""


class Page:
    """The page's event handlers. Each takes the browser's learner id first and returns component values."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def _learner(self, value: Any, request: gr.Request | None) -> str:
        """The LMS learner an LTI launch opened this page for (its signed, HttpOnly cookie), else the browser's own
        web-... learner. Only a launch sets that cookie, so the page can never name an LMS learner itself."""
        token = request.cookies.get(LTI_COOKIE) if request is not None and self.engine.lti is not None else None
        if token is None:
            return _page_learner(value)
        learner = self.engine.lti.sessions.learner(token)
        if learner is None:
            raise gr.Error("Your course session has ended: open the assistant again from your course.",
                           print_exception=False)
        return learner

    def _known(self, learner: str) -> LearnerProfile | None:
        try:
            return self.engine.learner_data.profile(learner)
        except InputError:
            return None

    def panel(self, profile: LearnerProfile | None) -> list[Any]:
        """The profile in words, then the edit form's values."""
        return [describe(profile, self.engine.resources.get), *form_values(profile)]

    def start(self, learner: str, request: gr.Request) -> list[Any]:
        """What is known about the learner this browser remembers (or the course launched)."""
        return self.panel(self._known(self._learner(learner, request)))

    def respond(self, message: str, history: list, learner: str, local_time: str, locale: str,
                request: gr.Request):
        """Show the learner's message at once, then the cards, then the cards with their reasons."""
        learner = self._learner(learner, request)
        context = _context(local_time, locale, request)
        history = list(history or []) + [{"role": "user", "content": message}]
        yield [history, gr.skip(), *_SKIP_PANEL, "", ""]  # the box empties at once; later updates leave it alone
        try:
            for i, reply in enumerate(self.engine.turns.stream(learner, message, context)):
                shown = history + [{"role": "assistant", "content": reply.text}]
                panel = self.panel(reply.profile) if i == 0 else _SKIP_PANEL
                yield [shown, render_reply(reply, self.engine.resources.get), *panel, gr.skip(), gr.skip()]
        except InputError as exc:
            yield [history + [{"role": "assistant", "content": str(exc)}], gr.skip(), *_SKIP_PANEL, message, ""]

    def card_event(self, learner: str, event: gr.EventData, request: gr.Request) -> list[Any]:
        """A feedback button or a title link on a card: record it; the profile panel shows the change."""
        learner = self._learner(learner, request)
        resource_id, kind = getattr(event, "resource_id", None), getattr(event, "kind", None)
        try:
            profile = self.engine.learner_data.feedback(learner, resource_id, kind)
        except InputError as exc:
            return [*_SKIP_PANEL, _status(str(exc))]
        if kind == "opened":  # the learner is off reading; the panel's change says enough
            return [*self.panel(profile), gr.skip()]
        language, title = profile.language, self.engine.learner_data.resource(resource_id).title
        return [*self.panel(profile), _status(f"{word('noted', language)}{word('colon', language)}{title} — "
                                              f"{word(kind, language)}")]

    def save(self, learner: str, request: gr.Request, *values: Any) -> list[Any]:
        """The form's changed fields become the learner's own correction to their profile."""
        learner = self._learner(learner, request)
        known = self._known(learner)
        try:
            profile = self.engine.learner_data.update_profile(learner, edit_from_form(known, list(values)))
        except ValidationError as exc:
            error = exc.errors()[0]
            return [*_SKIP_PANEL, _status(f"{error['loc'][0]}: {error['msg']}")]
        return [*self.panel(profile), _status(word("saved", profile.language))]

    def reset(self, learner: str, request: gr.Request) -> list[Any]:
        learner = self._learner(learner, request)
        known = self._known(learner)
        if known is None:
            return [*self.panel(None), _status(word("nothing_stored", None))]
        profile = self.engine.learner_data.reset_profile(learner)
        return [*self.panel(profile), _status(word("reset_done", known.language))]

    def export(self, learner: str, request: gr.Request) -> list[Any]:
        """A download link holding the learner's data (a data: URL, so no copy is left on the server's disk)."""
        learner = self._learner(learner, request)
        known = self._known(learner)
        if known is None:
            return ["", _status(word("nothing_stored", None))]
        data = base64.b64encode(self.engine.learner_data.export(learner).model_dump_json(indent=2).encode()).decode()
        link = (f'<a class="export-link" download="learning-assistant-data.json" '
                f'href="data:application/json;base64,{data}">{word("download", known.language)}</a>')
        return [link, ""]

    def forget(self, learner: str, request: gr.Request) -> list[Any]:
        """Delete everything about this learner; the browser continues as a new learner (a launched one stays their
        LMS self, starting afresh)."""
        learner = self._learner(learner, request)
        known = self._known(learner)
        if known is not None:
            self.engine.learner_data.forget(learner)
        note = _status(word("forgotten", known.language if known else None))
        return [_new_learner_id(), [], "", *self.panel(None), gr.update(visible=False), "", note]


def build_app(engine: Engine) -> gr.Blocks:
    """The page for learners plus the public API; the page's own events stay out of the API."""
    api, page = Api(engine), Page(engine)
    with gr.Blocks(title="Learning assistant", analytics_enabled=False) as app:
        # The browser keeps its learner id, so a returning learner finds their profile again.
        learner = gr.BrowserState(None, storage_key="learning-assistant-learner",
                                  secret="learning-assistant")  # the id is the secret; this only obfuscates storage
        gr.Markdown(t("heading"))
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(label=t("conversation"), height=300, render_markdown=False, elem_id="chat")
                message = gr.Textbox(label=t("message"), placeholder=t("placeholder"), submit_btn=True, lines=1,
                                     max_length=engine.settings.serving.max_message_chars, autofocus=True, elem_id="message")
                gr.Examples(EXAMPLES, inputs=message, label=t("examples"))
                local_time, locale = gr.Textbox(visible=False), gr.Textbox(visible=False)
                status = gr.HTML(elem_id="status")
                cards = gr.HTML(elem_id="cards", js_on_load=CARD_EVENTS_JS, autoscroll=False)
            with gr.Column(scale=2, min_width=300):
                gr.Markdown(t("about_you"))
                profile_html = gr.HTML(elem_id="profile")
                with gr.Accordion(t("edit"), open=False, elem_id="profile-edit"):
                    form = [
                        gr.Textbox(label=t("topics"), max_lines=2, max_length=800),
                        gr.Dropdown([(t("not_set"), "unknown")] + [(t(v), v) for v in LEVEL_ORDER], label=t("level")),
                        gr.CheckboxGroup([(t(f), f) for f in FORMATS], label=t("formats")),
                        gr.CheckboxGroup([(t(f), f) for f in FORMATS], label=t("avoid")),
                        gr.Number(label=t("minutes"), minimum=1, maximum=24 * 60, precision=0),
                        gr.Dropdown([(t("not_set"), "")] + [(t(d), d) for d in get_args(Device)], label=t("device")),
                        gr.Dropdown([(t("not_set"), "")] + LANGUAGE_CHOICES, label=t("language"),
                                    allow_custom_value=True),
                        gr.Checkbox(label=t("free_only")),
                    ]
                    save = gr.Button(t("save"), variant="primary")
                with gr.Row():
                    reset = gr.Button(t("reset"), size="sm")
                    export = gr.Button(t("export"), size="sm")
                    forget = gr.Button(t("forget"), size="sm", variant="stop")
                with gr.Row(visible=False) as confirm_row:
                    confirm = gr.Button(t("confirm_forget"), variant="stop", size="sm")
                    cancel = gr.Button(t("cancel"), size="sm")
                export_link = gr.HTML(elem_id="export")

        # The API first, so its endpoints keep their plain names (the page's private events are named after
        # their handlers, and a later event with a taken name gets a suffix).
        gr.api(api.chat, api_name="chat", concurrency_id=ENGINE_QUEUE)
        gr.api(api.recommend, api_name="recommend", concurrency_id=ENGINE_QUEUE)
        for endpoint in (api.feedback, api.profile, api.update_profile, api.export, api.forget):
            gr.api(endpoint, api_name=endpoint.__name__, **LIGHT_QUEUE)

        panel = [profile_html, *form]
        app.load(None, learner, learner, js=LEARNER_JS).then(page.start, learner, panel, api_visibility="private")
        message.submit(page.respond, [message, chatbot, learner, local_time, locale],
                       [chatbot, cards, *panel, message, status], js=CONTEXT_JS, api_visibility="private",
                       concurrency_id=ENGINE_QUEUE)
        cards.click(page.card_event, learner, [*panel, status], **PAGE_LIGHT)
        save.click(page.save, [learner, *form], [*panel, status], **PAGE_LIGHT)
        reset.click(page.reset, learner, [*panel, status], **PAGE_LIGHT)
        export.click(page.export, learner, [export_link, status], **PAGE_LIGHT)
        forget.click(lambda: gr.update(visible=True), None, confirm_row, **PAGE_LIGHT)
        cancel.click(lambda: gr.update(visible=False), None, confirm_row, **PAGE_LIGHT)
        confirm.click(page.forget, learner, [learner, chatbot, cards, *panel, confirm_row, export_link, status],
                      **PAGE_LIGHT)
    return app
