"""The page's pieces without a server: cards, the learning path and the profile panel."""

from assistant.app.cards import render_reply
from assistant.app.profile_panel import FORM_FIELDS, describe, edit_from_form, form_values
from assistant.catalog.schema import Resource
from assistant.profile.schema import LearnerProfile
from assistant.reply import PathStep, Reason, Recommendation, Reply

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> ${alert(2)} {{value}}'


def _resource(**fields) -> Resource:
    return Resource(**{"id": "fpb-1", "title": "Rust by Example", "url": "https://example.org/rust", **fields})


def _reply(*resources: Resource, language: str = "en", reason: str | None = "It is about Rust.", path=()) -> Reply:
    recs = [Recommendation(resource=r, rank=i + 1, score=1.0, contributions={}, facts=[],
                           reason=Reason(text=reason, facts=[], written_by="template") if reason else None)
            for i, r in enumerate(resources)]
    return Reply(learner_id="web-test", text="", language=language, recommendations=recs,
                 profile=LearnerProfile(learner_id="web-test"), learning_path=list(path))


def test_cards_escape_hostile_catalog_text_including_template_syntax():
    html = render_reply(_reply(_resource(title=HOSTILE), reason=HOSTILE))
    assert "<script>" not in html and "<img" not in html
    assert "${" not in html and "{{" not in html
    assert "&lt;script&gt;" in html


def test_cards_say_only_what_the_data_says():
    known = render_reply(_reply(_resource(resource_type="book", level="beginner", duration_minutes=30, free=True)))
    assert "Book · beginner · ~30 min · free · en" in known
    unknown = render_reply(_reply(_resource(resource_type="course", modality="video")))
    assert "Course · video · en" in unknown
    assert not any(word in unknown for word in ("beginner", "min", "free", "paid"))


def test_a_card_waits_for_its_reason_and_offers_every_feedback():
    html = render_reply(_reply(_resource(), reason=None))
    assert "writing the reason" in html
    for kind in ("helpful", "not_for_me", "already_know", "completed"):
        assert f'data-kind="{kind}"' in html


def test_chinese_cards_speak_chinese():
    html = render_reply(_reply(_resource(resource_type="book", free=False, language="zh"), language="zh"))
    assert "书 · 付费 · zh" in html and ">有用<" in html and ">学完了<" in html


def test_the_learning_path_comes_first_with_its_resources():
    prereq = _resource(id="mc-bayes", title="Bayes' rule notes")
    path = [PathStep(concept="Bayes' rule", resource_id="mc-bayes", why="needed for <networks>"),
            PathStep(concept="Bayesian networks")]
    html = render_reply(_reply(_resource(), path=path), lookup={"mc-bayes": prereq}.get)
    assert html.index("Learning path") < html.index("rec-card")
    assert "Bayes&#x27; rule notes" in html and "needed for &lt;networks&gt;" in html
    assert html.index("Bayes&#x27; rule</strong>") < html.index("Bayesian networks")


def test_the_profile_panel_speaks_plainly_and_escapes_what_the_learner_wrote():
    profile = LearnerProfile(learner_id="web-test", topics={HOSTILE: 1.0}, level="beginner", formats={"book": 1.0},
                             time_budget_minutes=20, liked=["fpb-1"])
    html = describe(profile, {"fpb-1": _resource()}.get)
    assert "<script>" not in html
    assert "Your level</strong>: beginner" in html and "Formats you like</strong>: books" in html
    assert "Rust by Example" in html
    assert "Nothing yet" in describe(None, {}.get)


def test_the_form_sends_only_the_fields_the_learner_changed():
    profile = LearnerProfile(learner_id="web-test", topics={"Rust": 1.0, "Git": 0.6}, level="beginner",
                             formats={"book": 1.0}, time_budget_minutes=20)
    values = dict(zip(FORM_FIELDS, form_values(profile)))
    assert edit_from_form(profile, list(values.values())).model_fields_set == set()
    values.update(time_budget_minutes=45.0, avoid_formats=["video"], topics="Rust，SQL")
    edit = edit_from_form(profile, list(values.values()))
    assert edit.model_dump(exclude_unset=True) == {"time_budget_minutes": 45, "avoid_formats": ["video"],
                                                  "topics": ["Rust", "SQL"]}
    values.update(level="unknown", free_only=False, device="")
    assert "level" in edit_from_form(profile, list(values.values())).model_fields_set


def test_the_conversation_keeps_each_replys_cards_under_it_with_the_reactions_given():
    from assistant.app.conversation import Entry, render_conversation

    first = _reply(_resource(), _resource(id="fpb-2", title="The Rust Book"))
    second = _reply(_resource(id="fpb-3", title="Rust in Action"))
    why = first.model_copy(update={"text": "Number 2 because…", "report": first.report.model_copy(
        update={"kind": "follow_up"})})
    html = render_conversation([Entry("learner", HOSTILE), Entry("assistant", "Here are 2", first),
                                Entry("learner", "shorter"), Entry("assistant", "Here is 1", second),
                                Entry("learner", "why number 2?"), Entry("assistant", why.text, why),
                                Entry("notice", "please slow down")], "en", {"fpb-2": "helpful"}, {}.get)
    assert "<script>" not in html and "&lt;script&gt;" in html
    order = [html.index(part) for part in ("Here are 2", "The Rust Book", "shorter", "Rust in Action",
                                           "why number 2?", "Number 2 because", "please slow down")]
    assert order == sorted(order)
    assert html.count('class="rec-card"') == 3  # a "why?" answer does not repeat the cards it speaks of
    the_rust_book = html[html.index("The Rust Book"):html.index("shorter")]
    assert 'data-kind="helpful" data-resource-id="fpb-2" aria-pressed="true"' in the_rust_book
    assert html.count('aria-pressed="true"') == 1


def test_the_list_of_earlier_conversations_escapes_and_marks_the_open_one():
    from datetime import datetime, timezone

    from assistant.app.conversation import render_sessions
    from assistant.profile.store import SessionSummary

    when = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    listed = [SessionSummary(id="s2", started_at=when, last_at=when, first_message=HOSTILE, turns=1),
              SessionSummary(id="s1", started_at=when, last_at=when, first_message="Rust " * 30, turns=2)]
    html = render_sessions(listed, "s2", "en")
    assert "<script>" not in html and "${" not in html
    assert html.count('aria-current="true"') == 1 and "(this conversation)" in html and "2026-03-01" in html
    assert "Rust Rust" in html and "Rust " * 13 not in html  # long first messages are cut
    assert "还没有以前的对话" in render_sessions([], None, "zh")


def test_every_page_word_label_and_phrase_exists_in_both_languages():
    from assistant.locale import LOCALES

    english, chinese = LOCALES["en"], LOCALES["zh"]
    for table in ("words", "labels", "phrases"):
        assert set(getattr(english, table)) == set(getattr(chinese, table)), table
