"""`--format json`: stable, sorted output; each shape is a pydantic model, so schemas/ has it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..catalog import Catalog
from ..findings import Finding
from ..graph import DepGraph, Hop, Reach
from ..impact import ImpactReport
from ..load import Decl
from ..refs import NodeId
from ..rules import CheckResult


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HopOut(Out):
    source: str
    target: str
    label: str = Field(description="the edge: includes, model, tool, base-model, trained-on, ...")


class FindingOut(Out):
    rule: str
    severity: Literal["error", "warning", "info"]
    message: str
    path: str = Field(description="relative to the repository root, forward slashes")
    line: int
    column: int


class Counts(Out):
    error: int
    warning: int
    info: int


class CheckOut(Out):
    version: Literal[1] = 1
    registry: str
    declarations: int
    files: int
    counts: Counts
    findings: list[FindingOut]


class DeclOut(Out):
    id: str
    kind: str
    name: str
    version: str | None
    owner: str | None
    description: str | None
    path: str
    line: int


class LsOut(Out):
    version: Literal[1] = 1
    registry: str
    declarations: list[DeclOut]


class ShowOut(DeclOut):
    declaration: dict[str, Any] = Field(description="the declaration as written, defaults filled")
    otherVersions: list[str]
    uses: list[HopOut]
    usedBy: list[HopOut]


class ReachOut(Out):
    id: str
    kind: str
    owner: str | None
    distance: int
    path: list[HopOut]


class DepsOut(Out):
    version: Literal[1] = 1
    root: str
    dependencies: list[ReachOut]


class FeatureOut(Out):
    id: str
    tier: str
    owner: str | None
    path: list[HopOut]


class OwnerOut(Out):
    owner: str
    contacts: list[str]
    affected: list[str]


class ImpactOut(Out):
    version: Literal[1] = 1
    targets: list[str]
    highestTier: str | None
    dependents: list[ReachOut]
    features: list[FeatureOut]
    owners: list[OwnerOut]
    evals: list[str]


class NodeOut(Out):
    id: str
    kind: str
    owner: str | None


class EdgeOut(Out):
    source: str
    target: str
    label: str
    member: str | None


class GraphOut(Out):
    version: Literal[1] = 1
    nodes: list[NodeOut]
    edges: list[EdgeOut]


OUTPUTS: dict[str, type[Out]] = {
    "check": CheckOut, "ls": LsOut, "show": ShowOut, "deps": DepsOut, "impact": ImpactOut,
    "graph": GraphOut,
}


def dump(model: Out) -> str:
    return model.model_dump_json(indent=2) + "\n"


def _hops(path: tuple[Hop, ...]) -> list[HopOut]:
    return [HopOut(source=h.source, target=h.target, label=h.label) for h in path]


def _finding(item: Finding) -> FindingOut:
    span = item.span
    return FindingOut(rule=item.rule, severity=item.severity.value, message=item.message,
                      path=span.path, line=span.line, column=span.column)


def check(result: CheckResult, registry: str) -> str:
    from ..findings import Severity

    counts = Counts(error=result.count(Severity.ERROR), warning=result.count(Severity.WARNING),
                    info=result.count(Severity.INFO))
    return dump(CheckOut(registry=registry, declarations=result.declarations,
                         files=result.files, counts=counts,
                         findings=[_finding(f) for f in result.findings]))


def decl_out(decl: Decl, line: int) -> DeclOut:
    return DeclOut(id=decl.id, kind=decl.kind, name=decl.name, version=decl.version,
                   owner=decl.owner, description=decl.model.metadata.description,
                   path=decl.path, line=line)


def ls(rows: list[tuple[Decl, int]], registry: str) -> str:
    return dump(LsOut(registry=registry, declarations=[decl_out(d, line) for d, line in rows]))


def show(decl: Decl, line: int, catalog: Catalog, graph: DepGraph) -> str:
    base = decl_out(decl, line)
    others = [d.version for d in catalog.by_key[(decl.kind, decl.name)]
              if d is not decl and d.version is not None]
    return dump(ShowOut(
        **base.model_dump(),
        declaration=decl.model.model_dump(mode="json", exclude_none=True),
        otherVersions=others,
        uses=[HopOut(source=decl.id, target=t, label=graph.label(decl.id, t))
              for t in graph.uses(decl.id)],
        usedBy=[HopOut(source=s, target=decl.id, label=graph.label(s, decl.id))
                for s in graph.users(decl.id)],
    ))


def _reach(catalog: Catalog, node: NodeId, distance: int, path: tuple[Hop, ...]) -> ReachOut:
    decl = catalog.by_id[node]
    return ReachOut(id=node, kind=decl.kind, owner=decl.owner, distance=distance,
                    path=_hops(path))


def deps(root: Decl, reached: dict[NodeId, Reach], catalog: Catalog) -> str:
    ordered = sorted(reached.values(), key=lambda r: (r.distance, r.node))
    return dump(DepsOut(root=root.id, dependencies=[
        _reach(catalog, r.node, r.distance, r.path) for r in ordered]))


def impact(report: ImpactReport, catalog: Catalog) -> str:
    return dump(ImpactOut(
        targets=[d.id for d in report.targets],
        highestTier=report.highest_tier,
        dependents=[_reach(catalog, d.decl.id, d.distance, d.path) for d in report.dependents],
        features=[FeatureOut(id=f.decl.id, tier=f.tier, owner=f.decl.owner, path=_hops(f.path))
                  for f in report.features],
        owners=[OwnerOut(owner=o.owner, contacts=list(o.contacts), affected=list(o.nodes))
                for o in report.owners],
        evals=[d.id for d in report.evals],
    ))


def graph(catalog: Catalog, graph: DepGraph, nodes: list[NodeId]) -> str:
    keep = sorted(nodes)
    return dump(GraphOut(
        nodes=[NodeOut(id=n, kind=catalog.by_id[n].kind, owner=catalog.by_id[n].owner)
               for n in keep],
        edges=[EdgeOut(source=e.source, target=e.target, label=e.label, member=e.member)
               for e in graph.subgraph_edges(keep)],
    ))
