"""The tool side of an LTI 1.3 launch, on pylti1p3: OIDC login initiation, the launch (the platform's id_token checked
against its JWKS for signature, issuer, audience, deployment, nonce and expiry), and who the launched learner is.

Platforms come from settings (issuer, client id, deployment ids, auth and token URLs, JWKS URL). A refused login or
launch raises LaunchRefused with a sentence for the learner; nothing about the learner is stored then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime

import requests
from pydantic import ValidationError
from pylti1p3.exception import LtiException, LtiInvalidNonceException, OIDCException, ToolConfException
from pylti1p3.tool_config import ToolConfDict
from starlette.responses import Response

from assistant.config import LTISettings
from assistant.lms.keys import ToolKey
from assistant.lms.lti_adapters import CookieJar, LaunchRequest, OneTimeNonces, StoreLaunchState, ToolLaunch, ToolLogin
from assistant.lms.page_session import PageSessions
from assistant.profile.schema import utcnow
from assistant.profile.store import LearnerStore, LMSAccount

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
_LIBRARY_ERRORS = (LtiException, OIDCException, ToolConfException)


def lti_learner_id(issuer: str, deployment_id: str, subject: str) -> str:
    """Stable for one LMS user of one deployment (their profile is there at every launch); two platforms or two
    deployments can never produce the same id."""
    return "lti-" + hashlib.sha256(json.dumps([issuer, deployment_id, subject]).encode()).hexdigest()


class LaunchRefused(Exception):
    """A login or launch the tool will not accept: `reason` is for the learner, `detail` the library's words."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def _explain(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, LtiInvalidNonceException):
        return "This launch has already been used (each launch works once), or waited too long."
    if "State not found" in text or "Missing state" in text:
        return ("This launch does not continue a login started in this browser. If it keeps happening, let your "
                "browser keep cookies for this site inside your course's pages.")
    if "expired" in text:
        return "This launch has expired: the platform's token is past its expiry time."
    if "Signature verification failed" in text or "Unable to find public key" in text:
        return ("This launch's signature does not match the keys the platform publishes, so it may have been "
                "altered on the way.")
    if "deployment ID" in text:
        return "This deployment of the platform is not registered with the assistant."
    if "client_id=" in text or "Client id not registered" in text:
        return "This launch was meant for another tool: its audience is not the client id registered here."
    if "not found in settings" in text or "Could not find issuer" in text:
        return "This platform is not registered with the assistant."
    return "This is not a launch the assistant can accept."


class _TimeoutSession(requests.Session):
    """The library fetches the platform's JWKS with requests, which waits forever unless told otherwise."""

    def __init__(self, timeout_s: float):
        super().__init__()
        self.timeout_s = timeout_s

    def request(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout_s)
        return super().request(*args, **kwargs)


class LTITool:
    """The registered platforms, the tool's key and the page sessions launches open."""

    def __init__(self, settings: LTISettings, store: LearnerStore, key: ToolKey,
                 clock: Callable[[], datetime] = utcnow):
        self.settings, self.store, self.key, self.clock = settings, store, key, clock
        by_issuer: dict[str, list[dict]] = {}
        for platform in settings.platforms:
            by_issuer.setdefault(platform.issuer, []).append({
                "client_id": platform.client_id, "auth_login_url": platform.auth_login_url,
                "auth_token_url": platform.auth_token_url, "key_set_url": platform.key_set_url,
                "deployment_ids": platform.deployment_ids, "default": len(by_issuer.get(platform.issuer, [])) == 0})
        # The list form ("one issuer, many clients") makes the library look registrations up by the token's audience.
        self.config = ToolConfDict(by_issuer)
        for platform in settings.platforms:
            self.config.set_private_key(platform.issuer, key.private_pem, client_id=platform.client_id)
            self.config.set_public_key(platform.issuer, key.public_pem, client_id=platform.client_id)
        self.sessions = PageSessions(key.secret("page-session"), settings.session_hours, clock)

    def _services(self, params: Mapping[str, str], cookies: Mapping[str, str], secure: bool):
        request = LaunchRequest(params, cookies, secure)
        storage = StoreLaunchState(self.store, self.settings.state_ttl_s, self.clock)
        return request, storage, OneTimeNonces(request, storage), CookieJar(request)

    def login(self, params: Mapping[str, str], cookies: Mapping[str, str], secure: bool, launch_url: str) -> Response:
        """The platform's login initiation: a redirect to its authorization endpoint with a fresh state and nonce."""
        request, storage, nonces, jar = self._services(params, cookies, secure)
        login = ToolLogin(request, self.config, session_service=nonces, cookie_service=jar,
                          launch_data_storage=storage)
        try:
            return login.redirect(launch_url)
        except _LIBRARY_ERRORS as exc:
            raise LaunchRefused(_explain(exc), str(exc)) from exc

    def launch(self, params: Mapping[str, str], cookies: Mapping[str, str], secure: bool) -> LMSAccount:
        """The launch, validated by the library; the learner it is for, with their roles and course."""
        request, storage, nonces, jar = self._services(params, cookies, secure)
        launch = ToolLaunch(request, self.config, session_service=nonces, cookie_service=jar,
                            launch_data_storage=storage, requests_session=_TimeoutSession(self.settings.timeout_s))
        # The library checks the audience against the registration itself; PyJWT checks expiry, and these must exist.
        launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
        try:
            claims = launch.get_launch_data()
            if not launch.is_resource_launch():
                raise LaunchRefused("The assistant opens from a course link only (a resource link launch); deep "
                                    "linking and other LTI messages are not supported.")
        except _LIBRARY_ERRORS as exc:
            raise LaunchRefused(_explain(exc), str(exc)) from exc
        course = claims.get(CLAIM + "context") or {}
        issuer, deployment, subject = claims["iss"], claims[CLAIM + "deployment_id"], claims["sub"]
        try:
            return LMSAccount(
                learner_id=lti_learner_id(issuer, deployment, subject), issuer=issuer, deployment_id=deployment,
                subject=subject, roles=[r for r in claims.get(CLAIM + "roles", []) if isinstance(r, str)],
                context_id=course.get("id"), context_title=course.get("title"), context_label=course.get("label"),
                launched_at=self.clock())
        except (ValidationError, AttributeError) as exc:
            raise LaunchRefused("This launch's course or user details are malformed.", str(exc)) from exc
