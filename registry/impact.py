"""What depends on a set of artifacts: dependents, features hit, owners to notify, evals to run."""

from __future__ import annotations

from dataclasses import dataclass

from . import kinds
from .catalog import Catalog
from .decl import Decl
from .graph import DepGraph, Hop, Reach
from .refs import NodeId

TIER_ORDER = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Dependent:
    decl: Decl
    distance: int
    path: tuple[Hop, ...]


@dataclass(frozen=True)
class FeatureHit:
    decl: Decl
    tier: str
    path: tuple[Hop, ...]


@dataclass(frozen=True)
class OwnerToNotify:
    owner: str
    contacts: tuple[str, ...]  # the owner's team contacts
    nodes: tuple[NodeId, ...]  # what of theirs is affected


@dataclass(frozen=True)
class ImpactReport:
    targets: tuple[Decl, ...]
    dependents: tuple[Dependent, ...]
    features: tuple[FeatureHit, ...]
    owners: tuple[OwnerToNotify, ...]
    evals: tuple[Decl, ...]

    @property
    def highest_tier(self) -> str | None:
        tiers = [hit.tier for hit in self.features]
        return min(tiers, key=TIER_ORDER.index) if tiers else None


def contacts(catalog: Catalog, owner: str | None) -> tuple[str, ...]:
    found = []
    for team in catalog.owner_team(owner):
        contact = catalog.teams[team].spec.contact
        if contact:
            found.append(contact)
    return tuple(dict.fromkeys(found))


def dependents_of(catalog: Catalog, graph: DepGraph, targets: list[Decl],
                  include_targets: bool = False) -> list[Dependent]:
    """Everything that reaches a target, nearest first; with `include_targets` the targets
    themselves too, at distance 0 (a changed feature is itself affected)."""
    reached: dict[NodeId, Reach] = graph.dependents(d.id for d in targets)
    found = [Dependent(catalog.by_id[node], reach.distance, reach.path)
             for node, reach in reached.items()]
    if include_targets:
        found += [Dependent(d, 0, ()) for d in targets]
    return sorted(found, key=lambda d: (d.distance, d.decl.id))


def analyze(catalog: Catalog, graph: DepGraph, targets: list[Decl]) -> ImpactReport:
    return summarize(catalog, targets, dependents_of(catalog, graph, targets))


def summarize(catalog: Catalog, targets: list[Decl], found: list[Dependent]) -> ImpactReport:
    """Features, owners and evals of a set of dependents; `catalog` supplies team contacts."""
    dependents = tuple(found)
    features = tuple(sorted(
        (FeatureHit(d.decl, _tier(d.decl), d.path) for d in dependents
         if d.decl.kind == "Feature"),
        key=lambda hit: (TIER_ORDER.index(hit.tier), hit.decl.id)))
    by_owner: dict[str, list[NodeId]] = {}
    for dep in dependents:
        if dep.decl.owner is not None and dep.decl.kind != "Eval":
            by_owner.setdefault(dep.decl.owner, []).append(dep.decl.id)
    owners = tuple(OwnerToNotify(owner, contacts(catalog, owner), tuple(sorted(nodes)))
                   for owner, nodes in sorted(by_owner.items()))
    # An eval that covers, or tests on, anything affected reaches it, so it is a dependent.
    evals = tuple(sorted((d.decl for d in dependents if d.decl.kind == "Eval"),
                         key=lambda d: d.id))
    return ImpactReport(tuple(sorted(targets, key=lambda d: d.id)), dependents, features,
                        owners, evals)


def _tier(decl: Decl) -> str:
    spec = decl.model.spec
    return spec.tier if isinstance(spec, kinds.FeatureSpec) else "medium"
