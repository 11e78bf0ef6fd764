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
