"""Mermaid flowcharts of the dependency graph (GitHub renders them in Markdown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..views import Subgraph

_SHAPES = {
    "Feature": ('(["', '"])'), "Model": ('[("', '")]'), "Dataset": ('[("', '")]'),
    "McpServer": ('{{"', '"}}'), "Eval": ('>"', '"]'),
}


def _label(text: str) -> str:
    # Mermaid labels are HTML-ish: quote-safe entities keep names like a"b] inert.
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("`", "&#96;"))


def mermaid(sub: Subgraph) -> str:
    ids = {node.id: f"n{index}" for index, node in enumerate(sub.nodes)}
    lines = ["flowchart LR"]
    for node in sub.nodes:
        left, right = _SHAPES.get(node.kind, ('["', '"]'))
        lines.append(f"  {ids[node.id]}{left}{_label(node.id)}{right}")
    for edge in sub.edges:
        lines.append(f"  {ids[edge.source]} -->|{_label(edge.label)}| {ids[edge.target]}")
    if sub.highlight:
        lines.append("  classDef changed fill:#fde2e1,stroke:#c0392b")
        marked = ",".join(ids[n.id] for n in sub.nodes if n.id in sub.highlight)
        if marked:
            lines.append(f"  class {marked} changed")
    return "\n".join(lines) + "\n"
