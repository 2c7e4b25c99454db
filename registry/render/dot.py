"""Graphviz DOT of the dependency graph."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..views import Subgraph

_SHAPES = {"Feature": "ellipse", "Model": "cylinder", "Dataset": "cylinder",
           "McpServer": "hexagon", "Eval": "note"}


def _quote(text: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", text) + '"'


def dot(sub: Subgraph) -> str:
    lines = ["digraph aireg {", "  rankdir=LR;", "  node [shape=box];"]
    for node in sub.nodes:
        lines.append(f"  {_quote(node.id)} [shape={_SHAPES.get(node.kind, 'box')}];")
    for edge in sub.edges:
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} "
                     f"[label={_quote(edge.label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
