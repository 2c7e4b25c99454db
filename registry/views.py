"""Report objects for the commands that are not analyses (`ls`, `show`, `deps`, `graph`):
what each prints, taken from the catalog and the graph here, so that renderers need neither."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .digest import digest
from .findings import AiregError
from .graph import Hop
from .impact import contacts
from .refs import NodeId, Ref

if TYPE_CHECKING:
    from .catalog import Catalog
    from .decl import Decl
    from .environments import EnvHistory, Environments, StatusReport
    from .graph import DepGraph
    from .project import Project
    from .retirements import Retirement

# The largest blast radius the pull-request comment draws (SPEC section 7).
DIAGRAM_MAX_NODES = 30


def highest(catalog: Catalog, ref: str) -> Decl:
    """The declaration a ref names: the highest version its range admits (an error naming
    the ref when it names nothing)."""
    found = catalog.lookup(ref)
    resolved = catalog.resolve(Ref.parse(ref))
    return resolved if resolved is not None else found[-1]


def line_of(project: Project, decl: Decl) -> int:
    """The line a declaration starts on in its file."""
    return project.locator.span(decl.at()).line


# --- ls ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A declaration and the line of its file it starts on."""

    decl: Decl
    line: int


@dataclass(frozen=True)
class Listing:
    """`aireg ls`: the declarations that match, by kind and id."""

    registry: str
    rows: tuple[Placed, ...]


def kind_named(value: str) -> str:
    """The kind a user wrote in any case, or as its ref prefix (`mcp`), or a usage error."""
    from .kinds import KINDS
    from .refs import REF_KINDS

    by_lower = {k.lower(): k for k in KINDS} | {r: k for r, k in REF_KINDS.items() if k}
    kind = by_lower.get(value.lower())
    if kind is None:
        raise AiregError(f"unknown kind `{value}`; kinds are {', '.join(KINDS)}")
    return kind


def listing(project: Project, kind: str | None = None, owner: str | None = None) -> Listing:
    """Every declaration, or those of one kind and one owner, sorted by kind and id."""
    decls = sorted(project.catalog.decls(), key=lambda d: (d.kind, d.id))
    rows = tuple(Placed(d, line_of(project, d)) for d in decls
                 if (kind is None or d.kind == kind) and (owner is None or d.owner == owner))
    return Listing(project.name, rows)


# --- show -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowView:
    """`aireg show`: one declaration with where it is, its other versions, the edges in
    and out, its owner's contacts and, for a Model, its known retirement."""

    decl: Decl
    line: int
    contacts: tuple[str, ...]  # the owner's team contacts
    other_versions: tuple[str, ...]  # the other declared versions, lowest first
    uses: tuple[Hop, ...]
    used_by: tuple[Hop, ...]
    retirement: Retirement | None  # a Model's known retirement, None when the data has none
    retirement_text: str | None  # that in one line for people; None when it is no Model
    document: str  # the declaration's text in its file, comments included
    digest: str = ""  # the canonical content digest of this version (registry.digest)


def show(project: Project, ref: str) -> ShowView:
    decl = highest(project.catalog, ref)
    catalog, graph, life = project.catalog, project.graph, project.lifecycle
    return ShowView(
        decl=decl, line=line_of(project, decl),
        contacts=contacts(catalog, decl.owner) if decl.owner else (),
        other_versions=tuple(d.version for d in catalog.by_key[(decl.kind, decl.name)]
                             if d is not decl and d.version is not None),
        uses=tuple(Hop(decl.id, t, graph.label(decl.id, t)) for t in graph.uses(decl.id)),
        used_by=tuple(Hop(s, decl.id, graph.label(s, decl.id)) for s in graph.users(decl.id)),
        retirement=life.records.get(decl.id), retirement_text=life.retirement(decl),
        document=project.locator.document_text(decl.path, decl.doc),
        digest=digest(catalog, decl))


# --- graph ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphNode:
    id: NodeId
    kind: str
    owner: str | None


@dataclass(frozen=True)
class GraphEdge:
    source: NodeId
    target: NodeId
    label: str  # includes, model, tool, base-model, trained-on, ...
    member: str | None  # the tool, for an edge to one tool of an MCP server


@dataclass(frozen=True)
class Subgraph:
    """Nodes and the edges between them (both sorted), some marked `highlight`."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    highlight: frozenset[NodeId] = frozenset()


def subgraph(catalog: Catalog, graph: DepGraph, nodes: Iterable[NodeId],
             highlight: frozenset[NodeId] = frozenset()) -> Subgraph:
    keep = sorted(set(nodes))
    return Subgraph(
        tuple(GraphNode(n, catalog.by_id[n].kind, catalog.by_id[n].owner) for n in keep),
        tuple(GraphEdge(e.source, e.target, e.label, e.member)
              for e in graph.subgraph_edges(keep)), highlight)


def graph_around(project: Project, ref: str | None) -> Subgraph:
    """`aireg graph`: the whole graph, or what REF's versions use and what uses them."""
    catalog, graph = project.catalog, project.graph
    if ref is None:
        return subgraph(catalog, graph, catalog.by_id)
    starts = [d.id for d in catalog.lookup(ref)]
    return subgraph(catalog, graph, [*starts, *graph.dependencies(starts),
                                     *graph.dependents(starts)])


# --- environments -----------------------------------------------------------------------


def environments(project: Project) -> Environments:
    from .environments import Environments

    return Environments(project.catalog, project.graph, project.location, project.now)


def status(project: Project, only: str | None) -> StatusReport:
    """`aireg status`: the artifact x environment matrix, its findings placed and with the
    registry's policy applied."""
    from .rules import apply_policy

    envs = environments(project)
    if only is not None and envs.named(only) is None:
        known = ", ".join(e.name for e in envs.envs) or "none"
        raise AiregError(f"no Environment `{only}` is declared (environments: {known})")
    report = envs.status(only)
    located = project.locate(apply_policy(list(report.findings), project.loaded.config))
    return dataclasses.replace(report, findings=tuple(located))


def env_history(project: Project, env: str, artifact: str | None) -> EnvHistory:
    """`aireg history --env E [REF]`: what ran in E and when, from its state file's
    history."""
    from . import environments as analysis
    from .findings import GitRequired

    if project.location.toplevel is None:
        raise GitRequired("history needs git, and this registry is not inside a git repository")
    name = None
    if artifact is not None:
        ref = Ref.parse(artifact) if "/" in artifact else None
        if ref is None:
            raise AiregError(f"`{artifact}` is not a ref; write kind/name, such as "
                             "prompt/house-style")
        name = f"{ref.kind}/{ref.name}"
    return analysis.history(environments(project), env, name)
