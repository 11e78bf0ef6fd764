"""Learning events as xAPI statements: who (the LMS account), what (ADL verbs where one fits), which resource (its
URL as the activity id) and in which course. Building them is pure; the learner store queues them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from assistant.catalog.schema import Resource
from assistant.config import Settings
from assistant.profile.schema import utcnow
from assistant.profile.store import LMSAccount, Statement
from assistant.reply import Reply

ADL = "http://adlnet.gov/expapi/verbs/"
ACTIVITIES = "http://adlnet.gov/expapi/activities/"
# LTI claim names are IRIs: as extension keys they say exactly what the value is, in the LMS's own terms.
LTI_CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
LTI_DEPLOYMENT = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
LTI_ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
# Event -> (verb IRI, or a name under the tool's own vocabulary where the ADL list has no fit; its display).
VERBS: dict[str, tuple[str, str]] = {
    "recommended": ("recommended", "was recommended"),
    "opened": (ADL + "launched", "launched"),
    "helpful": (ADL + "preferred", "preferred"),
    "not_for_me": ("dismissed", "dismissed"),
    "already_know": (ADL + "waived", "waived"),  # met by other means: what "I already know this" says
    "completed": (ADL + "completed", "completed"),
    "forgot": ("erased-profile", "erased their profile"),
    "voided": (ADL + "voided", "voided"),
}
ACTIVITY_TYPES = {
    "course": "course", "video": "media", "podcast": "media", "interactive": "simulation", "lecture_notes": "lesson",
    "book": "file", "textbook_section": "file", "paper": "file",
}
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _language(code: str | None) -> str:
    return code if code and _LANGUAGE_TAG.match(code) else "und"


class StatementMaker:
    """The statements of one tool: its own IRIs (verbs without an ADL fit, extensions) live under its public URL."""

    def __init__(self, settings: Settings):
        serving = settings.serving
        self.tool_url = (serving.public_url or f"http://{serving.host}:{serving.port}").rstrip("/")
        self.on = bool(settings.xapi.url)
        self.page_learners = settings.xapi.page_learners

    def wanted(self, learner_id: str, account: LMSAccount | None) -> bool:
        """Whether this learner's events go to the LRS: LMS learners (launched or named by the API) always."""
        return self.on and (account is not None or self.page_learners or not learner_id.startswith("web-"))

    def verb(self, event: str) -> dict:
        iri, display = VERBS[event]
        return {"id": iri if "://" in iri else f"{self.tool_url}/xapi/verbs/{iri}", "display": {"en-US": display}}

    def extension(self, name: str) -> str:
        return f"{self.tool_url}/xapi/extensions/{name}"

    def actor(self, learner_id: str, account: LMSAccount | None) -> dict:
        """The LMS account for a launched learner; otherwise the learner's id as an account on this tool."""
        if account is not None:
            return {"objectType": "Agent", "account": {"homePage": account.issuer, "name": account.subject}}
        return {"objectType": "Agent", "account": {"homePage": self.tool_url, "name": learner_id}}

    def tool(self) -> dict:
        return {"objectType": "Activity", "id": self.tool_url,
                "definition": {"name": {"en-US": "Learning assistant"},
                               "description": {"en-US": "Recommends learning resources in conversation"}}}

    def resource(self, resource: Resource) -> dict:
        definition = {"name": {_language(resource.language): resource.title},
                      "type": ACTIVITIES + ACTIVITY_TYPES.get(resource.resource_type, "link")}
        return {"objectType": "Activity", "id": str(resource.url), "definition": definition}

    def context(self, account: LMSAccount | None) -> dict:
        context: dict = {"platform": "Learning assistant", "contextActivities": {"grouping": [self.tool()]}}
        if account is None:
            return context
        context["extensions"] = {LTI_DEPLOYMENT: account.deployment_id, LTI_ROLES: account.roles}
        if account.context_id:
            course = {"id": account.context_id, "title": account.context_title, "label": account.context_label}
            definition = {"type": ACTIVITIES + "course",
                          "extensions": {LTI_CONTEXT: {k: v for k, v in course.items() if v}}}
            if account.context_title or account.context_label:
                definition["name"] = {"und": account.context_title or account.context_label}
            context["contextActivities"]["parent"] = [{
                "objectType": "Activity", "definition": definition,
                "id": f"{account.issuer.rstrip('/')}/lti/context/{quote(account.context_id, safe='')}"}]
        return context

    def _statement(self, learner_id: str, account: LMSAccount | None, event: str, target: dict,
                   at: datetime, result: dict | None = None) -> Statement:
        body = {"id": str(uuid.uuid4()), "actor": self.actor(learner_id, account), "verb": self.verb(event),
                "object": target, "context": self.context(account), "timestamp": _iso(at)}
        if result:
            body["result"] = result
        return Statement(id=body["id"], body=body)

    def for_reply(self, reply: Reply, account: LMSAccount | None, at: datetime | None = None) -> list[Statement]:
        """One "recommended" statement per item, with its rank, score and the reason shown."""
        if not self.wanted(reply.learner_id, account):
            return []
        at = at or utcnow()
        statements = []
        for rec in reply.recommendations:
            extensions = {self.extension("rank"): rec.rank, self.extension("score"): round(rec.score, 4)}
            if rec.reason is not None:
                extensions[self.extension("reason")] = rec.reason.text
            statements.append(self._statement(reply.learner_id, account, "recommended",
                                              self.resource(rec.resource), at, {"extensions": extensions}))
        return statements

    def for_feedback(self, learner_id: str, account: LMSAccount | None, resource: Resource, kind: str,
                     at: datetime | None = None) -> list[Statement]:
        if not self.wanted(learner_id, account):
            return []
        result = {"completion": True} if kind == "completed" else None
        return [self._statement(learner_id, account, kind, self.resource(resource), at or utcnow(), result)]

    def for_forget(self, learner_id: str, account: LMSAccount | None, sent: Sequence[str],
                   at: datetime | None = None) -> list[Statement]:
        """A voiding statement for each statement the LRS has, then one saying the learner erased their profile."""
        if not self.wanted(learner_id, account):
            return []
        at = at or utcnow()
        voids = [self.void(self.actor(learner_id, account), statement_id, at) for statement_id in sent]
        return voids + [self._statement(learner_id, account, "forgot", self.tool(), at)]

    def void(self, actor: dict, statement_id: str, at: datetime | None = None) -> Statement:
        body = {"id": str(uuid.uuid4()), "actor": actor, "verb": self.verb("voided"),
                "object": {"objectType": "StatementRef", "id": statement_id}, "timestamp": _iso(at or utcnow())}
        return Statement(id=body["id"], body=body)
