"""A bound on request bodies, so an oversized JSON call is refused before it is read into memory."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The largest body the page or an LMS needs: a message, a context and a profile edit are a few KB.
MAX_REQUEST_BYTES = 256 * 1024


class BodyLimit:
    """ASGI middleware: 413 for a declared length over the limit; a body that grows past it ends the request."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Request body too large."})
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            # A chunked body sends no length up front: stop reading it as if the client had gone away.
            return {"type": "http.disconnect"} if received > self.max_bytes else message

        await self.app(scope, bounded, send)


def body_limit() -> list[Middleware]:
    """The middleware list for a FastAPI app (gradio's `app_kwargs={"middleware": ...}`)."""
    return [Middleware(BodyLimit)]
