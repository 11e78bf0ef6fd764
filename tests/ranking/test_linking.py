"""Linking a request to topics by meaning: a topic is the direction of its resources, plus its gloss when it has one."""

import numpy as np

from assistant.catalog.schema import Resource
from assistant.ranking.linking import TopicCentroids


def _unit(*v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_a_request_links_to_the_topic_whose_resources_point_its_way():
    resources = [Resource(id="p", title="Learn Prolog Now", url="https://x.example/p", topics=["Prolog"]),
                 Resource(id="j", title="Java Book", url="https://x.example/j", topics=["Java"])]
    centroids = TopicCentroids(resources, np.stack([_unit(1, 0, 0), _unit(0, 1, 0)]))
    assert centroids.link(_unit(0.9, 0.1, 0))[0][0] == "Prolog"


def test_a_gloss_pulls_a_topic_towards_the_words_a_learner_describes_it_with():
    resources = [Resource(id="p", title="Learn Prolog Now", url="https://x.example/p", topics=["Prolog"]),
                 Resource(id="j", title="Java Book", url="https://x.example/j", topics=["Java"])]
    embeddings = np.stack([_unit(1, 0, 0), _unit(0, 1, 0)])
    described = _unit(0.1, 0.3, 1.0)  # "state facts and rules, then ask it questions": near neither title
    assert TopicCentroids(resources, embeddings).link(described)[0][0] == "Java"
    glossed = TopicCentroids(resources, embeddings, {"Prolog": _unit(0, 0, 1)})
    assert glossed.link(described)[0][0] == "Prolog"


def test_with_the_shipped_glosses_a_description_links_to_the_heading_it_describes(store):
    from assistant.knowledge.topics import load_glosses

    described = store.encode("a systems language with no garbage collector where the compiler checks who owns each "
                             "value and who borrows it")
    assert TopicCentroids.from_index(store).link(described)[0][0] != "Rust"  # the titles alone say too little
    assert TopicCentroids.from_index(store, load_glosses()).link(described)[0][0] == "Rust"


def test_every_catalog_heading_has_a_gloss():
    import json

    from assistant.catalog.free_programming_books import _CONTAINER_HEADINGS
    from assistant.config import PROJECT_ROOT
    from assistant.knowledge.topics import load_glosses, normalise

    rows = (PROJECT_ROOT / "vectorstore/sources/free-programming-books/fpb_catalog.jsonl").read_text(encoding="utf-8")
    headings = {normalise(t) for line in rows.splitlines() for t in json.loads(line)["topic_path"]
                if t.replace("\\", "").strip() not in _CONTAINER_HEADINGS}
    assert headings <= {normalise(t) for t in load_glosses()}
