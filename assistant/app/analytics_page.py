"""The curators' analytics page, /analytics/: charts and tables of what learners asked for and did not get, with a
CSV (and PNG) of each. Behind the admin key (ASSISTANT_SERVING_ADMIN_KEY; HTTP Basic password, X-Admin-Key or
Bearer); off without one. The learner page never links here."""

from __future__ import annotations

import base64
import binascii
import hmac
import html
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from assistant.analytics.charts import CHARTS, render
from assistant.analytics.tables import Aggregates, Table
from assistant.engine import Engine
from assistant.profile.schema import utcnow

SHOWN_ROWS = 15  # rows of each table on the page; the CSV has them all
_STYLE = """body{font-family:system-ui,sans-serif;max-width:62rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
.note{background:#eef4fb;border-left:4px solid #457b9d;padding:.6rem .9rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ccc;padding:2px 8px}
th{background:#f2f2f2;text-align:left}td.n{text-align:right}img{max-width:100%;height:auto}
section{margin-bottom:1.6rem}.files a{margin-right:1rem}"""


def _given_key(request: Request) -> str:
    """The key from HTTP Basic (any user name), X-Admin-Key or Authorization: Bearer."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            return base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return request.headers.get("x-admin-key") or auth.removeprefix("Bearer ").strip()


def _refusal(expected: str | None, request: Request) -> Response | None:
    if not expected:
        return PlainTextResponse("The analytics page is off: set ASSISTANT_SERVING_ADMIN_KEY to open it.",
                                 status_code=403)
    if not hmac.compare_digest(_given_key(request).encode(), expected.encode()):
        return PlainTextResponse("The analytics page needs the admin key (as the password of the browser's login, "
                                 "or an X-Admin-Key header).", status_code=401,
                                 headers={"WWW-Authenticate": 'Basic realm="analytics", charset="UTF-8"'})
    return None


def _days(request: Request) -> int | None:
    value = request.query_params.get("days", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _cell(value: object) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<td class="n">{value}</td>' if number else f"<td>{html.escape(str(value))}</td>"


def _table(table: Table, query: str) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    rows = "".join(f"<tr>{''.join(_cell(v) for v in row)}</tr>" for row in table.rows[:SHOWN_ROWS])
    more = f"<p>{len(table.rows) - SHOWN_ROWS} more rows in the CSV.</p>" if len(table.rows) > SHOWN_ROWS else ""
    body = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}" if table.rows \
        else "<p>Nothing to count yet.</p>"
    return (f'<p class="files"><a href="{table.name}.csv{query}" download>{table.name}.csv</a></p>{body}')


def page_html(aggregates: Aggregates, charts: dict[str, bytes], days: int | None, retention_days: float | None) -> str:
    query = f"?days={days}" if days else ""
    span = (f"from {aggregates.first:%Y-%m-%d %H:%M} to {aggregates.last:%Y-%m-%d %H:%M} UTC"
            if aggregates.first and aggregates.last else "nothing stored yet")
    kept = f"Turns and events are kept {retention_days:g} days." if retention_days else \
        "Turns and events are kept until learners delete them."
    window = f"the last {days} days" if days else "everything kept"
    sections = []
    for name, table in aggregates.tables.items():
        chart = ""
        if name in CHARTS:
            chart = (f'<img src="data:image/png;base64,{base64.b64encode(charts[name]).decode()}" '
                     f'alt="Chart: {html.escape(table.title)}"> <a href="{name}.png{query}" download>{name}.png</a>')
        sections.append(f'<section id="{name}"><h2>{html.escape(table.title)}</h2><p>{html.escape(table.about)}</p>'
                        f"{chart}{_table(table, query)}</section>")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>Learning assistant: analytics</title>'
            f"<style>{_STYLE}</style></head><body><main><h1>What learners asked for, and what the catalog lacks</h1>"
            f'<p class="note" id="privacy">Aggregates only: counts over all learners\' turns and feedback. No '
            f"learner ids and no message text are shown; topics are the catalog's own names. {kept}</p>"
            f'<p id="summary">Counted over {window}: <strong>{aggregates.turns}</strong> recommendation turns and '
            f"<strong>{aggregates.events}</strong> feedback events, {span}. "
            f'Other windows: <a href="?days=7">7 days</a>, <a href="?days=30">30 days</a>, <a href="./">all</a>.</p>'
            f"{''.join(sections)}</main></body></html>")


def analytics_routes(engine: Engine) -> list[BaseRoute]:
    """/analytics/ (the page), /analytics/NAME.csv and /analytics/NAME.png; each refused without the admin key."""

    def compute(request: Request) -> Aggregates:
        days = _days(request)
        return engine.analytics.compute(utcnow() - timedelta(days=days) if days else None)

    async def page(request: Request) -> Response:
        refused = _refusal(engine.settings.serving.admin_key, request)
        if refused is not None:
            return refused
        if not request.url.path.endswith("/"):  # the page's links are relative to the folder
            return RedirectResponse(request.url.path.rsplit("/", 1)[-1] + "/", status_code=307)
        aggregates = await run_in_threadpool(compute, request)
        charts = await run_in_threadpool(render, aggregates)
        return HTMLResponse(page_html(aggregates, charts, _days(request), engine.settings.store.retention_days))

    async def file(request: Request) -> Response:
        refused = _refusal(engine.settings.serving.admin_key, request)
        if refused is not None:
            return refused
        name, kind = request.path_params["name"], request.path_params["kind"]
        aggregates = await run_in_threadpool(compute, request)
        if kind == "csv" and name in aggregates.tables:
            return Response(aggregates.tables[name].csv(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
        if kind == "png" and name in CHARTS:
            return Response((await run_in_threadpool(render, aggregates))[name], media_type="image/png")
        return PlainTextResponse(f"No table or chart named {name}.{kind}.", status_code=404)

    return [Route("/analytics", page, methods=["GET"]), Route("/analytics/", page, methods=["GET"]),
            Route("/analytics/{name:str}.{kind:str}", file, methods=["GET"])]
