"""The dependency graph, over networkx, in the registry's own verbs.

Edges run from the user to what it uses. Searches start from every target at once (one
breadth-first pass over the predecessors), never one `ancestors()` call per node.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable
from typing import NamedTuple

import networkx as nx

from .catalog import Catalog, Edge
from .refs import NodeId

MAX_CYCLES_PER_KNOT = 20


class Hop(NamedTuple):
    """One step of a path: `source` uses `target` through an edge with `label`."""

    source: NodeId
    target: NodeId
    label: str


class Reach(NamedTuple):
    """A node reached from the start set: how far, and one shortest path of hops."""

    node: NodeId
    distance: int
    path: tuple[Hop, ...]  # from this node down to the target (dependents) or the reverse


class DepGraph:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.g: nx.DiGraph[NodeId] = nx.DiGraph()
        self.g.add_nodes_from(catalog.by_id)
        self._edges: dict[tuple[NodeId, NodeId], Edge] = {}
        for edge in catalog.edges:
            # Two refs to the same node (say two tools of one server) make one edge; the first
            # written is kept for positions.
            self._edges.setdefault((edge.source, edge.target), edge)
        self.g.add_edges_from((u, v, {"label": e.label}) for (u, v), e in self._edges.items())

    def edge(self, source: NodeId, target: NodeId) -> Edge:
        return self._edges[(source, target)]

    def label(self, source: NodeId, target: NodeId) -> str:
        return self._edges[(source, target)].label

    def has_dependents(self, node: NodeId) -> bool:
        return self.g.in_degree(node) > 0

    def users(self, node: NodeId) -> list[NodeId]:
        return sorted(self.g.predecessors(node))

    def uses(self, node: NodeId) -> list[NodeId]:
        return sorted(self.g.successors(node))

    def dependents(self, targets: Iterable[NodeId], labels: frozenset[str] | None = None
                   ) -> dict[NodeId, Reach]:
        """Every node that can reach a target (targets excluded), with one shortest path;
        with `labels`, only along edges with those labels.

        Each path runs from the dependent down to the target it reaches.
        """
        return self._search(targets, upwards=True, labels=labels)

    def dependencies(self, starts: Iterable[NodeId], depth: int | None = None
                     ) -> dict[NodeId, Reach]:
        """Everything the start nodes use, transitively; paths run from a start node down."""
        return self._search(starts, upwards=False, depth=depth)

    def _search(self, starts: Iterable[NodeId], upwards: bool, depth: int | None = None,
                labels: frozenset[str] | None = None) -> dict[NodeId, Reach]:
        start_set = set(starts)
        queue: deque[NodeId] = deque(sorted(start_set))
        paths: dict[NodeId, tuple[Hop, ...]] = dict.fromkeys(start_set, ())
        step = self.g.predecessors if upwards else self.g.successors
        while queue:
            node = queue.popleft()
            here = paths[node]
            if depth is not None and len(here) >= depth:
                continue
            for other in sorted(step(node)):
                if other in paths:
                    continue
                edge = (other, node) if upwards else (node, other)
                if labels is not None and self.label(*edge) not in labels:
                    continue
                if upwards:
                    paths[other] = (Hop(other, node, self.label(other, node)), *here)
                else:
                    paths[other] = (*here, Hop(node, other, self.label(node, other)))
                queue.append(other)
        return {node: Reach(node, len(path), path) for node, path in paths.items()
                if node not in start_set}

    def cycles(self, per_knot: int = MAX_CYCLES_PER_KNOT) -> list[list[NodeId]]:
        """Every elementary cycle, each rotated to start at its smallest node.

        A knot of many tangled nodes can hold exponentially many cycles; past `per_knot` in
        one strongly connected component the rest are left for the next run.
        """
        found: list[list[NodeId]] = []
        for component in nx.strongly_connected_components(self.g):
            if len(component) == 1:
                (node,) = component
                if not self.g.has_edge(node, node):
                    continue
            cycles = nx.simple_cycles(self.g.subgraph(component))
            for cycle in itertools.islice(cycles, per_knot):
                nodes = [NodeId(str(u)) for u in cycle]
                first = nodes.index(min(nodes))
                found.append(nodes[first:] + nodes[:first])
        return sorted(found)

    def subgraph_edges(self, nodes: Iterable[NodeId]) -> list[Edge]:
        keep = set(nodes)
        return sorted((e for (u, v), e in self._edges.items() if u in keep and v in keep),
                      key=lambda e: (e.source, e.target))

    def all_edges(self) -> list[Edge]:
        return sorted(self._edges.values(), key=lambda e: (e.source, e.target))
