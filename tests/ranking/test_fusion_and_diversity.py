"""Fusion keeps each feature's contribution and facts; MMR diversifies; missing prerequisites lead the list."""

import numpy as np

from assistant.catalog.schema import Resource
from assistant.knowledge.graph import Concept, PrerequisiteNeed
from assistant.profile.schema import LearnerProfile
from assistant.ranking.diversity import arrange, mmr
from assistant.ranking.fusion import Ranked, rank
from assistant.ranking.scorers import FormatScorer, SemanticScorer
from assistant.ranking.types import Candidate, Focus, RankingInput


def candidate(rid: str, similarity: float, vector, resource_type: str = "book", concept: str | None = None):
    resource = Resource(id=rid, title=rid, url=f"https://x.example/{rid}", resource_type=resource_type, concept=concept)
    v = np.asarray(vector, dtype=np.float32)
    return Candidate(resource, similarity, v / np.linalg.norm(v))


def test_contributions_and_facts_are_kept_per_item():
    given = RankingInput(LearnerProfile(learner_id="a", formats={"video": 1.0}))
    ranked = rank([candidate("b", 0.9, [1, 0]), candidate("v", 0.5, [0, 1], "video")], given,
                  [SemanticScorer(), FormatScorer()], {"semantic": 1.0, "format": 1.0}, k=2)
    assert [r.candidate.resource.id for r in ranked] == ["v", "b"]
    assert ranked[0].contributions == {"semantic": 0.5, "format": 1.0}
    assert ranked[0].supporting[0].kind == "format" and ranked[0].supporting[0].strength == 1.0


def _ranked(c: Candidate, score: float) -> Ranked:
    return Ranked(c, score, {}, ())


def test_mmr_trades_a_little_score_for_a_different_item():
    near = [_ranked(candidate(f"n{i}", 0.9, [1, 0.01 * i]), 1.0 - 0.01 * i) for i in range(3)]
    other = _ranked(candidate("o", 0.8, [0, 1]), 0.9)
    weak = _ranked(candidate("w", 0.1, [1, 1]), 0.0)  # the pool's floor: scores are rescaled between min and max
    pool = near + [other, weak]
    assert [r.candidate.resource.id for r in mmr(pool, 2, 1.0)] == ["n0", "n1"]
    assert [r.candidate.resource.id for r in mmr(pool, 2, 0.7)] == ["n0", "o"]


def test_resources_for_missing_prerequisites_come_first():
    target, gap = Concept("rf", "random forests"), Concept("dt", "decision trees")
    focus = Focus(needs=[PrerequisiteNeed(gap, target, "ensembles of trees")])
    items = [_ranked(candidate("t1", 0.9, [1, 0], concept="rf"), 2.0),
             _ranked(candidate("g1", 0.5, [0, 1], concept="dt"), 1.0)]
    assert [r.candidate.resource.id for r in arrange(items, focus, 2, 1.0)] == ["g1", "t1"]


def test_a_work_listed_twice_in_the_catalog_is_shown_once():
    def edition(rid, url, score):
        resource = Resource(id=rid, title="The Svelte Handbook", authors="Flavio Copes", url=url)
        return _ranked(Candidate(resource, 0.9, np.ones(2) / np.sqrt(2)), score)

    items = [edition("pdf", "https://a.example/svelte", 2.0), edition("html", "https://b.example/svelte", 1.9),
             _ranked(candidate("other", 0.5, [0, 1]), 1.0)]
    assert [r.candidate.resource.id for r in arrange(items, Focus(), 3, 1.0)] == ["pdf", "other"]


def test_an_authorless_work_is_one_work_per_site_but_same_titles_on_two_sites_are_two():
    def listing(rid, title, url, score):
        return _ranked(Candidate(Resource(id=rid, title=title, url=url), 0.9, np.ones(2) / np.sqrt(2)), score)

    items = [listing("a", "Stef's Free Books", "http://stef.example/FreeBooks/", 2.0),
             listing("b", "Stef's Free Books", "http://stef.example/FreeBooks.html", 1.9),
             listing("c", "Learn JavaScript", "https://learn-js.example", 1.8),
             listing("d", "Learn JavaScript", "https://learnjavascript.example", 1.7)]
    assert [r.candidate.resource.id for r in arrange(items, Focus(), 4, 1.0)] == ["a", "c", "d"]
