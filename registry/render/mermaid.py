"""Mermaid flowcharts of the dependency graph (GitHub renders them in Markdown)."""

from __future__ import annotations

import re

from ..catalog import Catalog
from ..graph import DepGraph
from ..refs import NodeId

_SHAPES = {
    "Feature": ('(["', '"])'), "Model": ('[("', '")]'), "Dataset": ('[("', '")]'),
    "McpServer": ('{{"', '"}}'), "Eval": ('>"', '"]'),
}


def _label(text: str) -> str:
    # Mermaid labels are HTML-ish: quote-safe entities keep names like a"b] inert.
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("`", "&#96;"))


def mermaid(catalog: Catalog, graph: DepGraph, nodes: list[NodeId],
            highlight: frozenset[NodeId] = frozenset()) -> str:
    keep = sorted(nodes)
    ids = {node: f"n{index}" for index, node in enumerate(keep)}
    lines = ["flowchart LR"]
    for node in keep:
        kind = catalog.by_id[node].kind
        left, right = _SHAPES.get(kind, ('["', '"]'))
        lines.append(f"  {ids[node]}{left}{_label(node)}{right}")
    for edge in graph.subgraph_edges(keep):
        lines.append(f"  {ids[edge.source]} -->|{_label(edge.label)}| {ids[edge.target]}")
    if highlight:
        lines.append("  classDef changed fill:#fde2e1,stroke:#c0392b")
        marked = ",".join(ids[n] for n in keep if n in highlight)
        if marked:
            lines.append(f"  class {marked} changed")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", text) + '"'


def dot(catalog: Catalog, graph: DepGraph, nodes: list[NodeId]) -> str:
    keep = sorted(nodes)
    lines = ["digraph aireg {", "  rankdir=LR;", "  node [shape=box];"]
    shapes = {"Feature": "ellipse", "Model": "cylinder", "Dataset": "cylinder",
              "McpServer": "hexagon", "Eval": "note"}
    for node in keep:
        shape = shapes.get(catalog.by_id[node].kind, "box")
        lines.append(f"  {_dot_quote(node)} [shape={shape}];")
    for edge in graph.subgraph_edges(keep):
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} "
                     f"[label={_dot_quote(edge.label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
