"""Cookies that must reach the tool from inside an LMS's iframe, a third-party context."""

from __future__ import annotations

from starlette.responses import Response


def set_cross_site_cookie(response: Response, name: str, value: str, max_age: int | None) -> Response:
    """HttpOnly; Secure; SameSite=None (sent from the iframe); Partitioned (kept per LMS site, so browsers that
    block third-party cookies still keep it). Written by hand: Starlette writes Partitioned only on Python 3.14+."""
    parts = [f"{name}={value}", "Path=/", "Secure", "HttpOnly", "SameSite=None", "Partitioned"]
    if max_age is not None:
        parts.insert(1, f"Max-Age={max_age}")
    response.headers.append("set-cookie", "; ".join(parts))
    return response
