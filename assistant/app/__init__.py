"""Gradio UI and API: a thin layer over the engine."""

from __future__ import annotations

from assistant.app.cards import CSS
from assistant.app.ui import build_app
from assistant.engine import Engine

__all__ = ["build_app", "launch", "serve"]


def launch(engine: Engine, block: bool = True, port: int | None = None):
    """Start the server on the configured host; the LLM serialises work, so one turn runs at a time."""
    app = build_app(engine).queue(default_concurrency_limit=1, max_size=64)
    app.launch(
        server_name=engine.settings.host, server_port=port or engine.settings.port, share=False,
        prevent_thread_lock=not block, show_error=True, css=CSS, enable_monitoring=False,
        max_file_size="1mb",
    )
    return app


def serve(engine: Engine) -> None:
    print(f"Serving the learning assistant on http://{engine.settings.host}:{engine.settings.port}", flush=True)
    launch(engine, block=True)
