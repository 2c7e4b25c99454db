"""Shortest-path trees: one breadth-first pass from a whole start set.

Each node reached keeps its distance and its `next` hop, one step nearer the start set, with
that edge's label; a path is rebuilt by following `next` to a start node. Nothing holds a
path per node, so a search that reaches 17,000 nodes costs 17,000 entries, not their paths.
This module imports nothing heavy: a snapshot answers from it without loading the models.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable
from typing import NamedTuple, TypeVar

N = TypeVar("N", bound=Hashable)


class Hop(NamedTuple):
    """One step of a path: `source` uses `target` through an edge with `label`."""

    source: str
    target: str
    label: str


def search(starts: Iterable[N], neighbours: Callable[[N], Iterable[tuple[N, str]]],
           depth: int | None = None, labels: frozenset[str] | None = None
           ) -> dict[N, tuple[int, N, str]]:
    """Every node reachable from `starts` (start nodes excluded) -> (distance, next hop
    toward the start set, the label of the edge between them).

    Starts are taken in sorted order and each node's neighbours in the order given, so the
    tree (the shortest path kept for each node) is the same on every run. With `depth`, the
    search stops that many edges out; with `labels`, it follows only edges with those labels.
    """
    start_set = set(starts)
    queue: deque[N] = deque(sorted(start_set))  # type: ignore[type-var]
    found: dict[N, tuple[int, N, str]] = {}
    while queue:
        node = queue.popleft()
        here = found[node][0] if node in found else 0
        if depth is not None and here >= depth:
            continue
        for other, label in neighbours(node):
            if other in found or other in start_set:
                continue
            if labels is not None and label not in labels:
                continue
            found[other] = (here + 1, node, label)
            queue.append(other)
    return found


def path_up(tree: dict[str, tuple[int, str, str]], node: str) -> tuple[Hop, ...]:
    """The path from a dependent down to the target it reaches (a tree of `dependents`)."""
    hops = []
    while node in tree:
        _, toward, label = tree[node]
        hops.append(Hop(node, toward, label))
        node = toward
    return tuple(hops)


def path_down(tree: dict[str, tuple[int, str, str]], node: str) -> tuple[Hop, ...]:
    """The path from a start node down to a dependency (a tree of `dependencies`)."""
    hops = []
    while node in tree:
        _, toward, label = tree[node]
        hops.append(Hop(toward, node, label))
        node = toward
    return tuple(reversed(hops))


def path_text(path: tuple[Hop, ...]) -> str:
    """`a -uses-> b -includes-> c`."""
    if not path:
        return "(changed itself)"
    parts: list[str] = [path[0].source]
    for hop in path:
        parts.append(f"-{hop.label}-> {hop.target}")
    return " ".join(parts)
