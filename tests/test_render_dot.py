"""registry.render.dot on subgraphs built by hand: shapes by kind and quoted names."""

from __future__ import annotations

from registry.refs import NodeId
from registry.render.dot import dot
from registry.views import GraphEdge, GraphNode, Subgraph


def test_nodes_by_kind_and_edges_by_label_with_names_quoted() -> None:
    bot, odd, data = NodeId("feature/bot"), NodeId('prompt/a"b\\c'), NodeId("dataset/d@1.0.0")
    sub = Subgraph((GraphNode(data, "Dataset", None), GraphNode(bot, "Feature", "team/core"),
                    GraphNode(odd, "Prompt", None)),
                   (GraphEdge(bot, odd, "prompt", None), GraphEdge(odd, data, "trained-on", None)))
    assert dot(sub) == (
        "digraph aireg {\n"
        "  rankdir=LR;\n"
        "  node [shape=box];\n"
        '  "dataset/d@1.0.0" [shape=cylinder];\n'
        '  "feature/bot" [shape=ellipse];\n'
        '  "prompt/a\\"b\\\\c" [shape=box];\n'
        '  "feature/bot" -> "prompt/a\\"b\\\\c" [label="prompt"];\n'
        '  "prompt/a\\"b\\\\c" -> "dataset/d@1.0.0" [label="trained-on"];\n'
        "}\n")


def test_an_empty_subgraph_is_an_empty_digraph() -> None:
    assert dot(Subgraph((), ())) == "digraph aireg {\n  rankdir=LR;\n  node [shape=box];\n}\n"
