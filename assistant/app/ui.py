"""The learner's page (the conversation with each reply's cards in it, earlier conversations, the editable profile)
and the LMS endpoints beside it."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any, get_args

import gradio as gr
from pydantic import ValidationError

from assistant.app.api import Api
from assistant.app.cards import escape
from assistant.app.conversation import (
    CONVERSATION_JS,
    SESSIONS_JS,
    Entry,
    entries_of,
    render_conversation,
    render_sessions,
)
from assistant.app.profile_panel import FORM_FIELDS, LANGUAGE_CHOICES, describe, edit_from_form, form_values
from assistant.app.words import t, word
from assistant.engine import Engine
from assistant.fair_use import Caller, SlowDown
from assistant.lms.page_session import COOKIE as LTI_COOKIE
from assistant.profile.schema import FORMATS, LEVEL_ORDER, Device, LearnerProfile
from assistant.profile.store import StoreWriteError
from assistant.reply import TurnContext
from assistant.turn import new_session_id
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
CONTEXT_JS = ("(message, learner, session, _time, _locale) => "
              "[message, learner, session, new Date().toTimeString().slice(0, 5), navigator.language]")


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

    def sessions(self, learner: str, current: str | None, language: str | None) -> str:
        return render_sessions(self.engine.learner_data.sessions(learner), current, language)

    def conversation(self, learner: str, entries: list[Entry], language: str | None) -> str:
        """The whole conversation, the learner's reactions shown on the cards."""
        return render_conversation(entries, language, self.engine.learner_data.feedback_given(learner),
                                   self.engine.resources.get)

    def _stored(self, learner: str, session: str) -> list[Entry]:
        try:
            return entries_of(self.engine.learner_data.session(learner, session))
        except InputError:  # not stored yet: a new conversation
            return []

    def start(self, learner: str, request: gr.Request) -> list[Any]:
        """A new conversation on every visit; the earlier ones listed, the profile shown."""
        learner = self._learner(learner, request)
        known = self._known(learner)
        session = new_session_id()
        language = known.language if known else None
        return [session, "", gr.update(visible=True), self.sessions(learner, session, language), *self.panel(known)]

    def respond(self, message: str, learner: str, session: str, local_time: str, locale: str,
                request: gr.Request):
        """Show the learner's message at once under the conversation so far, then the reply with its cards, then
        the cards with their reasons; the examples step aside."""
        learner = self._learner(learner, request)
        session = session or new_session_id()
        context = _context(local_time, locale, request)
        known = self._known(learner)
        language = known.language if known else None
        earlier = self._stored(learner, session)
        asked = earlier + [Entry("learner", message)]
        skip_rest = [gr.skip(), gr.skip()]  # the sessions list and the status line
        # The box empties at once; later updates leave it alone.
        yield [session, self.conversation(learner, asked, language), *_SKIP_PANEL, "", gr.update(visible=False),
               *skip_rest]
        try:
            for i, reply in enumerate(self.engine.turns.stream(learner, message, context, session_id=session,
                                                               caller=Caller())):
                language = reply.language
                shown = asked + [Entry("assistant", reply.text, reply)]
                panel = self.panel(reply.profile) if i == 0 else _SKIP_PANEL
                yield [gr.skip(), self.conversation(learner, shown, language), *panel, gr.skip(), gr.skip(),
                       *skip_rest]
        except SlowDown as slow:  # the message stays in the box, to send once the wait is over
            note = SlowDown.say(language, slow.retry_after_s)
            yield [gr.skip(), self.conversation(learner, earlier + [Entry("notice", note)], language), *_SKIP_PANEL,
                   message, gr.update(visible=not earlier), gr.skip(), ""]
            return
        except (InputError, StoreWriteError) as exc:  # the message stays in the box, to send again
            yield [gr.skip(), self.conversation(learner, asked + [Entry("notice", str(exc))], language),
                   *_SKIP_PANEL, message, gr.skip(), *skip_rest]
            return
        # The conversation is stored now: the list shows it.
        yield [gr.skip()] * (4 + len(_SKIP_PANEL)) + [self.sessions(learner, session, language), gr.skip()]

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

    def new_chat(self, learner: str, request: gr.Request) -> list[Any]:
        """An empty conversation; the one before is kept in the list."""
        learner = self._learner(learner, request)
        known = self._known(learner)
        session = new_session_id()
        return [session, "", gr.update(visible=True), self.sessions(learner, session, known and known.language), ""]

    def session_event(self, learner: str, session: str, event: gr.EventData, request: gr.Request) -> list[Any]:
        """An earlier conversation opened (its turns and cards, with the reactions given) or deleted."""
        learner = self._learner(learner, request)
        known = self._known(learner)
        language = known.language if known else None
        chosen, action = getattr(event, "session_id", None), getattr(event, "action", None)
        try:
            if action == "delete":
                self.engine.learner_data.delete_session(learner, chosen)
                if chosen == session:  # the open conversation went: a new one starts
                    session = new_session_id()
                    return [session, "", gr.update(visible=True), self.sessions(learner, session, language),
                            _status(word("session_deleted", language))]
                return [gr.skip(), gr.skip(), gr.skip(), self.sessions(learner, session, language),
                        _status(word("session_deleted", language))]
            entries = entries_of(self.engine.learner_data.session(learner, chosen))
        except InputError:
            return [gr.skip(), gr.skip(), gr.skip(), self.sessions(learner, session, language),
                    _status(word("session_gone", language))]
        return [chosen, self.conversation(learner, entries, language), gr.update(visible=not entries),
                self.sessions(learner, chosen, language), ""]

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
        LMS self, starting afresh) in a new, empty conversation."""
        learner = self._learner(learner, request)
        known = self._known(learner)
        if known is not None:
            self.engine.learner_data.forget(learner)
        language = known.language if known else None
        note = _status(word("forgotten", language))
        return [_new_learner_id(), new_session_id(), "", gr.update(visible=True), render_sessions([], None, language),
                *self.panel(None), gr.update(visible=False), "", note]


def build_app(engine: Engine) -> gr.Blocks:
    """The page for learners plus the public API; the page's own events stay out of the API."""
    api, page = Api(engine), Page(engine)
    with gr.Blocks(title="Learning assistant", analytics_enabled=False) as app:
        # The browser keeps its learner id, so a returning learner finds their profile and conversations again.
        learner = gr.BrowserState(None, storage_key="learning-assistant-learner",
                                  secret="learning-assistant")  # the id is the secret; this only obfuscates storage
        session = gr.Textbox(visible=False)  # the open conversation; a new one per visit and per "new chat"
        gr.Markdown(t("heading"))
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=220, elem_id="history-column"):
                new_chat = gr.Button(t("new_chat"), size="sm", elem_id="new-chat")
                gr.Markdown(t("history"))
                sessions = gr.HTML(elem_id="sessions", js_on_load=SESSIONS_JS)
            with gr.Column(scale=3, min_width=320, elem_id="chat-column"):
                chat = gr.HTML(elem_id="chat", js_on_load=CONVERSATION_JS, autoscroll=False)
                message = gr.Textbox(label=t("message"), placeholder=t("placeholder"), submit_btn=True, lines=1,
                                     max_length=engine.settings.serving.max_message_chars, autofocus=True,
                                     elem_id="message")
                with gr.Column(elem_id="examples") as examples:
                    gr.Examples(EXAMPLES, inputs=message, label=t("examples"))
                local_time, locale = gr.Textbox(visible=False), gr.Textbox(visible=False)
                status = gr.HTML(elem_id="status")
            with gr.Column(scale=2, min_width=300, elem_id="profile-column"):
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
        for endpoint in (api.feedback, api.profile, api.update_profile, api.sessions, api.session,
                         api.delete_session, api.export, api.forget):
            gr.api(endpoint, api_name=endpoint.__name__, **LIGHT_QUEUE)

        panel = [profile_html, *form]
        opened = [session, chat, examples, sessions]  # what opening a conversation changes
        app.load(None, learner, learner, js=LEARNER_JS).then(page.start, learner, [*opened, *panel],
                                                             api_visibility="private")
        message.submit(page.respond, [message, learner, session, local_time, locale],
                       [session, chat, *panel, message, examples, sessions, status], js=CONTEXT_JS,
                       api_visibility="private", concurrency_id=ENGINE_QUEUE)
        chat.click(page.card_event, learner, [*panel, status], **PAGE_LIGHT)
        new_chat.click(page.new_chat, learner, [*opened, status], **PAGE_LIGHT)
        sessions.click(page.session_event, [learner, session], [*opened, status], **PAGE_LIGHT)
        save.click(page.save, [learner, *form], [*panel, status], **PAGE_LIGHT)
        reset.click(page.reset, learner, [*panel, status], **PAGE_LIGHT)
        export.click(page.export, learner, [export_link, status], **PAGE_LIGHT)
        forget.click(lambda: gr.update(visible=True), None, confirm_row, **PAGE_LIGHT)
        cancel.click(lambda: gr.update(visible=False), None, confirm_row, **PAGE_LIGHT)
        confirm.click(page.forget, learner, [learner, *opened, *panel, confirm_row, export_link, status],
                      **PAGE_LIGHT)
    return app
