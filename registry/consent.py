"""Consent revocations (SPEC section 12): which adapters and indexes still hold the data of
people who withdrew, and what to do about each.

A Revocation `affects` the dataset versions that hold the subjects' data. A dataset version
that `excludes` it was made without them, and so is everything derived from it. An adapter
or index is hit when a path from the data it was built on down through `derivedFrom` reaches
an affected version without passing a dataset that excludes the revocation.

The remediation class of each hit:

| class          | when                                                                  |
|----------------|-----------------------------------------------------------------------|
| no-action      | the data reached an adapter only as evaluation data (evalDatasets):    |
|                | its weights do not hold it (info; rebuild the evaluation set)         |
| retrain        | an adapter trained on it, the deadline not passed (warning)           |
| remove-adapter | an adapter trained on it, the deadline passed: take it out of the      |
|                | features that use it until it is retrained (error)                    |
| reindex        | an index built on it: delete the subjects' vectors, or re-embed from   |
|                | a version that excludes them (warning; error once the deadline passed) |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from . import kinds
from .catalog import Catalog, RefSite
from .decl import Decl
from .findings import Finding, Severity
from .graph import DepGraph
from .refs import NodeId, Ref

# The edges along which an adapter or index takes in data, and what each use means.
_USES = {"trained-on": "trained on", "tested-on": "evaluated on", "built-from": "built from"}


@dataclass(frozen=True)
class Hit:
    """A revocation whose subjects' data reaches an artifact: at which source, and how."""

    revocation: Decl
    source: NodeId  # the affected dataset version
    path: tuple[NodeId, ...]  # from the dataset the artifact names down to the source


def revocations_by_dataset(catalog: Catalog) -> dict[NodeId, list[Decl]]:
    """Dataset version -> the revocations that affect it (a range affects every version
    it admits)."""
    out: dict[NodeId, list[Decl]] = {}
    for decl in sorted(catalog.of_kind("Revocation"), key=lambda d: d.id):
        assert isinstance(decl.model, kinds.Revocation)
        for text in decl.model.spec.affects:
            for dataset in catalog.matching(Ref.parse(text)):
                if dataset.kind == "Dataset" and decl not in out.setdefault(dataset.id, []):
                    out[dataset.id].append(decl)
    return out


def excluded_names(decl: Decl) -> frozenset[str]:
    spec = decl.model.spec
    if not isinstance(spec, kinds.DatasetSpec):
        return frozenset()
    return frozenset(Ref.parse(text).name for text in spec.excludes)


def open_hits(catalog: Catalog, graph: DepGraph, start: NodeId,
              affected: dict[NodeId, list[Decl]]) -> list[Hit]:
    """The revocations that reach `start` or a dataset it derives from along a path on
    which no dataset excludes them, one hit per revocation (its first source found)."""
    hits: dict[str, Hit] = {}
    seen: set[tuple[NodeId, frozenset[str]]] = set()
    # Depth first, with a stack of its own: a pull request controls how long a chain of
    # derivedFrom is, and Python's recursion limit is not a bound to end on.
    stack: list[tuple[NodeId, frozenset[str], tuple[NodeId, ...]]] = [(start, frozenset(), ())]
    while stack:
        node, excluded, path = stack.pop()
        excluded = excluded | excluded_names(catalog.by_id[node])
        if (node, excluded) in seen:  # also ends a cycle (reported by rule cycle)
            continue
        seen.add((node, excluded))
        path = (*path, node)
        for revocation in affected.get(node, []):
            if revocation.name not in excluded and revocation.name not in hits:
                hits[revocation.name] = Hit(revocation, node, path)
        stack.extend((target, excluded, path) for target in reversed(graph.uses(node))
                     if graph.label(node, target) == "derived-from")
    return sorted(hits.values(), key=lambda h: h.revocation.name)


def findings(catalog: Catalog, graph: DepGraph, today: dt.date) -> list[Finding]:
    """consent-revoked, once per artifact and revocation, at the first ref that leads to
    the revoked data."""
    affected = revocations_by_dataset(catalog)
    if not affected:
        return []
    out: list[Finding] = []
    builds = [d for d in catalog.decls() if d.kind in ("Adapter", "VectorIndex")]
    for decl in sorted(builds, key=lambda d: d.id):
        first: dict[str, tuple[RefSite, Hit]] = {}
        uses: dict[str, set[str]] = {}
        for site in catalog.ref_sites(decl):
            if site.field.label not in _USES:
                continue
            target = catalog.resolve(site.ref)
            if target is None or target.kind != "Dataset":
                continue
            for hit in open_hits(catalog, graph, target.id, affected):
                name = hit.revocation.name
                # Training outranks evaluation: the hit is shown at the ref that trains.
                if name not in first or (first[name][0].field.label == "tested-on"
                                         and site.field.label != "tested-on"):
                    first[name] = (site, hit)
                uses.setdefault(name, set()).add(site.field.label)
        for name in sorted(first):
            site, hit = first[name]
            out.append(_finding(catalog, graph, affected, decl, site, hit, uses[name], today))
    return out


def remediation(decl: Decl, labels: set[str], passed: bool) -> str:
    """The remediation class (see the module's table)."""
    if decl.kind == "VectorIndex":
        return "reindex"
    if labels == {"tested-on"}:
        return "no-action"
    return "remove-adapter" if passed else "retrain"


def _finding(catalog: Catalog, graph: DepGraph, affected: dict[NodeId, list[Decl]], decl: Decl,
             site: RefSite, hit: Hit, labels: set[str], today: dt.date) -> Finding:
    from .lifecycle import when

    revocation = hit.revocation
    assert isinstance(revocation.model, kinds.Revocation)
    spec = revocation.model.spec
    left = (spec.deadline - today).days
    passed = left < 0
    cls = remediation(decl, labels, passed)
    named, source = hit.path[0], hit.source
    between = hit.path[1:-1]
    if len(between) > 4:  # a pull request controls the length of a chain
        between = (*between[:2], NodeId(f"{len(between) - 3} more"), between[-1])
    through = f", through {', '.join(between)}," if between else ""
    comes = (f"{named}, which derives{through} from {source}" if named != source
             else f"{source}")
    features = _features(catalog, graph, decl.id)
    hit_text = (f"features hit: {', '.join(features)}" if features else "no feature uses it")
    cleaner = _clean_version(catalog, graph, affected, catalog.by_id[named], revocation.name)
    fix = (f"use {cleaner}, which excludes them" if cleaner is not None
           else f"declare a version of {named.partition('@')[0]} made without them, with "
                f"`excludes: [revocation/{revocation.name}]`")
    what = {
        "no-action": "its weights do not hold the data (it was only evaluated on it); for the "
                     f"next evaluation, {fix}",
        "retrain": f"{fix}, and retrain {decl.id} on it",
        "remove-adapter": f"the deadline has passed: take {decl.id} out of "
                          f"{', '.join(features) if features else 'service'} until it is "
                          f"retrained ({fix})",
        "reindex": "delete the subjects' vectors from the index, or re-embed it beside the "
                   f"current one from data without them ({fix})",
    }[cls]
    use = _USES[site.field.label]
    also = [_USES[label] for label in _USES if label in labels and label != site.field.label]
    if also:
        comes += f" (and {' and '.join(also)} data that reaches it)"
    people = "person" if spec.subjects == 1 else "people"
    message = (f"{decl.id} is {use} {comes}, which holds data of {spec.subjects} {people} who "
               f"withdrew consent (revocation/{revocation.name}, received {spec.received}); "
               f"no dataset on the way excludes it. Deadline {spec.deadline} ({when(left)}); "
               f"{hit_text}. Remediation {cls}: {what}")
    item = site.finding("consent-revoked", message)
    item = replace(item, value=f"revocation/{revocation.name}")
    if cls == "no-action":
        return item.with_severity(Severity.INFO)
    return item.with_severity(Severity.ERROR) if passed else item


def _features(catalog: Catalog, graph: DepGraph, node: NodeId) -> list[NodeId]:
    return sorted(n for n in graph.dependents([node]) if catalog.by_id[n].kind == "Feature")


def _clean_version(catalog: Catalog, graph: DepGraph, affected: dict[NodeId, list[Decl]],
                   dataset: Decl, name: str) -> NodeId | None:
    """The highest version of a dataset whose data the revocation does not reach."""
    for other in reversed(catalog.by_key.get((dataset.kind, dataset.name), [])):
        if all(h.revocation.name != name
               for h in open_hits(catalog, graph, other.id, affected)):
            return other.id
    return None
