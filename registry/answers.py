"""`impact REF` and `deps REF` from a snapshot: report objects as shortest-path trees.

Each dependent (or dependency) names its `next` hop toward the start set and that edge's
label; a path is rebuilt only for what is shown. The same code answers from a snapshot just
read and from one built after a full load, so both give the same bytes. Nothing heavy is
imported: a ref is looked up here only when it names every version (`prompt/x`) or one exact
version (`prompt/x@1.2.0`); anything else (a range, a tool, a ref that names nothing) is left
to the catalog, which has the words for every error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .reach import Hop, path_up, search
from .snapshot import Snapshot

TIER_ORDER = ("critical", "high", "medium", "low")
_PLAIN_REF = re.compile(r"^([a-z]+)/([a-z0-9][a-z0-9._-]*)(?:@(\d+\.\d+\.\d+))?$")


@dataclass(frozen=True)
class Entry:
    """One node reached: `next` is one edge nearer the start set (None for a start node
    listed itself, as a changed artifact is), `label` that edge's."""

    id: str
    kind: str
    owner: str | None
    distance: int
    next: str | None
    label: str | None


@dataclass(frozen=True)
class FeatureEntry:
    id: str
    tier: str
    owner: str | None
    next: str | None
    label: str | None


@dataclass(frozen=True)
class OwnerEntry:
    owner: str
    contacts: tuple[str, ...]
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class ImpactView:
    targets: tuple[str, ...]
    dependents: tuple[Entry, ...]  # nearest first, then by id
    features: tuple[FeatureEntry, ...]  # by tier (critical first), then id
    owners: tuple[OwnerEntry, ...]
    evals: tuple[str, ...]
    path: Callable[[str], tuple[Hop, ...]]  # a dependent's path down to its target
    # Whether every dependent's path is its `next` hop then the path of `next` (true of one
    # search; not of a merge of two, as impact --base makes)
    chained: bool = False

    @property
    def highest_tier(self) -> str | None:
        tiers = [hit.tier for hit in self.features]
        return min(tiers, key=TIER_ORDER.index) if tiers else None


@dataclass(frozen=True)
class DepsView:
    root: str
    dependencies: tuple[Entry, ...]  # nearest first, then by id
    uses: Callable[[str], list[tuple[str, str]]]  # a node's direct uses, sorted, with labels
    depth: int | None


def summarize(targets: tuple[str, ...], dependents: tuple[Entry, ...],
              tiers: dict[str, str], contacts: Callable[[str], tuple[str, ...]],
              path: Callable[[str], tuple[Hop, ...]], chained: bool = False) -> ImpactView:
    """Features (with `tiers`), owners to notify (not for evals, nor for environments,
    which run what others own) and evals of dependents."""
    features = tuple(sorted(
        (FeatureEntry(d.id, tiers[d.id], d.owner, d.next, d.label) for d in dependents
         if d.kind == "Feature"),
        key=lambda hit: (TIER_ORDER.index(hit.tier), hit.id)))
    by_owner: dict[str, list[str]] = {}
    for dep in dependents:
        if dep.owner is not None and dep.kind not in ("Eval", "Environment"):
            by_owner.setdefault(dep.owner, []).append(dep.id)
    owners = tuple(OwnerEntry(owner, contacts(owner), tuple(sorted(nodes)))
                   for owner, nodes in sorted(by_owner.items()))
    evals = tuple(sorted(d.id for d in dependents if d.kind == "Eval"))
    return ImpactView(tuple(sorted(targets)), dependents, features, owners, evals, path,
                      chained)


def lookup(snap: Snapshot, ref: str) -> list[int] | None:
    """The nodes a command-line ref names, when it is one this module answers; None
    otherwise (the caller loads the registry and asks the catalog)."""
    match = _PLAIN_REF.match(ref)
    if match is None:
        return None
    found = snap.artifact(match[1], match[2]) if match[1] in snap.meta["refKinds"] else None
    if found is None:
        return None
    nodes, _ = found
    if match[3] is None:
        return nodes
    # One exact version; versions with build metadata match it too in npm, so those are
    # the catalog's to answer.
    if any("+" in snap.ids[n] for n in nodes):
        return None
    exact = [n for n in nodes if snap.ids[n] == f"{match[1]}/{match[2]}@{match[3]}"]
    return exact or None


def resolved(snap: Snapshot, ref: str) -> int | None:
    """The node a ref resolves to (its highest version in range), when `lookup` answers it."""
    nodes = lookup(snap, ref)
    if nodes is None:
        return None
    if "@" in ref:
        return nodes[0]
    kind, name = ref.split("/", 1)
    found = snap.artifact(kind, name)
    return None if found is None else found[1]


def impact(snap: Snapshot, targets: list[int]) -> ImpactView:
    """Everything that reaches a target, nearest first."""
    tree = search(targets, snap.users)
    ids = snap.ids
    named = {ids[node]: (distance, ids[toward], label)
             for node, (distance, toward, label) in tree.items()}
    dependents = tuple(sorted(
        (Entry(ids[node], snap.kind(node), snap.owner(node), distance, ids[toward], label)
         for node, (distance, toward, label) in tree.items()),
        key=lambda e: (e.distance, e.id)))
    tiers = {ids[n]: snap.tier(n) for n in tree if snap.kind(n) == "Feature"}
    return summarize(tuple(ids[t] for t in targets), dependents, tiers, snap.contacts,
                     lambda node: path_up(named, node), chained=True)


def deps(snap: Snapshot, root: int, depth: int | None = None) -> DepsView:
    """Everything the root uses, transitively (to `depth` edges), nearest first."""
    tree = search([root], snap.uses, depth)
    ids = snap.ids
    found = tuple(sorted(
        (Entry(ids[node], snap.kind(node), snap.owner(node), distance, ids[toward], label)
         for node, (distance, toward, label) in tree.items()),
        key=lambda e: (e.distance, e.id)))
    index = snap.index

    def uses(node: str) -> list[tuple[str, str]]:
        return [(ids[other], label) for other, label in snap.uses(index[node])]

    return DepsView(ids[root], found, uses, depth)
