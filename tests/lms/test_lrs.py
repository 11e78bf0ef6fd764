"""Learning events reach a real LRS (Ralph, file-system backend, on loopback) as xAPI statements, from either learner
store: the LMS account as actor, ADL verbs where one fits, the resource's URL as activity, the course as context.
Nothing is lost while the LRS is down, nothing is duplicated by a resend or an LRS restart, forget voids what was
sent, and the app's background sender delivers without being asked."""

import time
from datetime import timedelta

from assistant.lms.lti import lti_learner_id
from assistant.profile.schema import utcnow
from assistant.profile.store import LMSAccount

RUST = "I'm new to programming and want to learn Rust. Books please."
ISSUER = "https://moodle.example.edu"
ADL = "http://adlnet.gov/expapi/verbs/"


def lms_learner(engine, subject: str) -> str:
    """An LTI launch's effect on the store: the LMS account recorded, the profile seeded from the course."""
    learner = lti_learner_id(ISSUER, "7", subject)
    engine.learner_data.arrive(LMSAccount(
        learner_id=learner, issuer=ISSUER, deployment_id="7", subject=subject,
        roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], context_id="rust-101",
        context_title="Rust for beginners", context_label="RUST101", launched_at=utcnow()))
    return learner


def by_id(lrs) -> dict[str, dict]:
    return {s["id"]: s for s in lrs.statements()}


def test_events_arrive_once_survive_an_lrs_restart_and_forget_voids_them(xapi_settings, learner_store, engine_with,
                                                                         lrs):
    engine = engine_with(xapi_settings, learner_store)
    learner = lms_learner(engine, "student-42")
    before = set(by_id(lrs))

    reply = engine.turns.turn(learner, RUST)
    first, second, third = (r.resource for r in reply.recommendations[:3])
    for resource, kind in ((first, "opened"), (first, "helpful"), (second, "not_for_me"), (third, "already_know"),
                           (first, "completed")):
        engine.learner_data.feedback(learner, resource.id, kind)
    expected = len(reply.recommendations) + 5
    assert learner_store.outbox_counts()["waiting"] == expected
    assert engine.outbox.send_due() == expected
    arrived = {i: s for i, s in by_id(lrs).items() if i not in before}
    assert len(arrived) == expected

    statements = list(arrived.values())
    assert {s["actor"]["account"]["homePage"] for s in statements} == {ISSUER}
    assert {s["actor"]["account"]["name"] for s in statements} == {"student-42"}
    course = statements[0]["context"]["contextActivities"]["parent"][0]
    assert course["definition"]["name"] == {"und": "Rust for beginners"}
    assert course["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in statements}
    assert verbs == {"recommended", "launched", "preferred", "dismissed", "waived", "completed"}
    assert {s["verb"]["id"] for s in statements if s["verb"]["id"].startswith(ADL)} == {
        ADL + v for v in ("launched", "preferred", "waived", "completed")}
    recommended = sorted((s for s in statements if s["verb"]["id"].endswith("/recommended")),
                         key=lambda s: s["result"]["extensions"][engine.turns.statements.extension("rank")])
    rank, reason = engine.turns.statements.extension("rank"), engine.turns.statements.extension("reason")
    assert [s["result"]["extensions"][rank] for s in recommended] == list(range(1, len(reply.recommendations) + 1))
    assert [s["object"]["id"] for s in recommended] == [str(r.resource.url) for r in reply.recommendations]
    assert [s["result"]["extensions"][reason] for s in recommended] == [r.reason.text for r in reply.recommendations]
    assert recommended[0]["object"]["definition"]["name"] == {first.language: first.title}

    # The LRS goes down: events still commit, their statements wait, and the sender backs off.
    lrs.stop()
    engine.learner_data.feedback(learner, second.id, "opened")
    assert engine.outbox.send_due() == 0
    assert learner_store.outbox_counts() == {"waiting": 1, "sent": expected, "refused": 0}
    assert engine.outbox.send_due() == 0  # not due again yet: the pause after a failure has not passed
    lrs.start()  # the same files: everything sent before the restart is still there
    assert set(by_id(lrs)) >= set(arrived)
    assert engine.outbox.send_due(utcnow() + timedelta(seconds=5)) == 1
    assert len(by_id(lrs)) == len(before) + expected + 1

    # An acknowledgement lost on the way back: every statement is sent again, under its own id; the LRS keeps one.
    resend_all(learner_store)
    assert engine.outbox.send_due() == expected + 1
    assert len(by_id(lrs)) == len(before) + expected + 1

    # Forget: a voiding statement for every sent one, then "erased their profile"; nothing of the learner is left.
    sent_ids = [s["statement"]["id"] for s in engine.learner_data.export(learner).statements]
    assert engine.learner_data.forget(learner) > 0 and learner_store.count_rows(learner) == 0
    assert engine.outbox.send_due() == len(sent_ids) + 1
    after = by_id(lrs)
    voided = [s["object"]["id"] for s in after.values() if s["verb"]["id"] == ADL + "voided"
              and s["object"]["id"] in sent_ids]
    assert sorted(voided) == sorted(sent_ids)
    assert any(s["verb"]["id"].endswith("/erased-profile") and s["actor"]["account"]["name"] == "student-42"
               for s in after.values())
    assert learner_store.outbox_counts() == {"waiting": 0, "sent": 0, "refused": 0}


def resend_all(learner_store) -> None:
    """Mark every sent statement unsent, as if the LRS's answers had been lost."""
    if hasattr(learner_store, "_conn"):
        with learner_store._transaction():
            learner_store._conn.execute("UPDATE xapi_outbox SET sent_at = NULL, next_attempt_at = created_at")
    else:
        with learner_store._pool.connection() as conn:
            conn.execute("UPDATE xapi_outbox SET sent_at = NULL, next_attempt_at = created_at")


def test_api_learners_are_recorded_on_the_tool_page_learners_only_when_asked(xapi_settings, engine_with, tmp_path,
                                                                               lrs):
    from assistant.profile.sqlite_store import SQLiteStore

    engine = engine_with(xapi_settings, SQLiteStore(tmp_path / "a.sqlite3"))
    reply = engine.turns.turn("lms-backend-7", RUST, with_reasons=False)
    engine.turns.turn("web-" + "0" * 32, RUST, with_reasons=False)
    statements = engine.learner_data.export("lms-backend-7").statements
    assert len(statements) == len(reply.recommendations)
    actor = statements[0]["statement"]["actor"]["account"]
    assert actor == {"homePage": engine.turns.statements.tool_url, "name": "lms-backend-7"}
    assert engine.learner_data.export("web-" + "0" * 32).statements == []


def test_the_app_sends_in_the_background(xapi_settings, engine_with, tmp_path, lrs):
    from assistant.app import _start_outbox
    from assistant.profile.sqlite_store import SQLiteStore

    engine = engine_with(xapi_settings.with_changes(xapi={"poll_s": 0.2}), SQLiteStore(tmp_path / "b.sqlite3"))
    learner = lms_learner(engine, "student-bg")
    reply = engine.turns.turn(learner, RUST, with_reasons=False)
    _start_outbox(engine)
    try:
        deadline = time.monotonic() + 20
        while engine.learners.outbox_counts()["sent"] < len(reply.recommendations) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        engine.outbox.stop()
    assert engine.learners.outbox_counts() == {"waiting": 0, "sent": len(reply.recommendations), "refused": 0}
    names = {s["actor"]["account"]["name"] for s in lrs.statements()}
    assert "student-bg" in names


def test_a_statement_the_lrs_rejects_is_kept_as_refused_and_the_rest_go_on(xapi_settings, engine_with, tmp_path,
                                                                           lrs):
    from assistant.profile.sqlite_store import SQLiteStore
    from assistant.profile.store import Statement

    engine = engine_with(xapi_settings, SQLiteStore(tmp_path / "c.sqlite3"))
    learner = lms_learner(engine, "student-refused")
    malformed = Statement(id="6f1c5b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", body={"id": "6f1c5b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",
                                                                       "actor": {"name": "no identifier"}})
    engine.learners.record_reply(learner, "text", None, [malformed])
    reply = engine.turns.turn(learner, RUST, with_reasons=False)
    assert engine.outbox.send_due() == len(reply.recommendations)
    assert engine.learners.outbox_counts() == {"waiting": 0, "sent": len(reply.recommendations), "refused": 1}
    assert [s["status"] for s in engine.learner_data.export(learner).statements][0] == "refused"
