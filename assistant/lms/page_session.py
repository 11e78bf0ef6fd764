"""The signed cookie that lets a launched learner's page act as them, and only them.

HttpOnly, so the page's scripts cannot read or set it; SameSite=None; Secure; Partitioned, so the browser sends it
from inside the LMS's iframe. The page's own learners keep their random web-... ids and can never name an LTI one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import jwt
from starlette.responses import Response

from assistant.lms.cookies import set_cross_site_cookie

COOKIE = "assistant-lti"
_AUDIENCE = "assistant-page"


class PageSessions:
    def __init__(self, secret: bytes, hours: float, clock: Callable[[], datetime]):
        self.secret, self.lifetime, self.clock = secret, timedelta(hours=hours), clock

    def issue(self, learner_id: str) -> str:
        now = self.clock()
        return jwt.encode({"sub": learner_id, "aud": _AUDIENCE, "iat": now, "exp": now + self.lifetime},
                          self.secret, algorithm="HS256")

    def learner(self, token: str) -> str | None:
        """The learner the cookie names, or None when it is forged, altered or expired."""
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], audience=_AUDIENCE,
                                options={"require": ["sub", "exp"]})
        except jwt.InvalidTokenError:
            return None
        return claims["sub"]

    def set_on(self, response: Response, learner_id: str) -> Response:
        return set_cross_site_cookie(response, COOKIE, self.issue(learner_id), int(self.lifetime.total_seconds()))
