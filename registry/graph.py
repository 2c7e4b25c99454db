"""The dependency graph, over networkx, in the registry's own verbs.

Edges run from the user to what it uses. Searches start from every target at once (one
breadth-first pass over the predecessors), never one `ancestors()` call per node.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import NamedTuple

from . import reach
from .catalog import Catalog, Edge
from .reach import Hop as Hop
from .refs import NodeId

MAX_CYCLES_PER_KNOT = 20


class Reach(NamedTuple):
    """A node reached from the start set: how far, and one shortest path of hops."""

    node: NodeId
    distance: int
    path: tuple[Hop, ...]  # from this node down to the target (dependents) or the reverse


class DepGraph:
    """Adjacency in plain dicts (building a networkx graph of 100,000 edges costs more than
    every search aireg runs on it); networkx enumerates cycles, inside the few strongly
    connected knots that have any."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # source -> target -> edge. Two refs to the same node (say two tools of one server)
        # make one edge; the first written is kept for positions.
        self._out: dict[NodeId, dict[NodeId, Edge]] = {node: {} for node in catalog.by_id}
        for edge in catalog.edges:
            self._out[edge.source].setdefault(edge.target, edge)
        pred: dict[NodeId, list[NodeId]] = {node: [] for node in catalog.by_id}
        for source, targets in self._out.items():
            for target in targets:
                pred[target].append(source)
        self._succ = {node: sorted(targets) for node, targets in self._out.items()}
        self._pred = {node: sorted(items) for node, items in pred.items()}

    def edge(self, source: NodeId, target: NodeId) -> Edge:
        return self._out[source][target]

    def label(self, source: NodeId, target: NodeId) -> str:
        return self._out[source][target].label

    def has_dependents(self, node: NodeId) -> bool:
        return bool(self._pred[node])

    def users(self, node: NodeId) -> list[NodeId]:
        return list(self._pred[node])

    def uses(self, node: NodeId) -> list[NodeId]:
        return list(self._succ[node])

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
        tree = self.tree(starts, upwards, depth, labels)
        path = reach.path_up if upwards else reach.path_down
        return {node: Reach(node, found[0], path(tree, node))  # type: ignore[arg-type]
                for node, found in tree.items()}

    def adjacency(self, upwards: bool) -> dict[NodeId, list[tuple[NodeId, str]]]:
        """Each node's users (`upwards`) or uses, sorted, each with the edge's label."""
        out = self._out
        if upwards:
            return {node: [(s, out[s][node].label) for s in users]
                    for node, users in self._pred.items()}
        return {node: [(t, out[node][t].label) for t in uses] for node, uses in self._succ.items()}

    def tree(self, starts: Iterable[NodeId], upwards: bool, depth: int | None = None,
             labels: frozenset[str] | None = None) -> dict[NodeId, tuple[int, NodeId, str]]:
        """The shortest-path tree of a search (registry.reach): dependents (`upwards`) or
        dependencies, each with its distance and its next hop toward the start set."""
        out = self._out
        if upwards:
            pred = self._pred
            return reach.search(starts, lambda node: [(s, out[s][node].label)
                                                      for s in pred[node]], depth, labels)
        succ = self._succ
        return reach.search(starts, lambda node: [(t, out[node][t].label) for t in succ[node]],
                            depth, labels)

    def cycles(self, per_knot: int = MAX_CYCLES_PER_KNOT) -> list[list[NodeId]]:
        """Every elementary cycle, each rotated to start at its smallest node.

        A knot of many tangled nodes can hold exponentially many cycles; past `per_knot` in
        one strongly connected component the rest are left for the next run.
        """
        found: list[list[NodeId]] = []
        for component in self._knots():
            import networkx as nx

            knot: nx.DiGraph[NodeId] = nx.DiGraph()
            # In a fixed order, so that a knot with more cycles than are shown shows the same
            # ones on every run.
            knot.add_edges_from((u, v) for u in sorted(component) for v in self._succ[u]
                                if v in component)
            cycles = nx.simple_cycles(knot)
            for cycle in itertools.islice(cycles, per_knot):
                nodes = [NodeId(str(u)) for u in cycle]
                first = nodes.index(min(nodes))
                found.append(nodes[first:] + nodes[:first])
        return sorted(found)

    def _knots(self) -> list[set[NodeId]]:
        """Strongly connected components that hold a cycle (Tarjan's algorithm, iterative,
        over the nodes left once those on no cycle are peeled off)."""
        succ = self._on_cycles()
        index: dict[NodeId, int] = {}
        low: dict[NodeId, int] = {}
        on_stack: set[NodeId] = set()
        stack: list[NodeId] = []
        knots: list[set[NodeId]] = []
        counter = 0
        for root in succ:
            if root in index:
                continue
            work: list[tuple[NodeId, int]] = [(root, 0)]
            while work:
                node, child = work.pop()
                if child == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                targets = succ[node]
                if child < len(targets):
                    work.append((node, child + 1))
                    target = targets[child]
                    if target not in index:
                        work.append((target, 0))
                    elif target in on_stack:
                        low[node] = min(low[node], index[target])
                    continue
                if low[node] == index[node]:
                    component: set[NodeId] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in succ[node]:
                        knots.append(component)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
        return knots

    def _on_cycles(self) -> dict[NodeId, list[NodeId]]:
        """The graph without the nodes that lie on no cycle: those that reach no cycle
        (sinks, peeled again and again) and those no cycle reaches (sources, likewise).
        A registry is nearly a DAG, so this cheap pass leaves Tarjan almost nothing."""
        succ, pred = self._succ, self._pred
        outs = {node: len(targets) for node, targets in succ.items()}
        peel = [node for node, count in outs.items() if count == 0]
        while peel:
            node = peel.pop()
            for source in pred[node]:
                outs[source] -= 1
                if outs[source] == 0:
                    peel.append(source)
        left = {node for node, count in outs.items() if count}
        ins = {node: sum(1 for source in pred[node] if source in left) for node in left}
        peel = [node for node, count in ins.items() if count == 0]
        while peel:
            node = peel.pop()
            for target in succ[node]:
                if target in ins:
                    ins[target] -= 1
                    if ins[target] == 0:
                        peel.append(target)
        kept = {node for node, count in ins.items() if count}
        return {node: [t for t in succ[node] if t in kept] for node in sorted(kept)}

    def subgraph_edges(self, nodes: Iterable[NodeId]) -> list[Edge]:
        keep = set(nodes)
        return sorted((e for u in keep for v, e in self._out.get(u, {}).items() if v in keep),
                      key=lambda e: (e.source, e.target))

    def all_edges(self) -> list[Edge]:
        return sorted((e for targets in self._out.values() for e in targets.values()),
                      key=lambda e: (e.source, e.target))
