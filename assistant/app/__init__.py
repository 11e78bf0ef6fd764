"""Gradio UI and API: a thin layer over the engine."""

from __future__ import annotations

import gradio as gr

from assistant.app.cards import CSS
from assistant.app.ui import build_app
from assistant.engine import Engine

__all__ = ["build_app", "launch", "serve"]

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def launch(engine: Engine, block: bool = True, port: int | None = None) -> gr.Blocks:
    """Start the server on the configured host; one turn runs at a time and at most 64 wait."""
    app = build_app(engine).queue(default_concurrency_limit=1, max_size=64)
    app.launch(
        server_name=engine.settings.host, server_port=port or engine.settings.port, share=False,
        prevent_thread_lock=not block, css=CSS, enable_monitoring=False, max_file_size="1mb",
        # show_error=False still shows gr.Error messages (our readable input errors); other exceptions stay generic.
        show_error=False,
    )
    return app


def serve(engine: Engine) -> None:
    """Serve the page and API until interrupted."""
    settings = engine.settings
    print(f"Serving the learning assistant on http://{settings.host}:{settings.port}", flush=True)
    if settings.api_key is None and settings.host not in _LOOPBACK:
        print("Warning: the API is reachable from the network without a key; set ASSISTANT_API_KEY.", flush=True)
    launch(engine, block=True)
