"""A small LTI 1.3 platform for tests, as an LMS would be: its own RSA key and JWKS, a course page that embeds the
tool in an iframe and starts the OIDC login, and an authorization endpoint that answers with a signed id_token.

Served by uvicorn on a loopback port under the name "localhost", so the tool (on 127.0.0.1) is a different site,
as in a real LMS. A test picks what the next id_token is like with `scenario` (valid, tampered, wrong_audience,
unknown_deployment, expired, replay).
"""

from __future__ import annotations

import base64
import html
import json
import threading
import time
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from ports import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLIENT_ID = "assistant-client-1"
DEPLOYMENT = "deploy-1"
KID = "platform-key-1"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
COURSE = {"id": "course-42", "label": "RUST101", "title": "Rust programming for beginners",
          "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]}


def _auto_post(action: str, fields: dict[str, str], target: str = "") -> HTMLResponse:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    target_attr = f' target="{target}"' if target else ""
    return HTMLResponse(f'<form id="go" method="post" action="{html.escape(action)}"{target_attr}>{inputs}</form>'
                        '<script>document.getElementById("go").submit()</script>')


class Platform:
    def __init__(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
        public = json.loads(JWK.from_pem(self.private_pem).export_public())
        self.jwks = {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}
        self.port = free_port()
        self.tool_url = ""  # set by the test once the tool is serving
        self.last_valid_token: str | None = None
        self.issued: list[dict] = []
        app = Starlette(routes=[Route("/jwks", self._jwks), Route("/course", self._course),
                                Route("/auth", self._auth, methods=["GET", "POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)

    @property
    def issuer(self) -> str:
        return f"http://localhost:{self.port}"

    def registration(self) -> dict:
        """What the tool's ASSISTANT_LTI_PLATFORMS names for this platform."""
        return {"issuer": self.issuer, "client_id": CLIENT_ID, "deployment_ids": [DEPLOYMENT],
                "auth_login_url": f"{self.issuer}/auth", "auth_token_url": f"{self.issuer}/token",
                "key_set_url": f"http://127.0.0.1:{self.port}/jwks"}

    def course_url(self, sub: str, scenario: str = "valid") -> str:
        return f"{self.issuer}/course?{urlencode({'sub': sub, 'scenario': scenario})}"

    async def _jwks(self, _: Request) -> JSONResponse:
        return JSONResponse(self.jwks)

    async def _course(self, request: Request) -> HTMLResponse:
        """The LMS's course page: the tool in an iframe, its login initiated into that iframe."""
        sub, scenario = request.query_params["sub"], request.query_params.get("scenario", "valid")
        login = _auto_post(f"{self.tool_url}/lti/login", {
            "iss": self.issuer, "login_hint": sub, "target_link_uri": f"{self.tool_url}/lti/launch",
            "lti_message_hint": scenario, "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT}, target="tool")
        return HTMLResponse(f'<h1>{COURSE["title"]}</h1><iframe id="tool" name="tool" title="Learning assistant" '
                            f'style="width:100%;height:900px" allow="clipboard-write"></iframe>{login.body.decode()}')

    def id_token(self, sub: str, nonce: str, scenario: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": CLIENT_ID, "sub": sub, "nonce": nonce, "iat": now, "exp": now + 300,
            LTI + "message_type": "LtiResourceLinkRequest", LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT, LTI + "target_link_uri": f"{self.tool_url}/lti/launch",
            LTI + "resource_link": {"id": "link-1", "title": "Learning assistant"},
            LTI + "roles": [LEARNER_ROLE], LTI + "context": COURSE,
        }
        if scenario == "wrong_audience":
            claims["aud"] = "some-other-tool"
        elif scenario == "unknown_deployment":
            claims[LTI + "deployment_id"] = "deploy-not-registered"
        elif scenario == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 300
        token = jwt.encode(claims, self.private_pem, algorithm="RS256", headers={"kid": KID})
        if scenario == "tampered":  # another learner's id in the payload, the signature left as it was
            header, _, signature = token.split(".")
            claims["sub"] = "someone-else"
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            token = f"{header}.{payload}.{signature}"
        self.issued.append(claims)
        return token

    async def _auth(self, request: Request) -> HTMLResponse:
        """The OIDC authorization endpoint: checks what a platform checks, then posts the id_token to the tool."""
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await request.form())
        if params.get("client_id") != CLIENT_ID or params.get("redirect_uri") != f"{self.tool_url}/lti/launch":
            return HTMLResponse("unknown client or redirect_uri", status_code=400)
        scenario = params.get("lti_message_hint", "valid")
        if scenario == "replay":  # an id_token that was already used, sent again (with this login's state)
            token = self.last_valid_token
        else:
            token = self.id_token(params["login_hint"], params["nonce"], scenario)
            if scenario == "valid":
                self.last_valid_token = token
        return _auto_post(params["redirect_uri"], {"id_token": token, "state": params["state"]})

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
