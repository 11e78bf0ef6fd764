"""Gradio UI and API: a thin layer over the engine, served alone or mounted in an existing FastAPI app."""

from __future__ import annotations

from typing import Any

import fastapi
import gradio as gr

from assistant.app.analytics_page import analytics_routes
from assistant.app.cards import CSS
from assistant.app.conversation import CSS as CONVERSATION_CSS
from assistant.app.limits import body_limit
from assistant.app.lti import lti_routes
from assistant.app.ui import LIGHT_QUEUE, build_app
from assistant.app.words import I18N
from assistant.engine import Engine

__all__ = ["build_app", "launch", "mount", "serve"]

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _serving_options(engine: Engine) -> dict[str, Any]:
    """Safe defaults for public serving, shared by `launch` and `mount`; the LTI endpoints (when platforms are
    registered) and the curators' analytics page are routes of the same app, ahead of the page's."""
    return {
        "css": CSS + CONVERSATION_CSS, "i18n": I18N, "enable_monitoring": False, "max_file_size": "1mb",
        "ssr_mode": False, "mcp_server": False, "footer_links": ["api"],
        "app_kwargs": {"middleware": body_limit(), "routes": lti_routes(engine) + analytics_routes(engine)},
        # The browser would otherwise keep a copy of every turn, which "forget me" could not delete.
        "run_history": False,
        # show_error=False still shows gr.Error messages (our readable input errors); other exceptions stay generic.
        "show_error": False,
    }


def _threads(engine: Engine) -> int:
    """Worker threads: every turn that may run or wait, the quick events beside them, and a few to spare."""
    serving = engine.settings.serving
    return serving.turn_concurrency + serving.queue_max_size + LIGHT_QUEUE["concurrency_limit"] + 4


def _queued(engine: Engine) -> gr.Blocks:
    """The app with a bounded queue. Every turn reaches the engine at once: the engine runs `turn_concurrency` of
    them, lets `queue_max_size` wait, and answers the rest "busy, try again in N s" (gradio's own queue would
    only hold them until they time out)."""
    serving = engine.settings.serving
    admitted = serving.turn_concurrency + serving.queue_max_size
    return build_app(engine).queue(default_concurrency_limit=admitted, max_size=2 * admitted)


def _start_outbox(engine: Engine) -> None:
    """xAPI statements go to the LRS, and the retention sweep runs (now, then daily), on background threads while
    the app serves."""
    if engine.outbox is not None:
        engine.outbox.start()
    if engine.retention is not None:
        engine.retention.start()


def launch(engine: Engine, block: bool = True, port: int | None = None) -> gr.Blocks:
    """Start the server on the configured host (never a public share link)."""
    app = _queued(engine)
    _start_outbox(engine)
    app.launch(server_name=engine.settings.serving.host, server_port=port or engine.settings.serving.port, share=False,
               prevent_thread_lock=not block, quiet=True, max_threads=_threads(engine), **_serving_options(engine))
    return app


def mount(parent: fastapi.FastAPI, engine: Engine, path: str = "/assistant") -> fastapi.FastAPI:
    """Serve the page and API under `path` of an existing FastAPI app (run the parent with uvicorn as usual)."""
    _start_outbox(engine)
    return gr.mount_gradio_app(parent, _queued(engine), path, **_serving_options(engine))


def serve(engine: Engine) -> None:
    """Serve the page and API until interrupted."""
    settings = engine.settings.serving
    print(f"Serving the learning assistant on http://{settings.host}:{settings.port}", flush=True)
    if not (settings.api_key or settings.api_keys) and settings.host not in _LOOPBACK:
        print("Warning: the API is reachable from the network without a key; set ASSISTANT_SERVING_API_KEY.", flush=True)
    launch(engine, block=True)
