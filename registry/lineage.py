"""`aireg lineage REF`: the data an adapter, index, feature, prompt or dataset was built from,
down to the raw sources, with the governance facts of every dataset on the way.

The walk follows only the edges along which data or weights flow into what is built:

| from        | follows                                   |
|-------------|-------------------------------------------|
| Feature     | uses (features, prompts, adapters, indexes, datasets) |
| Prompt      | uses (indexes)                            |
| Adapter     | base-model, trained-on, tested-on         |
| VectorIndex | embedded-by, built-from                   |
| Dataset     | derived-from (with the step that made it) |

Features and prompts that lead to no data are left out. A dataset with no `derivedFrom` is
a raw source.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import kinds
from .catalog import Catalog
from .consent import excluded_names, open_hits, revocations_by_dataset
from .decl import Decl
from .findings import RefArgumentError
from .graph import DepGraph
from .refs import NodeId, Ref

ROOT_KINDS = ("Adapter", "VectorIndex", "Feature", "Prompt", "Dataset")
_FOLLOW: dict[str, dict[str, frozenset[str]]] = {
    "Feature": {"uses": frozenset({"Feature", "Prompt", "Adapter", "VectorIndex", "Dataset"})},
    "Prompt": {"uses": frozenset({"VectorIndex"})},
    "Adapter": {"base-model": frozenset({"Model"}), "trained-on": frozenset({"Dataset"}),
                "tested-on": frozenset({"Dataset"})},
    "VectorIndex": {"embedded-by": frozenset({"Model"}), "built-from": frozenset({"Dataset"})},
    "Dataset": {"derived-from": frozenset({"Dataset"})},
}
_PASS_THROUGH = frozenset({"Feature", "Prompt"})  # kept only when they lead to data


@dataclass(frozen=True)
class RevocationFact:
    id: NodeId
    subjects: int
    received: str
    deadline: str


@dataclass(frozen=True)
class Node:
    """One declaration in the lineage and its governance facts (None: not declared)."""

    id: NodeId
    kind: str
    owner: str | None
    license: str | None = None
    personal_data: bool | None = None
    classification: str | None = None
    consent_basis: str | None = None
    consent_uses: tuple[str, ...] = ()
    retention: str | None = None
    records: int | None = None
    source: str | None = None
    digest: str | None = None
    raw: bool = False  # a dataset made from no declared dataset
    excludes: tuple[NodeId, ...] = ()
    revoked_by: tuple[RevocationFact, ...] = ()


@dataclass(frozen=True)
class Step:
    """An edge of the lineage: `source` was made from, or uses, `target`."""

    source: NodeId
    target: NodeId
    label: str
    step: str | None = None
    tool: str | None = None
    digest: str | None = None


@dataclass(frozen=True)
class OpenRevocation:
    """A revocation whose subjects' data reaches the root along a path no dataset excludes
    it on (see `aireg check`, rule consent-revoked)."""

    id: NodeId
    source: NodeId
    path: tuple[NodeId, ...]


@dataclass(frozen=True)
class Lineage:
    root: NodeId
    nodes: dict[NodeId, Node]
    steps: tuple[Step, ...]  # in walk order: each node's children in ref order
    open: tuple[OpenRevocation, ...]

    @functools.cached_property
    def _below(self) -> dict[NodeId, list[Step]]:
        out: dict[NodeId, list[Step]] = {}
        for step in self.steps:
            out.setdefault(step.source, []).append(step)
        return out

    def children(self, node: NodeId) -> list[Step]:
        return self._below.get(node, [])


def root_of(catalog: Catalog, text: str) -> Decl:
    """The declaration a ref on the command line names: the version its range resolves to."""
    catalog.lookup(text)  # the errors for a ref that does not parse or match
    decl = catalog.resolve(Ref.parse(text))
    if decl is None:
        raise RefArgumentError(f"`{text}` resolves to no declaration")
    if decl.kind not in ROOT_KINDS:
        raise RefArgumentError(
            f"{decl.id} is a {decl.kind}; lineage starts from an adapter, index, feature, "
            "prompt or dataset")
    return decl


def build(catalog: Catalog, graph: DepGraph, root: Decl) -> Lineage:
    affected = revocations_by_dataset(catalog)
    steps: list[Step] = []
    seen: set[NodeId] = set()
    order: list[NodeId] = []

    # Depth first in ref order, with a stack of its own (a pull request controls the depth).
    stack = [root.id]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        decl = catalog.by_id[node]
        follow = _FOLLOW.get(decl.kind, {})
        below: list[NodeId] = []
        for site in catalog.ref_sites(decl):
            wanted = follow.get(site.field.label)
            target = catalog.resolve(site.ref) if wanted else None
            if target is None or wanted is None or target.kind not in wanted:
                continue
            steps.append(_step(decl, site.keys, target.id, site.field.label))
            below.append(target.id)
        stack.extend(reversed(below))

    kept = _leading_to_data(catalog, root.id, steps)
    steps = [s for s in steps if s.source in kept and s.target in kept]
    nodes = {n: _node(catalog, catalog.by_id[n], affected) for n in order if n in kept}
    unexcluded: list[OpenRevocation] = []
    starts = [n for n in order if n in kept and catalog.by_id[n].kind == "Dataset"
              and all(s.target != n or catalog.by_id[s.source].kind != "Dataset"
                      for s in steps)]
    found: set[str] = set()
    for start in starts:
        for hit in open_hits(catalog, graph, start, affected):
            if hit.revocation.name not in found:
                found.add(hit.revocation.name)
                unexcluded.append(OpenRevocation(hit.revocation.id, hit.source, hit.path))
    return Lineage(root.id, nodes, tuple(steps), tuple(sorted(unexcluded, key=lambda o: o.id)))


def _step(decl: Decl, keys: tuple[str | int, ...], target: NodeId, label: str) -> Step:
    spec = decl.model.spec
    if label == "derived-from" and isinstance(spec, kinds.DatasetSpec):
        item = spec.derivedFrom[int(keys[2])]
        if isinstance(item, kinds.DerivedStep):
            return Step(decl.id, target, label, item.step, item.tool, item.digest)
    return Step(decl.id, target, label)


def _leading_to_data(catalog: Catalog, root: NodeId, steps: list[Step]) -> set[NodeId]:
    """The nodes to show: all but features and prompts that reach no data (the root
    always stays)."""
    below: dict[NodeId, list[NodeId]] = {}
    for step in steps:
        below.setdefault(step.source, []).append(step.target)
    # Whether a node leads to data, children before parents (iteratively, as above); a node
    # met again on its own path is a cycle, which leads nowhere new.
    memo: dict[NodeId, bool] = {}
    pending: list[tuple[NodeId, bool]] = [(root, False)]
    while pending:
        node, done = pending.pop()
        if done:
            memo[node] = (catalog.by_id[node].kind not in _PASS_THROUGH
                          or any(memo.get(t, False) for t in below.get(node, [])))
            continue
        if node in memo:
            continue
        memo[node] = False
        pending.append((node, True))
        pending.extend((t, False) for t in below.get(node, []) if t not in memo)

    def useful(node: NodeId) -> bool:
        return memo.get(node, False)

    kept = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        for target in below.get(node, []):
            if target not in kept and useful(target):
                kept.add(target)
                stack.append(target)
    return kept


def _node(catalog: Catalog, decl: Decl, affected: dict[NodeId, list[Decl]]) -> Node:
    model = decl.model
    if isinstance(model, kinds.Dataset):
        spec = model.spec
        revoked = []
        for revocation in affected.get(decl.id, []):
            assert isinstance(revocation.model, kinds.Revocation)
            facts = revocation.model.spec
            revoked.append(RevocationFact(revocation.id, facts.subjects,
                                          facts.received.isoformat(),
                                          facts.deadline.isoformat()))
        return Node(
            decl.id, decl.kind, decl.owner, spec.license, spec.personalData,
            spec.classification, spec.consent.basis if spec.consent else None,
            tuple(spec.consent.uses) if spec.consent else (),
            spec.retention.until.isoformat() if spec.retention else None, spec.records,
            spec.source.uri if spec.source else None,
            spec.source.digest if spec.source else None, not spec.derivedFrom,
            tuple(NodeId(f"revocation/{name}") for name in sorted(excluded_names(decl))),
            tuple(revoked))
    if isinstance(model, kinds.Model):
        return Node(decl.id, decl.kind, decl.owner, model.spec.license)
    if isinstance(model, kinds.Adapter) and model.spec.artifact is not None:
        return Node(decl.id, decl.kind, decl.owner, source=model.spec.artifact.uri,
                    digest=model.spec.artifact.digest)
    if isinstance(model, kinds.VectorIndex):
        return Node(decl.id, decl.kind, decl.owner,
                    source=f"{model.spec.store.type} {model.spec.store.uri}")
    return Node(decl.id, decl.kind, decl.owner)
