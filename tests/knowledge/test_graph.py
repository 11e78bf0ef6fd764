"""The prerequisite graph from Metacademy: concepts found by name, needs with reasons, learning paths."""

from assistant.config import PROJECT_ROOT
from assistant.knowledge.graph import Concept, PrerequisiteGraph, concept_aliases

GRAPH = PrerequisiteGraph.from_metacademy(PROJECT_ROOT / "vectorstore" / "sources" / "metacademy")


def test_the_real_graph_has_every_resolved_edge_and_no_cycle():
    import networkx as nx

    assert len(GRAPH) == 392 and GRAPH.graph.number_of_edges() == 965
    assert nx.is_directed_acyclic_graph(GRAPH.graph)


def test_concepts_are_found_by_title_plural_or_abbreviation():
    assert GRAPH.find("decision tree").tag == "decision_trees"
    assert GRAPH.find("Random forests").tag == "random_forests"
    assert GRAPH.find("PCA").tag == "principal_component_analysis"
    assert GRAPH.find("cooking") is None


def test_a_missing_prerequisite_comes_with_metacademys_reason():
    target = GRAPH.find("Bayesian networks")
    needs = GRAPH.needs([target], [GRAPH.find("Bayes' rule"), GRAPH.find("k-means")])
    assert needs[0].target == target and "Bayes" in needs[0].reason
    assert needs[1].target is None  # k-means is not on the way to Bayes nets


def test_learning_path_puts_prerequisites_first():
    path = GRAPH.learning_path(GRAPH.find("random forests"), [GRAPH.find("decision trees")])
    assert [c.tag for c in path] == ["decision_trees", "random_forests"]


def test_aliases_need_the_initials_and_a_use_in_some_summary():
    concepts = [Concept("pca", "principal component analysis", "Principal component analysis (PCA) finds..."),
                Concept("map", "maximum a posteriori", "no abbreviation used"),
                Concept("x", "mixture of experts", "an abbreviation nobody uses")]
    assert concept_aliases(concepts) == {"PCA": "principal component analysis"}



def test_other_names_a_summary_gives_are_aliases_too():
    concepts = [Concept("f", "F measure", "The F measure (F1 score or F score) is a measure of accuracy."),
                Concept("gd", "gradient descent", "Gradient descent, also known as steepest descent, follows..."),
                Concept("bv", "bias-variance decomposition", "It (often referred to as the bias-variance tradeoff) ...")]
    assert concept_aliases(concepts) == {"f1 score": "F measure", "f score": "F measure",
                                         "steepest descent": "gradient descent",
                                         "bias-variance tradeoff": "bias-variance decomposition"}


def test_a_concept_comes_before_what_builds_on_it_and_a_variant_names_its_base():
    assert GRAPH.comes_before(GRAPH.find("gradient"), GRAPH.find("Lagrange multipliers"))
    assert not GRAPH.comes_before(GRAPH.find("Lagrange multipliers"), GRAPH.find("gradient"))
    assert GRAPH.variant_of(GRAPH.find("probabilistic PCA"), GRAPH.find("principal component analysis"))  # by alias
    assert not GRAPH.variant_of(GRAPH.find("Lagrange multipliers"), GRAPH.find("gradient"))
