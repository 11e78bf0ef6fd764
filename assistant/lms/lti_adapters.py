"""pylti1p3 on Starlette: the request, cookie, redirect and launch-state adapters the library asks a framework for.

The library does all of the protocol (OIDC login, id_token signature against the platform's JWKS, issuer, client id,
deployment, nonce, message claims); these classes only hand it what a Starlette request holds and carry its cookies
and redirects back out.
"""

from __future__ import annotations

import json
import typing as t
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from pylti1p3.cookie import CookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from starlette.responses import HTMLResponse, RedirectResponse, Response

from assistant.lms.cookies import set_cross_site_cookie
from assistant.profile.store import LearnerStore


class LaunchRequest(Request):
    """A login or launch request as the library reads it: its parameters (query or form), cookies and scheme."""

    def __init__(self, params: Mapping[str, str], cookies: Mapping[str, str], secure: bool):
        self._params, self._cookies, self._secure = params, cookies, secure

    @property
    def session(self) -> dict:
        return {}  # launch state lives in the learner store (StoreLaunchState), not a framework session

    def is_secure(self) -> bool:
        return self._secure

    def get_param(self, key: str) -> str | None:
        return self._params.get(key)

    def get_cookie(self, key: str) -> str | None:
        return self._cookies.get(key)


class CookieJar(CookieService):
    """The library's cookies (the login's state), read from the request and set on the response. They must reach
    the launch from inside the LMS's iframe, a third-party context: SameSite=None; Secure; Partitioned."""

    def __init__(self, request: LaunchRequest):
        self._request = request
        self._to_set: dict[str, tuple[str, int | None]] = {}

    def _name(self, name: str) -> str:
        return f"{self._cookie_prefix}-{name}"

    def get_cookie(self, name: str) -> str | None:
        return self._request.get_cookie(self._name(name))

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self._to_set[self._name(name)] = (str(value), exp)

    def apply(self, response: Response) -> Response:
        for name, (value, max_age) in self._to_set.items():
            set_cross_site_cookie(response, name, value, max_age)
        return response


class StoreLaunchState(LaunchDataStorage[t.Any]):
    """Login state and nonces in the learner store: every replica sees them, they expire after `ttl`, and a nonce
    can be taken only once."""

    def __init__(self, store: LearnerStore, ttl_s: int, clock: Callable[[], datetime]):
        super().__init__()
        self.store, self.ttl_s, self.clock = store, ttl_s, clock

    def get_session_cookie_name(self) -> None:
        return None  # keys are random; the state cookie already ties the launch to the browser that logged in

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> t.Any:
        value = self.store.get_launch_state(key, self.clock())
        return None if value is None else json.loads(value)

    def set_value(self, key: str, value: t.Any, exp: int | None = None) -> None:
        if key.startswith("launch-"):
            return  # the launch's claims are used at once and never restored; its personal data is not kept
        seconds = min(exp or self.ttl_s, self.ttl_s)
        self.store.put_launch_state(key, json.dumps(value), self.clock() + timedelta(seconds=seconds))

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def take(self, key: str) -> bool:
        return self.store.take_launch_state(key, self.clock()) is not None


class OneTimeNonces(SessionService):
    """The library's session service, except that checking a nonce uses it up: a replayed id_token is refused."""

    def __init__(self, request: LaunchRequest, storage: StoreLaunchState):
        super().__init__(request)
        self.set_data_storage(storage)

    def check_nonce(self, nonce: str) -> bool:
        storage = t.cast(StoreLaunchState, self.data_storage)
        return storage.take(self._get_key("nonce", nonce))


class Redirector(Redirect[Response]):
    """The library's redirect to the platform's authorization endpoint, carrying the state cookie."""

    def __init__(self, location: str, cookies: CookieJar):
        self._location, self._cookies = location, cookies

    def do_redirect(self) -> Response:
        return self._cookies.apply(RedirectResponse(self._location, status_code=302))

    def do_js_redirect(self) -> Response:
        return self._cookies.apply(HTMLResponse(
            f"<script>window.location={json.dumps(self._location)};</script>"))

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class ToolLogin(OIDCLogin):
    def get_redirect(self, url: str) -> Redirector:
        return Redirector(url, self._cookie_service)


class ToolLaunch(MessageLaunch):
    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)
