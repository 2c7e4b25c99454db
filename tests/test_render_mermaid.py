"""registry.render.mermaid on subgraphs built by hand: shapes by kind, escaped labels, and
the changed nodes marked."""

from __future__ import annotations

import pytest

from registry.refs import NodeId
from registry.render.mermaid import mermaid
from registry.views import GraphEdge, GraphNode, Subgraph

BOT, ODD, STYLE = NodeId("feature/bot"), NodeId('prompt/a"b<c>'), NodeId("prompt/style@2.0.0")
NODES = (GraphNode(BOT, "Feature", "team/core"), GraphNode(ODD, "Prompt", None),
         GraphNode(STYLE, "Prompt", "team/core"))
EDGES = (GraphEdge(BOT, ODD, "prompt", None), GraphEdge(BOT, STYLE, "prompt", None))


def test_nodes_by_kind_and_edges_by_label_with_names_made_inert() -> None:
    assert mermaid(Subgraph(NODES, EDGES)) == (
        "flowchart LR\n"
        '  n0(["feature/bot"])\n'
        '  n1["prompt/a&quot;b&lt;c&gt;"]\n'
        '  n2["prompt/style@2.0.0"]\n'
        "  n0 -->|prompt| n1\n"
        "  n0 -->|prompt| n2\n")


def test_highlighted_nodes_get_the_changed_class() -> None:
    drawn = mermaid(Subgraph(NODES, EDGES, frozenset({STYLE})))
    assert drawn.endswith("  classDef changed fill:#fde2e1,stroke:#c0392b\n"
                          "  class n2 changed\n")


@pytest.mark.parametrize(("kind", "line"), [
    ("Model", '  n0[("x/y")]'), ("Dataset", '  n0[("x/y")]'), ("McpServer", '  n0{{"x/y"}}'),
    ("Eval", '  n0>"x/y"]'), ("Team", '  n0["x/y"]')])
def test_each_kind_has_its_shape(kind: str, line: str) -> None:
    assert mermaid(Subgraph((GraphNode(NodeId("x/y"), kind, None),), ())).splitlines()[1] == line
