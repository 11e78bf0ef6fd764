"""The LTI 1.3 endpoints, mounted beside the page: /lti/login (OIDC initiation), /lti/launch, /lti/jwks.json.

A valid launch records the learner (account, roles, course topics) and lands on the chat page with a signed session
cookie naming them; a refused one gets a page saying why, and nothing about the learner is stored.
"""

from __future__ import annotations

import html

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from assistant.engine import Engine
from assistant.lms.lti import LaunchRefused

_REFUSED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Launch refused</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
.detail{{color:#555;font-size:.9rem}}</style></head>
<body><main><h1>The learning assistant could not open</h1>
<p id="reason">{reason}</p>
<p>Nothing was stored. Open the assistant again from your course; if this keeps happening, show this page to your
course administrator.</p>
<p class="detail" id="detail">Details: {detail}</p></main></body></html>
"""


def refused_page(refusal: LaunchRefused) -> HTMLResponse:
    return HTMLResponse(_REFUSED_PAGE.format(reason=html.escape(refusal.reason),
                                             detail=html.escape(refusal.detail or refusal.reason)), status_code=400)


async def _params(request: Request) -> dict[str, str]:
    """A login may come as a GET or a form POST; a launch is a form POST."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: v for k, v in (await request.form()).items() if isinstance(v, str)})
    return params


def lti_routes(engine: Engine) -> list[BaseRoute]:
    """The /lti routes for this engine; none when no platform is registered."""
    tool = engine.lti
    if tool is None:
        return []
    public_url = engine.settings.serving.public_url.rstrip("/")

    def secure(request: Request) -> bool:
        return request.url.scheme == "https" or public_url.startswith("https://")

    async def login(request: Request) -> Response:
        # The launch URL must match the redirect URI registered on the platform exactly: the public one if set.
        here = request.url.replace(query="", fragment="")
        launch_url = f"{public_url}/lti/launch" if public_url else str(here).rsplit("/login", 1)[0] + "/launch"
        try:
            return await run_in_threadpool(tool.login, await _params(request), request.cookies, secure(request),
                                           launch_url)
        except LaunchRefused as refusal:
            return refused_page(refusal)

    async def launch(request: Request) -> Response:
        try:
            account = await run_in_threadpool(tool.launch, await _params(request), request.cookies, secure(request))
        except LaunchRefused as refusal:
            return refused_page(refusal)
        await run_in_threadpool(engine.learner_data.arrive, account)
        # 303: the browser follows with a GET of the page, one level up from /lti/launch wherever it is mounted.
        return tool.sessions.set_on(RedirectResponse("../", status_code=303), account.learner_id)

    async def jwks(_: Request) -> Response:
        return JSONResponse(tool.key.jwks())

    return [Mount("/lti", routes=[
        Route("/login", login, methods=["GET", "POST"]),
        Route("/launch", launch, methods=["POST"]),
        Route("/jwks.json", jwks, methods=["GET"]),
    ])]
